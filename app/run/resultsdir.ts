/**
 * RESULTS_DIR dumps: with RESULTS_DIR=<dir>, AML writes <dir>/<pid>.json every few seconds holding, per measured
 * pass (warm-ups excluded), `start_times` and `finish_times` (seconds, time.time()) and `workload_size`
 * (samples in that pass). Multi-process runs produce one file per process.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { LatencyStats } from './results';
import { percentileOfSorted } from '../shared/stats';

const DumpSchema = z.object({
  start_times: z.array(z.number()),
  finish_times: z.array(z.number()),
  workload_size: z.array(z.number()),
});
export type PassDump = z.infer<typeof DumpSchema>;

export interface InstanceResults {
  pid: number;
  passes: number;
  samples: number;
  latencyMs: LatencyStats;
  /** Samples per second over the instance's own span (first start → last finish). */
  throughput: number | null;
  /** Each pass, in order: its latency (ms) and its samples per second (workload_size / duration). */
  passTimes: { latencyMs: number[]; throughput: number[] };
  /** Seconds from the first start to the last finish; null without passes. */
  spanS: number | null;
}

export interface OverlapResult {
  /** Total samples per second of all instances together, counting only passes inside the common window. */
  throughput: number | null;
  windowStart: number | null;
  windowEnd: number | null;
  /** Passes counted (inside the window), all instances together. */
  passes: number;
  samples: number;
}

export interface ResultsDir {
  instances: InstanceResults[];
  overlap: OverlapResult;
  /** Files that could not be used (e.g. caught mid-write), with the reason. */
  skipped: { file: string; reason: string }[];
}

/** Percentile with linear interpolation between closest ranks (numpy's default, which AML uses). */
export const percentile = percentileOfSorted;

export function latencyStats(latenciesMs: readonly number[]): LatencyStats {
  const s = [...latenciesMs].sort((x, y) => x - y);
  return {
    mean: s.length ? s.reduce((x, y) => x + y, 0) / s.length : null,
    median: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    'p99.9': percentile(s, 99.9),
  };
}

function passCount(d: PassDump): number {
  // A dump caught between appends can have one list longer than the others: use the complete passes only.
  return Math.min(d.start_times.length, d.finish_times.length, d.workload_size.length);
}

export function instanceResults(pid: number, d: PassDump): InstanceResults {
  const n = passCount(d);
  const lat: number[] = [];
  const thr: number[] = [];
  let samples = 0;
  for (let i = 0; i < n; i++) {
    const s = d.finish_times[i]! - d.start_times[i]!;
    lat.push(s * 1000);
    if (s > 0) thr.push(d.workload_size[i]! / s);
    samples += d.workload_size[i]!;
  }
  const span = n > 0 ? d.finish_times[n - 1]! - d.start_times[0]! : 0;
  return {
    pid,
    passes: n,
    samples,
    latencyMs: latencyStats(lat),
    throughput: span > 0 ? samples / span : null,
    passTimes: { latencyMs: lat, throughput: thr },
    spanS: n > 0 ? span : null,
  };
}

/**
 * Aggregate throughput of instances running side by side. Instances start and finish at different moments
 * (model load, compilation), and while some are idle the others run faster on a quieter machine; only the
 * window where every instance was measuring reflects the contended steady state, so only passes entirely inside
 * [latest first start, earliest last finish] count.
 */
// Timestamps are floats from time.time(); a pass ending exactly at the window edge must not drop out by 1 ulp.
const EPS_S = 1e-6;

export function overlapThroughput(instances: readonly PassDump[]): OverlapResult {
  const none: OverlapResult = { throughput: null, windowStart: null, windowEnd: null, passes: 0, samples: 0 };
  if (instances.length === 0) return none;
  let ws = -Infinity;
  let we = Infinity;
  for (const d of instances) {
    const n = passCount(d);
    if (n === 0) return none;
    ws = Math.max(ws, d.start_times[0]!);
    we = Math.min(we, d.finish_times[n - 1]!);
  }
  if (!(we > ws)) return { ...none, windowStart: ws, windowEnd: we };
  let passes = 0;
  let samples = 0;
  for (const d of instances) {
    const n = passCount(d);
    for (let i = 0; i < n; i++) {
      if (d.start_times[i]! >= ws - EPS_S && d.finish_times[i]! <= we + EPS_S) {
        passes++;
        samples += d.workload_size[i]!;
      }
    }
  }
  return {
    throughput: passes > 0 ? samples / (we - ws) : null,
    windowStart: ws,
    windowEnd: we,
    passes,
    samples,
  };
}

/** Read every <pid>.json of a RESULTS_DIR (other files, e.g. AML's meta_<pid>.json, are ignored). */
export async function readResultsDir(dir: string): Promise<ResultsDir> {
  const names = (await readdir(dir)).filter((n) => /^\d+\.json$/.test(n)).sort();
  const instances: InstanceResults[] = [];
  const dumps: PassDump[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const parsed = DumpSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (!parsed.success) {
        skipped.push({ file, reason: 'not a RESULTS_DIR dump (start_times/finish_times/workload_size)' });
        continue;
      }
      dumps.push(parsed.data);
      instances.push(instanceResults(Number(name.slice(0, -5)), parsed.data));
    } catch (e) {
      skipped.push({ file, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return { instances, overlap: overlapThroughput(dumps), skipped };
}
