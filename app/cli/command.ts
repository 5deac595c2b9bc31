import { parse, sourceOptions, settingsOptions, settingsFromFlags, UsageError } from './args';
import { sourceFrom } from './topology';
import { loadTopology } from '../topology';
import { buildCommand } from '../command';
import { numactlStatus } from '../system/numactl';

const FORMATS = ['bash', 'script', 'docker-run', 'docker-exec', 'env', 'json'] as const;

export async function commandCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...sourceOptions,
    ...settingsOptions,
    format: { type: 'string' },
    check: { type: 'boolean' },
    container: { type: 'string' },
  });
  const format = (values.format ?? 'bash') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join('|')}, got "${values.format}"`);
  if (positionals.length === 0)
    throw new UsageError('missing workload: put it after --, e.g. -- python3 run.py -p fp32');
  const t = await loadTopology(sourceFrom(values));
  const settings = settingsFromFlags(values, positionals, t);
  const numactl = await numactlStatus();
  const built = buildCommand(settings, t, {
    numactlAvailable: numactl.available,
    container: values.container,
  });

  let out: string;
  switch (format) {
    case 'json':
      out = JSON.stringify(
        {
          argv: built.argv,
          env: built.env,
          unset: built.unset,
          shell: built.shell,
          cwd: settings.cwd,
          checks: built.checks.map((c) => ({
            code: c.code,
            severity: c.severity,
            message: c.message,
            ...(c.fix ? { fix: c.fix } : {}),
          })),
        },
        null,
        2,
      );
      break;
    case 'script':
      out = built.script.replace(/\n$/, '');
      break;
    case 'docker-run':
      out = built.dockerRun;
      break;
    case 'docker-exec':
      out = built.dockerExec;
      break;
    case 'env':
      out = built.envFile.replace(/\n$/, '');
      break;
    default:
      out = built.shell;
  }
  process.stdout.write(out + '\n');
  if (values.check) {
    // Human-readable findings go to stderr so stdout stays the command itself.
    for (const c of built.checks) process.stderr.write(`${c.severity}: ${c.code}: ${c.message}\n`);
    if (built.checks.some((c) => c.severity === 'error')) return 3;
  }
  return 0;
}
