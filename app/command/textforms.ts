/**
 * The text forms shared by the builder and the launchers (app/command/launchers): a bash line, a script and the
 * docker commands, each from the same plan and argv so they cannot drift apart.
 */
import type { EnvPlan } from './plan';
import { shellAssignment, shellJoin, shellQuote } from '../shared/quote';

export const DEFAULT_IMAGE = 'amperecomputingai/pytorch:latest';

/**
 * One bash line. Plain `KEY=value cmd` prefixes when nothing is unset; `env -u NAME … KEY=value cmd` otherwise,
 * since bash prefixes cannot remove a variable. `env` would take a command whose name contains "=" for one more
 * assignment, so that rare case uses a subshell with `unset` and `exec` instead.
 */
export function shellForm(plan: EnvPlan, argv: readonly string[], cwd: string | null): string {
  const cd = cwd !== null ? `cd -- ${shellQuote(cwd)} && ` : '';
  const assigns = Object.entries(plan.env).map(([k, v]) => shellAssignment(k, v));
  if (plan.unset.length === 0) return cd + [...assigns, shellJoin(argv)].filter((x) => x !== '').join(' ');
  if (argv[0]?.includes('=')) {
    const inner = [`unset ${plan.unset.join(' ')}`, [...assigns, 'exec', shellJoin(argv)].join(' ')];
    return `(${cd}${inner.join('; ')})`;
  }
  const env = ['env', ...plan.unset.flatMap((n) => ['-u', n])];
  if (argv[0]?.startsWith('-') && assigns.length === 0) env.push('--');
  return cd + [...env, ...assigns, shellJoin(argv)].filter((x) => x !== '').join(' ');
}

/** A standalone bash script that sets up the environment and replaces itself with the command. */
export function scriptForm(plan: EnvPlan, argv: readonly string[], cwd: string | null): string {
  const lines = ['#!/usr/bin/env bash', '# Built by AIO Tuner.', 'set -euo pipefail'];
  if (cwd !== null) lines.push(`cd -- ${shellQuote(cwd)}`);
  for (const [k, v] of Object.entries(plan.env)) lines.push(`export ${shellAssignment(k, v)}`);
  for (const name of plan.unset) lines.push(`unset ${name}`);
  if (argv.length === 0) lines.push('# (no command to run)');
  else lines.push(`exec ${argv[0]!.startsWith('-') ? '-- ' : ''}${shellJoin(argv)}`);
  return lines.join('\n') + '\n';
}

/**
 * docker run/exec with `-e` flags. Docker cannot remove a variable the image defines, so unsets go through
 * `env -u` inside the container (or `sh -c 'unset …; exec "$@"'` when the command's name contains "=", which
 * `env` would read as one more assignment). numactl binding inside a container needs `--privileged=true`.
 */
export function dockerForm(
  head: string[],
  plan: EnvPlan,
  argv: readonly string[],
  workdir: string[],
  target: string,
): string {
  const words = head.map(shellQuote);
  for (const [k, v] of Object.entries(plan.env)) words.push('-e', shellAssignment(k, v));
  words.push(...workdir);
  words.push(shellQuote(target));
  if (plan.unset.length > 0 && argv[0]?.includes('=')) {
    words.push('sh', '-c', shellQuote(`unset ${plan.unset.join(' ')}; exec "$@"`), 'sh');
  } else if (plan.unset.length > 0) {
    words.push('env', ...plan.unset.flatMap((n) => ['-u', n]));
    if (argv[0]?.startsWith('-')) words.push('--');
  }
  if (argv.length > 0) words.push(shellJoin(argv));
  return words.join(' ');
}

/**
 * A fresh container has none of this machine's files: `docker run` mounts the working directory at the same
 * path and starts there (-w), so a relative workload path (`python3 run.py`) exists inside. Without a working
 * directory that is the shell's own ("$PWD", expanded where the line is pasted); a relative one is taken from
 * there. `-v` cannot carry a path with ":" (its separator), so such a literal path uses `--mount`, whose
 * fields are CSV (quoted when they hold "," or a double quote).
 */
export function dockerRunWorkdir(cwd: string | null): string[] {
  if (cwd === null) return ['-v', '"$PWD:$PWD"', '-w', '"$PWD"'];
  if (!cwd.startsWith('/')) {
    const dir = `"$PWD"/${shellQuote(cwd)}`;
    return ['-v', `"$PWD"/${shellQuote(cwd + ':')}${dir}`, '-w', dir];
  }
  if (!cwd.includes(':')) return ['-v', shellQuote(`${cwd}:${cwd}`), '-w', shellQuote(cwd)];
  const csv = (field: string) => (/[",\n\r]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
  const mount = ['type=bind', csv(`source=${cwd}`), csv(`target=${cwd}`)].join(',');
  return ['--mount', shellQuote(mount), '-w', shellQuote(cwd)];
}
