/**
 * Measuring one sweep point: its instance(s) go through the RunManager like any run (own log, own history
 * entry); several instances start together and their RESULTS_DIR dumps give per-instance latency and the
 * throughput of the window where all of them were measuring.
 */
import { mkdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { combinedRowProof, planOf } from '../run/proof/findings';
import type { Topology } from '../shared/topology';
import type { BuiltCommand, RunSettings } from '../shared/command';
import type { RunManager, StartOptions } from '../run/manager';
import type { ResultSummary, RunInfo } from '../shared/run';
import { LLM_HIGHER_BETTER, LLM_METRICS } from '../shared/llm';
import { hostBindingProblem } from '../run/preflight';
import { exitStatusCode, ResultsParser, readResultsDir, type ResultsDir } from '../run';
import { readLogBatches } from '../logs/logfile';
import { instanceSettings, withoutMeasurementVars } from './plan';
import { findInstances, watchInstances, type FoundInstance, type RemoteResults } from './procs';
import type { InstanceRow, RowCheck, SweepPoint, SweepRow, SweepSpec } from '../shared/sweep';
import type { Finding } from '../shared/findings';
import { summarize, type SampleSummary } from '../shared/stats';
import { passFindings } from '../shared/validity';
import { readPasses, type InstancePasses } from './passes';
import { ConnectionLostError } from './errors';

export interface MeasureContext {
  runs: RunManager;
  build(s: RunSettings): Promise<BuiltCommand>;
  topology: Topology;
  timeoutMs?: number;
  /** Runs go to a remote target: RESULTS_DIRs are made, watched and read there. */
  remote?: RemoteResults;
  /** Called with the run ids as soon as they started, so a cancel can stop them. */
  onStarted(runIds: string[]): void;
  /**
   * What every point's runs carry: the sweep's one engine probe (made before the first point, so no run probes
   * during a measurement) and the sweep id (instances of one point are not "other work" to each other).
   */
  start?: Pick<StartOptions, 'engine' | 'sweepId'>;
}

const avg = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

function statusOf(info: RunInfo): number | null {
  const o = info.outcome;
  return o ? exitStatusCode(o) : null;
}

/**
 * Why a run has no usable numbers: its first FAIL line (AML's way of saying why), else the last line it wrote
 * to stderr (a Python traceback ends with the exception), else how it ended.
 */
async function failureOf(info: RunInfo): Promise<string | undefined> {
  const o = info.outcome;
  if (!o) return undefined;
  if (o.startError) return o.startError;
  if (o.exitCode === 0 && o.results) return undefined;
  const parser = new ResultsParser();
  let lastErr: string | null = null;
  try {
    for await (const batch of readLogBatches(info.logFile))
      for (const rec of batch) {
        parser.feed(rec.text);
        if (rec.stream === 'stderr' && rec.text.trim() !== '') lastErr = rec.text.trim();
      }
  } catch {
    // the log is unreadable: fall back to the exit status
  }
  const failures = parser.result().failures;
  const how = o.signal
    ? `ended by ${o.signal}`
    : o.exitCode === 0
      ? 'no results in the output'
      : `exit code ${o.exitCode}`;
  if (failures.length) return failures[0];
  return lastErr ? `${how}: ${lastErr.slice(0, 300)}` : how;
}

function baseRow(
  p: SweepPoint,
): Omit<
  SweepRow,
  | 'latencyMs'
  | 'latencyP90Ms'
  | 'throughput'
  | 'throughputUnit'
  | 'exitCode'
  | 'logFile'
  | 'runId'
  | 'durationMs'
  | 'commands'
> {
  return {
    i: p.index,
    threads: p.threads,
    instances: p.instances,
    cores: p.cores,
    placement: p.placement,
    variant: p.variant,
    batch: p.batch,
    repeat: p.repeat,
  };
}

async function startAll(ctx: MeasureContext, settings: RunSettings[]): Promise<RunInfo[]> {
  const built = await Promise.all(settings.map((s) => ctx.build(s)));
  const started: RunInfo[] = [];
  try {
    for (let i = 0; i < settings.length; i++)
      started.push(ctx.runs.start(settings[i]!, built[i]!, { ...ctx.start, timeoutMs: ctx.timeoutMs }));
  } catch (e) {
    // One instance could not start: the others would measure a different setting than planned.
    await Promise.all(started.map((r) => ctx.runs.stop(r.runId).catch(() => undefined)));
    throw e;
  }
  ctx.onStarted(started.map((r) => r.runId));
  return started;
}

/** What is known about a point before it runs: its commands, their check findings, whether it can bind here. */
export interface PreparedPoint {
  /** Shell line per instance, measurement-only variables left out (what a user copies). */
  commands: string[];
  /** Warning and error findings over all instances, each once. */
  checks: RowCheck[];
  /** Why this point cannot bind on this machine (CPUs or nodes it lacks), or null. */
  bindProblem: string | null;
}

/**
 * Build a point's commands and decide whether it can run here. A point that cannot bind is particular to its
 * CPUs (a sysroot or import of a bigger machine, a CPU gone offline): it is skipped, the others still run.
 * Runs on a target are left to the target, which refuses them itself.
 */
export async function preparePoint(
  ctx: Pick<MeasureContext, 'build' | 'topology' | 'remote'>,
  spec: SweepSpec,
  p: SweepPoint,
): Promise<PreparedPoint> {
  const settings = instanceSettings(spec, ctx.topology, p, null);
  const built = await Promise.all(settings.map((s) => ctx.build(withoutMeasurementVars(s))));
  const checks = new Map<string, RowCheck>();
  for (const b of built)
    for (const c of b.checks)
      if (c.severity !== 'info')
        checks.set(`${c.code}\n${c.message}`, { code: c.code, severity: c.severity, message: c.message });
  let bindProblem: string | null = null;
  if (!ctx.remote) for (const b of built) bindProblem ??= hostBindingProblem(b.argv);
  return { commands: built.map((b) => b.shell), checks: [...checks.values()], bindProblem };
}

/** The row of a point that was not run, with the reason. */
export function skippedRow(p: SweepPoint, prep: PreparedPoint, reason: string): SweepRow {
  return {
    ...baseRow(p),
    latencyMs: null,
    latencyP90Ms: null,
    throughput: null,
    throughputUnit: null,
    exitCode: null,
    logFile: '',
    runId: '',
    durationMs: 0,
    commands: prep.commands,
    error: reason,
    skipped: true,
    ...(prep.checks.length ? { checks: prep.checks } : {}),
  };
}

export async function measurePoint(
  ctx: MeasureContext,
  spec: SweepSpec,
  p: SweepPoint,
  resultsDir: string | null,
  prepared?: PreparedPoint,
): Promise<SweepRow> {
  const t0 = performance.now();
  const prep = prepared ?? (await preparePoint(ctx, spec, p));
  const multi = p.instances > 1;
  if (resultsDir) await mkdir(resultsDir, { recursive: true });
  // On a target the instances write their dumps there: they get a directory of the target's, copied back
  // into `resultsDir` once they end, so what follows reads the same files as for a local point.
  const remote = resultsDir ? ctx.remote : undefined;
  const runDir = remote ? await remote.create() : resultsDir;
  const settings = instanceSettings(spec, ctx.topology, p, runDir);
  let fetchError: string | undefined;
  const commands = prep.commands;
  let done: RunInfo[];
  let found: Map<string, FoundInstance>;
  try {
    const expected = settings.map((s) => s.cpus.join(' '));
    const watch =
      multi && runDir
        ? watchInstances(runDir, expected, 200, remote ? (d) => remote.find(d) : findInstances)
        : null;
    let infos: RunInfo[];
    try {
      infos = await startAll(ctx, settings);
    } catch (e) {
      watch?.stop();
      throw e; // a run that cannot start would fail every point alike: the sweep ends with this reason
    }
    done = await Promise.all(infos.map((i) => ctx.runs.waitFor(i.runId)));
    found = watch?.stop() ?? new Map<string, FoundInstance>();
    if (remote && runDir && resultsDir)
      await remote.fetch(runDir, resultsDir).catch((e: unknown) => {
        fetchError = `RESULTS_DIR dumps not fetched: ${(e as Error).message}`;
      });
  } finally {
    if (remote && runDir) await remote.remove(runDir).catch(() => undefined);
  }
  const lost = done.find((d) => d.outcome?.connectionLost)?.outcome?.connectionLost;
  if (lost) throw new ConnectionLostError(lost);
  const durationMs = Math.round(performance.now() - t0);
  const statuses = done.map(statusOf);
  const exitCode = statuses.find((s) => s !== 0) ?? 0;
  const error = (await Promise.all(done.map(failureOf))).find((x) => x !== undefined) ?? fetchError;
  const common = {
    ...baseRow(p),
    exitCode,
    logFile: done[0]!.logFile,
    runId: done[0]!.runId,
    durationMs,
    commands,
    ...(error ? { error } : {}),
    ...(prep.checks.length ? { checks: prep.checks } : {}),
  };
  const passes = resultsDir ? await readPasses(resultsDir) : [];
  const proof = combinedRowProof(
    done.flatMap((d) =>
      d.outcome?.proof
        ? [{ proof: d.outcome.proof, plan: planOf(d.settings, ctx.topology, d.outcome.durationMs) }]
        : [],
    ),
  );
  const measured = {
    samples: rowSamples(done, passes),
    findings: rowFindings(done, passes),
    ...(proof ? { proof } : {}),
  };
  if (!multi) {
    const r = done[0]!.outcome?.results;
    return {
      ...common,
      ...measured,
      ...llmOfOne(r),
      latencyMs: r?.latencyMs?.mean ?? null,
      latencyP90Ms: r?.latencyMs?.p90 ?? null,
      throughput: r?.throughput?.value ?? null,
      throughputUnit: r?.throughput?.unit ?? null,
    };
  }
  const dumps = resultsDir ? await readResultsDir(resultsDir).catch(() => null) : null;
  const instanceRuns = instanceRows(done, settings, found, dumps);
  const overlap = dumps?.overlap;
  const overlapOk =
    overlap && overlap.throughput !== null && overlap.windowStart !== null && overlap.windowEnd !== null;
  // Without dumps (a workload that ignores RESULTS_DIR) the best available total is the sum of what each printed.
  const parsedSum = instanceRuns.every((r) => r.throughput !== null)
    ? instanceRuns.reduce((a, r) => a + r.throughput!, 0)
    : null;
  return {
    ...common,
    ...measured,
    ...llmOfMany(done.map((d) => d.outcome?.results)),
    latencyMs: avg(instanceRuns.map((r) => r.latencyMs)),
    latencyP90Ms: avg(
      instanceRuns.map((r) => {
        const d = dumps?.instances.find((x) => x.pid === r.pid);
        return d?.latencyMs.p90 ?? null;
      }),
    ),
    throughput: overlapOk ? overlap.throughput : parsedSum,
    throughputUnit: overlapOk ? 'samples/s' : (done[0]!.outcome?.results?.throughput?.unit ?? null),
    instanceRuns,
    overlap: overlapOk
      ? { windowS: overlap.windowEnd! - overlap.windowStart!, passes: overlap.passes }
      : null,
  };
}

/** A run's LLM metrics for its row, as printed with their spread; nothing when it printed none. */
function llmOfOne(r: ResultSummary | null | undefined): Partial<SweepRow> {
  if (!r || !LLM_METRICS.some((k) => typeof r[k] === 'number')) return {};
  const out: Partial<SweepRow> = {};
  for (const k of LLM_METRICS) out[k] = r[k] ?? null;
  if (r.spread && Object.keys(r.spread).length) out.spread = r.spread;
  return out;
}

/** Several instances: their tokens per second add up (they ran at once); their times are averaged. */
function llmOfMany(rs: (ResultSummary | null | undefined)[]): Partial<SweepRow> {
  if (!rs.some((r) => r && LLM_METRICS.some((k) => typeof r[k] === 'number'))) return {};
  const out: Partial<SweepRow> = {};
  for (const k of LLM_METRICS) {
    const v = rs.map((r) => r?.[k] ?? null);
    const all = v.every((x): x is number => typeof x === 'number');
    out[k] = !all ? null : LLM_HIGHER_BETTER[k] ? v.reduce((a, b) => a + b, 0) : avg(v);
  }
  return out;
}

/** Per-instance rows: dumps are matched to instances by the pid seen running with that instance's CPUs. */
function instanceRows(
  done: RunInfo[],
  settings: RunSettings[],
  found: Map<string, FoundInstance>,
  dumps: ResultsDir | null,
): InstanceRow[] {
  const unclaimed = [...(dumps?.instances ?? [])];
  const rows = done.map((info, k) => {
    const seen = found.get(settings[k]!.cpus.join(' ')) ?? null;
    const di = seen ? unclaimed.findIndex((d) => d.pid === seen.pid) : -1;
    const dump = di >= 0 ? unclaimed.splice(di, 1)[0]! : null;
    return { info, k, seen, dump };
  });
  // Dumps whose process was never caught running (a very short run): hand them out in start order.
  for (const r of rows) if (!r.dump && !r.seen && unclaimed.length) r.dump = unclaimed.shift()!;
  return rows.map(({ info, k, seen, dump }) => {
    const res = info.outcome?.results;
    return {
      runId: info.runId,
      logFile: info.logFile,
      cpus: [...settings[k]!.cpus],
      exitCode: statusOf(info),
      latencyMs: dump?.latencyMs.mean ?? res?.latencyMs?.mean ?? null,
      throughput: dump?.throughput ?? res?.throughput?.value ?? null,
      passes: dump?.passes ?? res?.passes ?? null,
      boundCpus: seen?.allowed ?? null,
      pid: seen?.pid ?? dump?.pid ?? null,
    };
  });
}

/**
 * The row's per-pass latencies summarized: the RESULTS_DIR dumps (several instances: all their passes together),
 * else the run's own per-step values as its results parsed them (one instance), else null.
 */
function rowSamples(done: RunInfo[], passes: InstancePasses[]): SampleSummary | null {
  if (passes.length) return summarize(passes.flatMap((x) => x.passesMs));
  if (done.length !== 1) return null;
  const r = done[0]!.outcome?.results;
  const st = r?.latencyStats;
  const n = r?.samples ?? 0;
  if (!st || st.meanMs === null || n < 1) return null;
  return {
    n,
    mean: st.meanMs,
    sd: n < 2 ? 0 : (st.cv ?? 0) * Math.abs(st.meanMs),
    median: st.medianMs ?? st.meanMs,
    p90: st.p90Ms ?? st.meanMs,
    p99: r?.latencyMs?.p99 ?? st.p90Ms ?? st.meanMs,
  };
}

/** Validity findings of each instance's ordered passes, then those the runs recorded; each code once. */
function rowFindings(done: RunInfo[], passes: InstancePasses[]): Finding[] {
  const all = [
    ...passes.flatMap((x) => passFindings(x.passesMs, null)),
    ...done.flatMap((d) => d.outcome?.findings ?? []),
  ];
  const seen = new Set<string>();
  return all.filter((f) => !seen.has(f.code) && (seen.add(f.code), true));
}
