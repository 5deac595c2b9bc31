/**
 * Checks made before a run starts. The workload usually runs under numactl, so a missing program would
 * otherwise surface as numactl's own terse "execution of … failed" inside the log: users must see the real cause.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { RunSettings } from '../command/types';

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Human message for what prevents the workload from starting, or null when nothing does. */
export function preflightProblem(
  s: RunSettings,
  pathEnv: string | undefined = process.env.PATH,
): string | null {
  const cwd = s.cwd ? resolve(s.cwd) : process.cwd();
  if (s.cwd) {
    try {
      if (!statSync(cwd).isDirectory()) return `working directory ${cwd} is not a directory`;
    } catch {
      return `working directory ${cwd} does not exist`;
    }
  }
  const prog = s.workload[0];
  if (!prog) return 'no workload to run: give a command, e.g. python3 run.py -p fp32';
  const path = s.env.PATH ?? pathEnv ?? '';
  if (prog.includes('/')) {
    const p = isAbsolute(prog) ? prog : join(cwd, prog);
    try {
      statSync(p);
    } catch {
      return `cannot start: \`${prog}\` does not exist`;
    }
    return isExecutableFile(p) ? null : `cannot start: \`${prog}\` is not executable (permission denied)`;
  }
  for (const dir of path.split(delimiter)) {
    if (dir && isExecutableFile(join(dir, prog))) return null;
  }
  return `cannot start: \`${prog}\` not found on PATH`;
}
