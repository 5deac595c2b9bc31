import { parse, sourceOptions, settingsOptions, settingsFromFlags, UsageError } from './args';
import { sourceFrom } from './topology';
import { baseOptions, baseSettings, MISSING_WORKLOAD } from './profiles';
import { Engine } from '../api/engine';
import type { BuiltCommand, Check, RunSettings } from '../command';
import { outputText } from '../util/records';
import { LAUNCHERS, launcherFor, launcherInput } from '../command/launchers';
import { probeRunCpuSpelling, runCpuInterpreter } from '../command/launchers/runcpu-probe';
import type { Topology } from '../shared/topology';

/** The numactl forms, then every launcher's (issue 17: taskset, docker-cpuset, systemd-run, run_cpu, omp, …). */
export const NUMACTL_FORMATS: readonly string[] = [
  'bash',
  'script',
  'docker-run',
  'docker-exec',
  'env',
  'json',
];
export const FORMATS: readonly string[] = [...NUMACTL_FORMATS, ...LAUNCHERS.map((l) => l.format)];
export type Format = string;

/** Options of `command`; `run` accepts all of them too (issue 4: "the command options plus …"). */
export const COMMAND_OPTIONS = {
  ...sourceOptions,
  ...baseOptions,
  ...settingsOptions,
  format: { type: 'string' },
  check: { type: 'boolean' },
  container: { type: 'string' },
} as const;

/** `allowed`: `run` echoes only the forms of what it runs (numactl's), never another launcher's. */
export function formatFlag(v: string | undefined, allowed: readonly string[] = FORMATS): Format {
  const format = (v ?? 'bash') as Format;
  if (!allowed.includes(format))
    throw new UsageError(`--format must be one of ${allowed.join('|')}, got "${v}"`);
  return format;
}

/** The built command in one of its text forms, without a trailing newline. */
export function formatBuilt(built: BuiltCommand, settings: RunSettings, format: Format): string {
  switch (format) {
    case 'json':
      return outputText('command', {
        argv: built.argv,
        env: built.env,
        unset: built.unset,
        shell: built.shell,
        cwd: settings.cwd,
        engine: settings.engine ?? 'aio',
        checks: built.checks.map((c) => ({
          code: c.code,
          severity: c.severity,
          message: c.message,
          ...(c.fix ? { fix: c.fix } : {}),
        })),
      }).replace(/\n$/, '');
    case 'script':
      return built.script.replace(/\n$/, '');
    case 'docker-run':
      return built.dockerRun;
    case 'docker-exec':
      return built.dockerExec;
    case 'env':
      return built.envFile.replace(/\n$/, '');
    case 'bash':
      return built.shell;
    default:
      return built.launchers?.[format]?.text ?? built.shell;
  }
}

/** `--check`: every finding on stderr (stdout stays the command); true when one has severity error (exit 3). */
export function reportChecks(checks: readonly Check[], prefix = ''): boolean {
  for (const c of checks) process.stderr.write(`${prefix}${c.severity}: ${c.code}: ${c.message}\n`);
  return checks.some((c) => c.severity === 'error');
}

export async function commandCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, COMMAND_OPTIONS);
  const format = formatFlag(values.format);
  if (positionals.length === 0 && values.profile === undefined && values.import === undefined)
    throw new UsageError(MISSING_WORKLOAD);
  // Through the engine, as `run` and the window: with --target the map and numactl are the target's.
  const engine = new Engine({ shell: 'browser', ...sourceFrom(values) });
  let settings, built, t: Topology;
  try {
    t = await engine.getTopology();
    const base = await baseSettings(values, t, engine.profiles);
    settings = settingsFromFlags(values, positionals, t, base);
    if (settings.workload.length === 0) throw new UsageError(MISSING_WORKLOAD);
    built = await engine.buildFor(settings, values.container);
  } finally {
    await engine.dispose();
  }
  if (format === 'run_cpu' && values.target === undefined) await respellRunCpu(built, settings, t);
  process.stdout.write(formatBuilt(built, settings, format) + '\n');
  // What the launcher cannot express goes beside the command, never into it.
  for (const limit of built.launchers?.[format]?.limits ?? []) process.stderr.write(`limit: ${limit}\n`);
  if (values.check) return reportChecks(built.checks) ? 3 : 0;
  // A command that cannot work must not look fine: errors are shown even unasked (the exit code is still 0).
  reportChecks(built.checks.filter((c) => c.severity === 'error'));
  return 0;
}

/**
 * run_cpu's flags as the workload's own interpreter spells them: its `--help` is read (seconds: it imports
 * torch), so only when that form is asked for. Not on a --target (the interpreter is there).
 */
async function respellRunCpu(built: BuiltCommand, settings: RunSettings, t: Topology): Promise<void> {
  const spelling = await probeRunCpuSpelling(runCpuInterpreter(settings.workload));
  if (spelling === null || built.launchers === undefined) return;
  const launcher = launcherFor('run_cpu')!;
  const input = launcherInput(settings, t, { runCpuSpelling: spelling });
  built.launchers.run_cpu = { text: launcher.render(input), limits: launcher.limits(input) };
}
