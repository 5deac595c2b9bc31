/**
 * Turns RunSettings into what actually runs (argv + environment) and into the text forms a user copies:
 * a bash line, a script, docker run/exec commands and env files. Every text form is generated from the same
 * argv/env, so they cannot drift apart.
 */
import type { Topology } from '../shared/topology';
import { runChecks } from './checks';
import { planFor, type EnvPlan } from './plan';
import { formatDotenv, formatEnvFile, shellAssignment, shellJoin, shellQuote } from '../shared/quote';
import type { BuiltCommand, RunSettings } from '../shared/command';

export const DEFAULT_IMAGE = 'amperecomputingai/pytorch:latest';
export const DEFAULT_CONTAINER = 'aio';

export interface BuildOptions {
  /** Whether numactl exists where the command will run; undefined = unknown (no numactl-missing check). */
  numactlAvailable?: boolean;
  /** Image for the `docker run` form. */
  image?: string;
  /** Container name for the `docker exec` form (a placeholder the user replaces). */
  container?: string;
}

export interface Built extends BuiltCommand {
  /** `KEY=value` lines with bash quoting (dotenv-like, exact when sourced by bash). */
  dotenv: string;
}

export function buildCommand(s: RunSettings, t: Topology | null, opts: BuildOptions = {}): Built {
  const plan = planFor(s, t);
  const { argv } = plan;
  const checks = runChecks(s, t, { numactlAvailable: opts.numactlAvailable, plan });
  const base = { argv, env: plan.env, unset: plan.unset, checks };
  const nul = nulProblem(s);
  if (nul !== null) {
    // No text can carry a NUL; an explanatory comment is safer than a command that runs with another value.
    const text = `# cannot build this command: ${nul}`;
    return {
      ...base,
      shell: text,
      script: text + '\n',
      dockerRun: text,
      dockerExec: text,
      envFile: text + '\n',
      dotenv: text + '\n',
    };
  }
  return {
    ...base,
    shell: shellForm(plan, argv, s.cwd),
    script: scriptForm(plan, argv, s.cwd),
    dockerRun: dockerForm(
      ['docker', 'run', '--rm', '-it', '--privileged=true', '--network', 'host'],
      plan,
      argv,
      dockerRunWorkdir(s.cwd),
      opts.image ?? DEFAULT_IMAGE,
    ),
    dockerExec: dockerForm(
      ['docker', 'exec', '-it'],
      plan,
      argv,
      s.cwd !== null ? ['-w', shellQuote(s.cwd)] : [],
      opts.container ?? DEFAULT_CONTAINER,
    ),
    envFile: formatEnvFile(plan.env, plan.unset),
    dotenv: formatDotenv(plan.env, plan.unset),
  };
}

function nulProblem(s: RunSettings): string | null {
  if (s.workload.some((a) => a.includes('\0'))) return 'a workload argument contains a NUL character';
  if (s.cwd?.includes('\0')) return 'the working directory contains a NUL character';
  for (const [name, value] of Object.entries(s.env)) {
    if (value?.includes('\0')) return `the value of ${name} contains a NUL character`;
  }
  return null;
}

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
function dockerForm(
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
function dockerRunWorkdir(cwd: string | null): string[] {
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
