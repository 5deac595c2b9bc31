/**
 * `aio-tuner run`: the `command` options (--check, --format, --profile, --import included) plus --log, --json,
 * --timeout, --quiet. The workload's output streams to
 * this terminal as it arrives; the exit status is the workload's (128+n for signal n, 127 when it cannot start).
 */
import { resolve } from 'node:path';
import { parse, settingsFromFlags, UsageError, intFlag } from './args';
import { sourceFrom } from './topology';
import { COMMAND_OPTIONS, formatBuilt, formatFlag, reportChecks } from './command';
import { baseSettings, MISSING_WORKLOAD } from './profiles';
import { Engine } from '../api/engine';
import { RunError } from '../run/errors';
import { exitStatusCode } from '../run';
import { untilDone } from './interrupt';
import { processEchoes } from './echo';
import { parentFolderProblem } from '../util/parentfolder';
import { outputText } from '../util/records';

export const RUN_OPTIONS = {
  ...COMMAND_OPTIONS,
  log: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, RUN_OPTIONS);
  if (positionals.length === 0 && values.profile === undefined && values.import === undefined)
    throw new UsageError(MISSING_WORKLOAD);
  const timeoutS = intFlag('timeout', values.timeout, 1);
  if (values.log !== undefined) {
    const problem = values.log === '' ? 'needs a file name' : parentFolderProblem(values.log);
    if (problem) throw new UsageError(`--log ${values.log}: ${problem}`);
  }
  const format = values.format === undefined ? null : formatFlag(values.format);
  const engine = new Engine({ shell: 'browser', ...sourceFrom(values) });
  let settings, built;
  try {
    const t = await engine.getTopology();
    settings = settingsFromFlags(values, positionals, t, await baseSettings(values, t, engine.profiles));
    if (settings.workload.length === 0) throw new UsageError(MISSING_WORKLOAD);
    built = await engine.buildFor(settings, values.container);
  } catch (e) {
    await engine.dispose();
    throw e;
  }
  const echo = processEchoes();
  // With --json, stdout carries only the final JSON; the workload's lines go to stderr.
  const out = values.json ? echo.stderr : echo.stdout;
  if (format !== null) echo.stderr.write(formatBuilt(built, settings, format) + '\n');
  if (values.check) {
    // Same findings and exit code as `command --check`, and nothing is started when one is an error.
    if (reportChecks(built.checks, 'aio-tuner: ')) {
      await engine.dispose();
      return 3;
    }
  } else {
    for (const c of built.checks)
      if (c.severity !== 'info') echo.stderr.write(`aio-tuner: ${c.severity}: ${c.code}: ${c.message}\n`);
  }

  let info;
  try {
    info = await engine.startRun(settings, {
      built,
      timeoutMs: timeoutS ? timeoutS * 1000 : undefined,
      logFile: values.log ? resolve(values.log) : undefined,
      // The output's own bytes, a chunk per write as `tee` would (the log has each line with its time).
      onOutput: values.quiet
        ? undefined
        : (stream, bytes) => (stream === 'stderr' && !values.json ? echo.stderr : out).write(bytes),
    });
  } catch (e) {
    if (e instanceof RunError && e.code === 'start-failed') {
      echo.stderr.write(`aio-tuner: ${e.message}\n`);
      await engine.dispose();
      return 127;
    }
    throw e;
  }
  const { result: done, interrupted } = await untilDone(
    'stopping the run (every process it started)…',
    // A hang-up is passed on (the run ends as a job of the closed terminal would, SIGHUP in run.json).
    (sig) => void engine.runs.stop(info.runId, sig === 'SIGHUP' ? 'SIGHUP' : 'SIGTERM'),
    engine.runs.waitFor(info.runId),
  );
  // Read after dispose, which tries once more to save what could not be.
  await engine.dispose();
  const unsaved = engine.runs.saveProblem(info.runId);
  const o = done.outcome!;
  if (unsaved) echo.stderr.write(`aio-tuner: ${unsaved}; this run will be missing from the history\n`);
  if (o.startError) echo.stderr.write(`aio-tuner: ${o.startError}\n`);
  if (o.connectionLost) echo.stderr.write(`aio-tuner: ${o.connectionLost}\n`);
  if (o.logError) echo.stderr.write(`aio-tuner: ${o.logError}\n`);
  // Findings are said on stderr like the checks, --quiet or not (with --json they are in the JSON).
  if (!values.json)
    for (const f of o.findings ?? [])
      echo.stderr.write(
        `aio-tuner: ${f.severity}: ${f.code}: ${f.message}${f.fix ? ` (${f.fix.label})` : ''}\n`,
      );
  if (values.json) {
    echo.stdout.write(
      outputText('run', {
        exitCode: o.exitCode,
        signal: o.signal,
        durationMs: o.durationMs,
        peakRssBytes: o.peakRssBytes,
        logFile: o.logFile,
        lines: o.lines,
        results: {
          latencyMs: o.results?.latencyMs ?? null,
          throughput: o.results?.throughput ?? null,
        },
        cpuLoad: o.cpuLoad ?? null,
        engine: o.engine ?? null,
        findings: o.findings ?? [],
        runId: done.runId,
        argv: done.argv,
        env: done.env,
        checks: done.checks.map((c) => ({ code: c.code, severity: c.severity, message: c.message })),
        ...(o.startError ? { startError: o.startError } : {}),
        ...(o.connectionLost ? { connectionLost: o.connectionLost } : {}),
        ...(o.logError ? { logError: o.logError } : {}),
        ...(done.target ? { target: done.target } : {}),
      }),
    );
  } else if (!values.quiet && !o.logError) {
    const r = o.results;
    const parts: string[] = [];
    if (r?.latencyMs?.mean != null) parts.push(`latency mean ${r.latencyMs.mean} ms`);
    if (r?.throughput) parts.push(`throughput ${r.throughput.value} ${r.throughput.unit}`);
    echo.stderr.write(
      `aio-tuner: ${o.signal ? `ended by ${o.signal}` : `exit code ${o.exitCode}`} after ${(o.durationMs / 1000).toFixed(1)} s` +
        `${parts.length ? '; ' + parts.join(', ') : ''}; log: ${o.logFile}\n`,
    );
  }
  // The tool could not do its job (keep the output): a runtime failure, whatever the stopped workload returned.
  if (o.logError) return 1;
  return exitStatusCode(o) ?? (interrupted || 1);
}
