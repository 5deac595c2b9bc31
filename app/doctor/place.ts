/**
 * Where the doctor looks: this machine, a dump below a directory, or a target, behind one interface, so every
 * check is written once. A dump has files but no programs and no environment: checks that need them are skipped
 * with "not checkable from a dump".
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWhole } from '../topology/fs-read';
import { runTool, which, type ToolHost, type ToolRun } from '../util/tool';

export interface DoctorPlace {
  kind: 'host' | 'sysroot' | 'target';
  /** Named in evidence when not this machine, e.g. "ssh://me@server" or the dump's directory. */
  where: string;
  /** A file of the examined machine by its absolute path there; null when absent or unreadable. */
  read(path: string): Promise<string | null>;
  /** Run a program there; null when programs cannot run there (a dump). */
  run(
    cmd: string,
    args: string[],
    opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): Promise<ToolRun> | null;
  /** A program's path there; null when absent (or on a dump). */
  which(cmd: string): Promise<string | null>;
  /** The environment a run would inherit there; null on a dump. */
  env: NodeJS.ProcessEnv | null;
  /** A target's tools (the engine probe runs its interpreter through them); absent on this machine and dumps. */
  tools?: ToolHost;
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

export function localPlace(env: NodeJS.ProcessEnv = process.env): DoctorPlace {
  return {
    kind: 'host',
    where: 'this machine',
    read: readOrNull,
    run: (cmd, args, opts = {}) =>
      runTool(cmd, args, { env: opts.env ?? env, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) }),
    which: (cmd) => which(cmd, env),
    env,
  };
}

export function sysrootPlace(dir: string): DoctorPlace {
  return {
    kind: 'sysroot',
    where: dir,
    // Through the topology's reader: one recorded definition of what the engine reads, which `aio-tuner dump` copies.
    read: (path) => Promise.resolve(readWhole(join(dir, path))),
    run: () => null,
    which: () => Promise.resolve(null),
    env: null,
  };
}

/**
 * A ToolHost that reads many files in one command (app/remote/tools.ts): one answer per path, in order, each
 * what `read` would give.
 */
export interface BatchReadHost extends ToolHost {
  readMany(paths: readonly string[]): Promise<(string | null)[]>;
}

function canReadMany(host: ToolHost): host is BatchReadHost {
  return typeof (host as Partial<BatchReadHost>).readMany === 'function';
}

/**
 * `read` that gathers the reads asked for while the checks run their synchronous parts (they run concurrently,
 * and a check reads its files together) and sends them as one batch: over ssh each command is a round trip and
 * through docker a process start, so ~30 files cost one of each instead of ~30.
 */
export function coalescedRead(host: BatchReadHost): (path: string) => Promise<string | null> {
  let pending: Map<string, ((v: string | null) => void)[]> | null = null;
  const flush = (batch: Map<string, ((v: string | null) => void)[]>) => {
    const paths = [...batch.keys()];
    host.readMany(paths).then(
      (got) => paths.forEach((p, i) => batch.get(p)!.forEach((r) => r(got[i] ?? null))),
      () => batch.forEach((rs) => rs.forEach((r) => r(null))),
    );
  };
  return (path) =>
    new Promise((resolve) => {
      if (!pending) {
        const batch = new Map<string, ((v: string | null) => void)[]>();
        pending = batch;
        // After the microtasks of this turn: every check's continuation that reads has asked by then.
        setImmediate(() => {
          pending = null;
          flush(batch);
        });
      }
      const waiting = pending.get(path);
      if (waiting) waiting.push(resolve);
      else pending.set(path, [resolve]);
    });
}

/**
 * A target through the remote adapter's ToolHost (app/remote/tools.ts); `env` is the target session's. Reads
 * are batched when the host can (BatchReadHost).
 */
export function targetPlace(host: ToolHost, env: NodeJS.ProcessEnv | null): DoctorPlace {
  return {
    kind: 'target',
    where: host.where,
    read: canReadMany(host) ? coalescedRead(host) : (path) => host.read(path),
    run: (cmd, args, opts = {}) => host.run(cmd, args, opts),
    which: (cmd) => host.which(cmd),
    env,
    tools: host,
  };
}
