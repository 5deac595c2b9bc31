import { parse, sourceOptions, settingsOptions, settingsFromFlags, UsageError } from './args';
import { sourceFrom } from './topology';
import { baseOptions, baseSettings, MISSING_WORKLOAD } from './profiles';
import { Engine } from '../api/engine';
import type { BuiltCommand, Check, RunSettings } from '../command';
import { outputText } from '../util/records';

export const FORMATS = ['bash', 'script', 'docker-run', 'docker-exec', 'env', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** Options of `command`; `run` accepts all of them too (issue 4: "the command options plus …"). */
export const COMMAND_OPTIONS = {
  ...sourceOptions,
  ...baseOptions,
  ...settingsOptions,
  format: { type: 'string' },
  check: { type: 'boolean' },
  container: { type: 'string' },
} as const;

export function formatFlag(v: string | undefined): Format {
  const format = (v ?? 'bash') as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join('|')}, got "${v}"`);
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
    default:
      return built.shell;
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
  let settings, built;
  try {
    const t = await engine.getTopology();
    const base = await baseSettings(values, t, engine.profiles);
    settings = settingsFromFlags(values, positionals, t, base);
    if (settings.workload.length === 0) throw new UsageError(MISSING_WORKLOAD);
    built = await engine.buildFor(settings, values.container);
  } finally {
    await engine.dispose();
  }
  process.stdout.write(formatBuilt(built, settings, format) + '\n');
  if (values.check) return reportChecks(built.checks) ? 3 : 0;
  // A command that cannot work must not look fine: errors are shown even unasked (the exit code is still 0).
  reportChecks(built.checks.filter((c) => c.severity === 'error'));
  return 0;
}
