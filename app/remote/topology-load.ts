/**
 * Topology loading with remote targets readable: app/topology/load.ts with this layer's probe plugged in. The
 * CLI reads maps through here; topology/, below remote/, cannot import the probe itself.
 */
import { loadTopology as loadLocalOrImported, type LoadOptions, type TargetProbe } from '../topology/load';
import type { Topology } from '../shared/topology';
import { dataDir } from '../util/datadir';
import { closeMaster } from './exec';
import { probeTarget } from './remote-topology';
import { remoteContext } from './ssh';
import { isRemote, parseTarget } from './url';

export const targetProbe: TargetProbe = {
  isRemote: (target) => isRemote(parseTarget(target)),
  async read(target) {
    const t = parseTarget(target);
    if (!isRemote(t)) throw new Error(`${target} is this machine, not a remote target`);
    const ctx = remoteContext(dataDir());
    try {
      return (await probeTarget(t, ctx)).topology;
    } finally {
      // A one-shot read (CLI topology/command) must not leave a master connection behind for ControlPersist.
      await closeMaster(t, ctx);
    }
  },
};

export function loadTopology(opts: LoadOptions = {}): Promise<Topology> {
  return loadLocalOrImported(opts, targetProbe);
}
