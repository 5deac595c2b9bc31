/**
 * Running a program to completion, here or on another machine: the support bundle's collectors and the engine
 * probe of a run's interpreter both ask programs questions this way.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export const DEFAULT_TOOL_TIMEOUT_MS = 20_000;

export interface ToolRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** errno code when it could not start (ENOENT: not installed). */
  spawnError: NodeJS.ErrnoException | null;
}

/**
 * Another machine to run programs on (a remote target, app/remote/tools.ts): tools run and files are read there,
 * through the same formatting, so a remote bundle reads like a local one.
 */
export interface ToolHost {
  /** Named in the file headers, e.g. "ssh://me@server". */
  where: string;
  run(
    cmd: string,
    args: string[],
    opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
  ): Promise<ToolRun>;
  read(path: string): Promise<string | null>;
  which(cmd: string): Promise<string | null>;
}

const MAX_TOOL_OUTPUT = 32 * 1024 * 1024;

/**
 * Run a program to completion with a time limit. node:child_process rather than execa: execa is ESM-only and
 * this module must load from CommonJS too (tsx tests, the Electron main bundle).
 */
export function runTool(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<ToolRun> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | null = null;
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (into: Buffer[]) => (d: Buffer) => {
      // A runaway tool must not exhaust memory: keep the first MAX_TOOL_OUTPUT bytes.
      if (size < MAX_TOOL_OUTPUT) into.push(d);
      size += d.length;
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS);
    child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code,
        signal: timedOut ? null : signal,
        timedOut,
        spawnError,
      });
    });
  });
}

/** Path of an executable found on PATH, or null; no process spawned. */
export async function which(cmd: string, env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  if (cmd.includes('/')) return (await isExecutable(cmd)) ? cmd : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (await isExecutable(p)) return p;
  }
  return null;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
