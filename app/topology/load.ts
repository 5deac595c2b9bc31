/** One entry point for callers (CLI, server): pick the source the options and the platform call for. */
import { basename } from 'node:path';
import { hostTopology } from './host';
import { importTopology, readImportText } from './import';
import { readSysfsTopology } from './sysfs';
import type { Topology } from '../shared/topology';
import { closeMaster } from '../remote/exec';
import { probeTarget } from '../remote/remote-topology';
import { remoteContext } from '../remote/ssh';
import { isRemote, parseTarget } from '../remote/url';
import { dataDir } from '../util/datadir';

export interface LoadOptions {
  /** Read a sysfs/procfs dump below this directory (like `lscpu --sysroot`). */
  sysroot?: string;
  /** Import lscpu / numactl -H text from this file. */
  fromFile?: string;
  /** Read a remote target over ssh / docker exec (app/remote): ssh://user@host, docker://name, … */
  target?: string;
}

export async function loadTopology(opts: LoadOptions = {}): Promise<Topology> {
  if (opts.sysroot && opts.fromFile) throw new Error('use either a sysroot or a file to import, not both');
  if (opts.target !== undefined) {
    const t = parseTarget(opts.target);
    if (isRemote(t)) {
      if (opts.sysroot || opts.fromFile) throw new Error('use either a target or a sysroot/file, not both');
      const ctx = remoteContext(dataDir());
      try {
        return (await probeTarget(t, ctx)).topology;
      } finally {
        // A one-shot read (CLI topology/command) must not leave a master connection behind for ControlPersist.
        await closeMaster(t, ctx);
      }
    }
  }
  if (opts.fromFile) return importTopology(readImportText(opts.fromFile), basename(opts.fromFile));
  if (opts.sysroot) return readSysfsTopology(opts.sysroot);
  if (process.platform === 'linux') return readSysfsTopology('/');
  return hostTopology();
}
