/**
 * Where the doctor looks: this machine, a dump below a directory, or a target, behind one interface, so every
 * check is written once. A dump has files but no programs and no environment: checks that need them are skipped
 * with "not checkable from a dump".
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
    read: (path) => readOrNull(join(dir, path)),
    run: () => null,
    which: () => Promise.resolve(null),
    env: null,
  };
}

/** A target through the remote adapter's ToolHost (app/remote/tools.ts); `env` is the target session's. */
export function targetPlace(host: ToolHost, env: NodeJS.ProcessEnv | null): DoctorPlace {
  return {
    kind: 'target',
    where: host.where,
    read: (path) => host.read(path),
    run: (cmd, args, opts = {}) => host.run(cmd, args, opts),
    which: (cmd) => host.which(cmd),
    env,
    tools: host,
  };
}
