/**
 * `aio-tuner dump --target URL`: the same tree as a local dump, from the target. The map's probe script
 * (probe-script.ts) brings most files in one command and is written into a temporary sysroot, as for the map;
 * the engine's readers then run on it with the recorder on (app/bundle/sysdump.ts), and every file they looked
 * for that the probe did not bring is fetched from the target in one batch and the readers run again, until
 * they ask for nothing new. So the readers stay the one definition of the files, also for targets: a file a
 * reader starts to need is fetched without anyone editing the probe script.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordEngineReads, type DumpSource, type RecordedDump } from '../bundle/sysdump';
import { closeMaster } from './exec';
import { originOf, readFilled, runProbe, writeSysroot } from './remote-topology';
import type { RemoteContext } from './ssh';
import { isRemote, parseTarget, TargetUrlError, targetLabel, type RemoteTarget } from './url';

/** `aio-tuner dump --target URL`: the dump, then the shared connection let go (a one-shot command). */
export async function dumpTarget(url: string, ctx: RemoteContext): Promise<RecordedDump & DumpSource> {
  const t = parseTarget(url);
  if (!isRemote(t)) throw new TargetUrlError(`"${url}" is this machine, not a remote target`);
  try {
    return await recordTarget(t, ctx);
  } finally {
    // A one-shot command must not leave a master connection behind for ControlPersist.
    await closeMaster(t, ctx);
  }
}

/** The target's dump over the shared connection (a bundle's system/sysfs/ keeps the connection up). */
export async function recordTarget(t: RemoteTarget, ctx: RemoteContext): Promise<RecordedDump & DumpSource> {
  const probe = await runProbe(t, ctx);
  const dir = mkdtempSync(join(tmpdir(), 'aio-tuner-dump-'));
  try {
    writeSysroot(dir, probe);
    let recorded: RecordedDump;
    try {
      recorded = await readFilled(t, ctx, dir, probe, () => recordEngineReads(dir));
    } catch (e) {
      throw new Error(
        `${targetLabel(t)}: ${(e as Error).message.replace(dir, 'the target')} (is it a Linux machine?)`,
        { cause: e },
      );
    }
    recorded.topology.origin = originOf(t);
    const page = Number(probe.commands.get('pagesize')?.output.trim());
    if (recorded.topology.kernel && Number.isInteger(page) && page > 0)
      recorded.topology.kernel.pageSizeBytes = page;
    const nodename = probe.commands.get('nodename');
    const host = (nodename && nodename.status === 0 && nodename.output.trim()) || targetLabel(t);
    return { ...recorded, source: originOf(t), host };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
