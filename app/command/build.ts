/**
 * Turns RunSettings into what actually runs (argv + environment) and into the text forms a user copies:
 * a bash line, a script, docker run/exec commands and env files. Every text form is generated from the same
 * argv/env, so they cannot drift apart.
 */
import type { Topology } from '../shared/topology';
import { runChecks } from './checks';
import { planFor } from './plan';
import { LAUNCHERS, launcherInput, renderLaunchers, type RunCpuSpelling } from './launchers';
import { formatDotenv, formatEnvFile, shellQuote } from '../shared/quote';
import { DEFAULT_IMAGE, dockerForm, dockerRunWorkdir, scriptForm, shellForm } from './textforms';
import type { BuiltCommand, RunSettings } from '../shared/command';

export { DEFAULT_IMAGE, scriptForm, shellForm };
export const DEFAULT_CONTAINER = 'aio';

export interface BuildOptions {
  /** Whether numactl exists where the command will run; undefined = unknown (no numactl-missing check). */
  numactlAvailable?: boolean;
  /** Image for the `docker run` form. */
  image?: string;
  /** Container name for the `docker exec` form (a placeholder the user replaces). */
  container?: string;
  /** run_cpu flag spelling from the interpreter's --help (launchers/runcpu-probe.ts); undefined = not known. */
  runCpuSpelling?: RunCpuSpelling;
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
      launchers: Object.fromEntries(LAUNCHERS.map((l) => [l.format, { text, limits: [] }])),
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
    launchers: renderLaunchers(
      launcherInput(s, t, {
        ...(opts.image !== undefined ? { image: opts.image } : {}),
        ...(opts.runCpuSpelling !== undefined ? { runCpuSpelling: opts.runCpuSpelling } : {}),
      }),
    ),
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
