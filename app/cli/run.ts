/**
 * `aio-tuner run`: the `command` options (--check, --format, --profile, --import included) plus --log, --json,
 * --timeout, --quiet, --gate, --baseline. The workload's output streams to this terminal as it arrives; the exit
 * status is the workload's (128+n for signal n, 127 when it cannot start), else 4 when a gate failed.
 */
import { resolve } from 'node:path';
import { parse, settingsFromFlags, UsageError, intFlag } from './args';
import { sourceFrom } from './topology';
import { COMMAND_OPTIONS, formatBuilt, formatFlag, NUMACTL_FORMATS, reportChecks } from './command';
import { baseSettings, MISSING_WORKLOAD } from './profiles';
import { Engine } from '../api/engine';
import { RunError } from '../run/errors';
import { exitStatusCode } from '../run';
import { untilDone } from './interrupt';
import { processEchoes } from './echo';
import { parentFolderProblem } from '../util/parentfolder';
import { outputText } from '../util/records';
import { baselineResults, GATE_FAILED, GATE_OPTIONS, gatesFromFlags, reportGates } from './gates';
import { evaluateGates, runMetric, type GateResult } from '../shared/gates';
import type { ResultSummary } from '../shared/run';
import { LLM_METRICS, LLM_UNITS } from '../shared/llm';
import type { Finding } from '../shared/findings';
import type { DoctorReport } from '../shared/doctor';
import { hostFindingsOf } from '../run/manager';

export const RUN_OPTIONS = {
  ...COMMAND_OPTIONS,
  log: { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  quiet: { type: 'boolean' },
  ...GATE_OPTIONS,
} as const;

// 3.02, 120.5, 0.0431: two decimals, one from 100 up, three significant digits below 1 (µs-scale passes).
const fixed = (v: number): string =>
  String(Number(Math.abs(v) >= 1 ? v.toFixed(Math.abs(v) >= 100 ? 1 : 2) : v.toPrecision(3)));

/** `latency mean 3.02 ms, median 3.00, p90 3.20 (95 % CI 2.98–3.06, n=400, CV 4.1 %)` for the summary line. */
export function latencyText(r: ResultSummary): string | null {
  const l = r.latencyMs;
  if (l?.mean == null && l?.median == null) return null;
  const parts = [
    l.mean != null ? `latency mean ${fixed(l.mean)} ms` : `latency median ${fixed(l.median!)} ms`,
  ];
  if (l.mean != null && l.median != null) parts.push(`median ${fixed(l.median)}`);
  if (l.p90 != null) parts.push(`p90 ${fixed(l.p90)}`);
  const st = r.latencyStats;
  const extra: string[] = [];
  // The printed summary is the result; the interval is of the per-pass mean, said when the two differ.
  if (st?.meanMs != null && l.mean != null && Math.abs(st.meanMs - l.mean) > 0.005 * Math.abs(l.mean))
    extra.push(`per-pass mean ${fixed(st.meanMs)}`);
  if (st?.ci95Ms) extra.push(`95 % CI ${fixed(st.ci95Ms[0])}–${fixed(st.ci95Ms[1])}`);
  if (r.samples) extra.push(`n=${r.samples}`);
  if (st?.cv != null) extra.push(`CV ${(st.cv * 100).toFixed(1)} %`);
  return parts.join(', ') + (extra.length ? ` (${extra.join(', ')})` : '');
}

/** The LLM metrics and runtime of results, as `run --json` adds them (nothing when the output had none). */
function llmFields(r: ResultSummary | null | undefined): Partial<ResultSummary> {
  if (!r) return {};
  const out: Partial<ResultSummary> = {};
  if (LLM_METRICS.some((k) => r[k] !== undefined)) {
    for (const k of LLM_METRICS) out[k] = r[k] ?? null;
    out.spread = r.spread ?? {};
  }
  if (r.runtime) out.runtime = r.runtime;
  return out;
}

/** `57.04 tokens/s (± 0.59), prompt 102 tokens/s, ttft 88.24 ms, 17.53 ms/token`: each with the spread printed. */
export function llmText(r: ResultSummary): string | null {
  const parts: string[] = [];
  for (const k of LLM_METRICS) {
    const v = r[k];
    if (typeof v !== 'number') continue;
    const sd = r.spread?.[k];
    const name = k === 'promptTokensPerSecond' ? 'prompt ' : k === 'ttftMs' ? 'ttft ' : '';
    parts.push(
      `${name}${fixed(v)} ${LLM_UNITS[k]}${sd ? ` (± ${fixed(sd.sd)}${sd.n ? `, n=${sd.n}` : ''})` : ''}`,
    );
  }
  return parts.length ? parts.join(', ') : null;
}

// The checks' shape (`aio-tuner: SEVERITY: CODE: MESSAGE`), with the fix's label after.
const findingLine = (f: Finding): string =>
  `aio-tuner: ${f.severity}: ${f.code}: ${f.message}${f.fix ? ` (${f.fix.label})` : ''}\n`;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, RUN_OPTIONS);
  if (positionals.length === 0 && values.profile === undefined && values.import === undefined)
    throw new UsageError(MISSING_WORKLOAD);
  const timeoutS = intFlag('timeout', values.timeout, 1);
  if (values.log !== undefined) {
    const problem = values.log === '' ? 'needs a file name' : parentFolderProblem(values.log);
    if (problem) throw new UsageError(`--log ${values.log}: ${problem}`);
  }
  const format = values.format === undefined ? null : formatFlag(values.format, NUMACTL_FORMATS);
  const gates = gatesFromFlags(values.gate, values.baseline);
  const engine = new Engine({ shell: 'browser', ...sourceFrom(values) });
  let settings, built;
  let baseline: ResultSummary | null = null;
  try {
    if (values.baseline !== undefined) baseline = baselineResults(engine.runs, values.baseline);
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
  // `undefined`: the run examines its machine itself, beside the engine probe.
  let doctor: DoctorReport | null | undefined;
  if (values.check) {
    // Same findings and exit code as `command --check`, and nothing is started when one is an error; the host
    // doctor's errors too, for the machine the run goes to (this one, or the active target).
    const commandError = reportChecks(built.checks, 'aio-tuner: ');
    doctor = await engine.runs.examineHost(settings, built);
    const hostErrors = hostFindingsOf(doctor).filter((f) => f.severity === 'error');
    for (const f of hostErrors) echo.stderr.write(findingLine(f));
    if (commandError || hostErrors.length) {
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
      ...(doctor !== undefined ? { doctor } : {}),
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
  // The host doctor's findings before the run (and in the JSON after it); errors were said already by --check.
  for (const f of info.hostFindings ?? [])
    if (!(values.check && f.severity === 'error')) echo.stderr.write(findingLine(f));
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
  // The tool could not do its job (keep the output): a runtime failure, whatever the stopped workload returned.
  const status = o.logError ? 1 : (exitStatusCode(o) ?? (interrupted || 1));
  // A failed workload's numbers decide nothing: its gates are reported, not evaluated.
  let gateResults: GateResult[] = [];
  if (gates.length)
    gateResults = evaluateGates(
      gates,
      (metric) => ({ value: runMetric(o.results, metric) }),
      (metric) => runMetric(baseline, metric),
      status === 0
        ? null
        : o.logError
          ? 'the log could not be written'
          : `the workload failed (status ${status})`,
    );
  const findings = o.findings ?? [];
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
          source: o.results?.source ?? null,
          samples: o.results?.samples ?? 0,
          ...(o.results?.samplesFrom ? { samplesFrom: o.results.samplesFrom } : {}),
          ...(o.results?.samplesDropped ? { samplesDropped: o.results.samplesDropped } : {}),
          latencyStats: o.results?.latencyStats ?? null,
          throughputStats: o.results?.throughputStats ?? null,
          // Issue 17: LLM metrics with their printed spread, and the runtime's echoed settings, when read.
          ...llmFields(o.results),
        },
        findings,
        ...(gates.length ? { gates: gateResults } : {}),
        cpuLoad: o.cpuLoad ?? null,
        engine: o.engine ?? null,
        proof: o.proof ?? null,
        runId: done.runId,
        argv: done.argv,
        env: done.env,
        ...(done.measurementEnv ? { measurementEnv: done.measurementEnv } : {}),
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
    const lat = r ? latencyText(r) : null;
    if (lat) parts.push(lat);
    const llm = r ? llmText(r) : null;
    // An LLM run's throughput is its tokens/s: said once, with its spread.
    if (r?.throughput && !(llm && r.throughput.value === r.tokensPerSecond))
      parts.push(`throughput ${r.throughput.value} ${r.throughput.unit}`);
    if (llm) parts.push(llm);
    echo.stderr.write(
      `aio-tuner: ${o.signal ? `ended by ${o.signal}` : `exit code ${o.exitCode}`} after ${(o.durationMs / 1000).toFixed(1)} s` +
        `${parts.length ? '; ' + parts.join(', ') : ''}; log: ${o.logFile}\n`,
    );
  }
  // After how the run ended: what its numbers are worth, then what the pipeline asked of them. Said like the
  // checks, with --quiet and --json too (the JSON has them as well).
  const before = new Set((info.hostFindings ?? []).map((f) => JSON.stringify(f)));
  for (const f of findings) if (!before.has(JSON.stringify(f))) echo.stderr.write(findingLine(f));
  const gateFailed = reportGates(gateResults, (line) => echo.stderr.write(line));
  return status === 0 && gateFailed ? GATE_FAILED : status;
}
