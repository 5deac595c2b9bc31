/**
 * A run's results as run.json and `run --json` keep them (ResultSummary): the numbers the output reported,
 * which format they came from, and the statistics of the run's own per-pass samples — the output's per-step
 * lines, or the RESULTS_DIR dumps when the user set RESULTS_DIR for the run (exact pass times beat printed,
 * rounded ones). The sample-based findings (noisy, too-few-samples, warmup-in-window) rest on the same values.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { ResultSummary } from '../shared/run';
import type { Finding } from '../shared/findings';
import type { LatencyStatsOut, ThroughputStatsOut } from '../shared/sweep';
import { ci95OfMean, cv } from '../shared/stats';
import { passFindings } from '../shared/validity';
import { STEP_STATS, stepLatencyStats, type LatencyStats, type RunMetrics } from './results';
import { readResultsDir, type ResultsDir } from './resultsdir';

/** Per-pass values of a run, in order, and where they come from. */
export interface PassValues {
  from: 'output' | 'results-dir';
  latencyMs: Float64Array;
  throughput: Float64Array;
  throughputUnit: string | null;
  /** Seconds the passes cover (RESULTS_DIR: first start to last finish); null: the sum of the passes. */
  measuredS: number | null;
}

/** RESULTS_DIR dumps a run wrote, read after it ended (see `runResultsDir`). */
export interface RunDumps {
  dir: ResultsDir;
  /** Per instance (one file per process): pass latencies (ms) and samples per second of each pass. */
  passes: { latencyMs: number[]; throughput: number[] }[];
  measuredS: number | null;
}

/** Mean, sd and n of values: what a confidence interval and a CV need. */
function moments(v: Float64Array): { n: number; mean: number; sd: number } {
  const n = v.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i]!;
  const mean = n ? sum / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (v[i]! - mean) * (v[i]! - mean);
  return { n, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

export function latencyStatsOf(v: Float64Array): LatencyStatsOut | null {
  if (v.length === 0) return null;
  const st = stepLatencyStats(v);
  const m = moments(v);
  return { meanMs: st.mean, medianMs: st.median, p90Ms: st.p90, ci95Ms: ci95OfMean(m), cv: cv(m) };
}

export function throughputStatsOf(v: Float64Array, unit: string | null): ThroughputStatsOut | null {
  if (v.length === 0) return null;
  const m = moments(v);
  return { value: m.mean, unit, ci95: ci95OfMean(m), cv: cv(m) };
}

/** The per-pass values a run's statistics rest on: the dumps' when there are any, else the output's steps. */
export function passValuesOf(m: RunMetrics | null, dumps: RunDumps | null): PassValues | null {
  const fromDumps = dumps?.passes.filter((p) => p.latencyMs.length > 0) ?? [];
  if (fromDumps.length > 0)
    return {
      from: 'results-dir',
      latencyMs: Float64Array.from(fromDumps.flatMap((p) => p.latencyMs)),
      throughput: Float64Array.from(fromDumps.flatMap((p) => p.throughput)),
      throughputUnit: 'samples/s',
      measuredS: dumps!.measuredS,
    };
  const s = m?.steps;
  if (!s || (s.latencyMs.length === 0 && s.throughput.length === 0)) return null;
  return {
    from: 'output',
    latencyMs: s.latencyMs,
    throughput: s.throughput,
    throughputUnit: s.throughputUnit,
    measuredS: null,
  };
}

const hasAny = (l: LatencyStats): boolean => Object.values(l).some((v) => v !== null);

/**
 * The results of a run. `source`: the output's format ('aml', 'aml-legacy', 'generic', 'generic-steps'), or
 * 'results-dir' when only the dumps had numbers. Null when neither had any.
 */
export function resultSummaryOf(m: RunMetrics | null, dumps: RunDumps | null = null): ResultSummary | null {
  const values = passValuesOf(m, dumps);
  const printed = m !== null && (hasAny(m.latencyMs) || m.throughput !== null);
  let latencyMs: LatencyStats | null = printed && hasAny(m.latencyMs) ? { ...m.latencyMs } : null;
  let throughput = printed ? m.throughput : null;
  let source: string = printed ? m.format : 'none';
  if (!printed) {
    if (values?.from !== 'results-dir') return null;
    latencyMs = stepLatencyStats(values.latencyMs);
    // One process: its own rate; several: the rate of the window where all of them were measuring.
    const d = dumps!.dir;
    const rate = d.instances.length === 1 ? d.instances[0]!.throughput : d.overlap.throughput;
    throughput = rate !== null ? { value: rate, unit: 'samples/s' } : null;
    source = 'results-dir';
  } else if (values?.from === 'results-dir' && latencyMs) {
    // The dumps' exact pass times fill what the printed summary lacks (e.g. p99 of the legacy table).
    const st = stepLatencyStats(values.latencyMs);
    for (const k of STEP_STATS) latencyMs[k] ??= st[k];
  }
  const n = values ? Math.max(values.latencyMs.length, values.throughput.length) : 0;
  return {
    latencyMs,
    throughput,
    passes: m?.passes ?? null,
    warmups: m?.warmups ?? null,
    source,
    samples: n,
    ...(values ? { samplesFrom: values.from } : {}),
    ...(m?.steps?.dropped ? { samplesDropped: m.steps.dropped } : {}),
    latencyStats: values ? latencyStatsOf(values.latencyMs) : null,
    throughputStats: values ? throughputStatsOf(values.throughput, values.throughputUnit) : null,
    ...(m?.llm ? { ...m.llm, spread: { ...m.spread } } : {}),
    ...(m?.runtime ? { runtime: m.runtime } : {}),
  };
}

/** Findings on the run's per-pass latencies (noisy, too-few-samples, warmup-in-window); none without samples. */
export function sampleFindings(m: RunMetrics | null, dumps: RunDumps | null = null): Finding[] {
  const v = passValuesOf(m, dumps);
  if (!v || v.latencyMs.length === 0) return [];
  return passFindings(Array.from(v.latencyMs), v.measuredS);
}

/**
 * RESULTS_DIR of a run when its user set it (`--set RESULTS_DIR=…`, a profile, or the environment the tool
 * was started in), resolved against the run's working directory; null when unset or removed (`--unset`).
 */
export function userResultsDir(
  env: Record<string, string>,
  unset: readonly string[],
  cwd: string,
  inherited: NodeJS.ProcessEnv = process.env,
): string | null {
  const dir = env.RESULTS_DIR ?? (unset.includes('RESULTS_DIR') ? undefined : inherited.RESULTS_DIR);
  if (!dir) return null;
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

/**
 * The dumps a run wrote into `dir`: files written since `startedMs` (a reused folder keeps earlier runs'),
 * and of those only the run's own process's (<pid>.json) when there is one, since several instances of a
 * sweep point share one folder. Null when there is none or the folder cannot be read.
 */
export async function runResultsDir(
  dir: string,
  startedMs: number,
  pid: number | null,
): Promise<RunDumps | null> {
  let all: ResultsDir;
  try {
    all = await readResultsDir(dir);
  } catch {
    return null;
  }
  const fresh = [];
  for (const inst of all.instances) {
    const st = await stat(resolve(dir, `${inst.pid}.json`)).catch(() => null);
    if (st && st.mtimeMs >= startedMs - 1000) fresh.push(inst);
  }
  const own = fresh.filter((i) => i.pid === pid);
  const used = own.length > 0 ? own : fresh;
  if (used.length === 0) return null;
  const passes = used.map((i) => i.passTimes);
  const spans = used.map((i) => i.spanS).filter((s): s is number => s !== null);
  return {
    dir: { ...all, instances: used },
    passes: passes.map((p) => ({ latencyMs: p.latencyMs, throughput: p.throughput })),
    measuredS: spans.length ? Math.max(...spans) : null,
  };
}
