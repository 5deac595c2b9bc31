/**
 * onnxruntime_perf_test (onnxruntime/test/perftest, performance_runner.cc). Its summary:
 *   Total inference requests: 100
 *   Average inference time cost: 1.85739 ms      (`… cost total:` in recent releases, `Average time cost:` before 1.1)
 *   Number of inferences per second: 538.184      (since 1.11)
 * and with -s (the default without a result file) the percentiles of the per-run latencies, in seconds:
 *   Min Latency: 0.00183404 s … P50 / P90 / P95 / P99 / P999 Latency: … s   (`P50 Latency is 0.0587108 sec` before)
 * `Setting intra_op_num_threads to 4` echoes -x.
 */
import { emptyLatency, msOf, noLlm, NUM_RE, type RuntimeParser, type RuntimeResult } from './types';

const AVG_RE = new RegExp(
  String.raw`^Average (?:inference )?time cost(?: total)?\s*:\s*${NUM_RE}\s*(ms|s)\b`,
);
// Exactly as printed (capitals, seconds): a workload's own `p99 latency: 9 ms` stays a generic line.
const PCT_RE = new RegExp(String.raw`^(Min|Max|P50|P90|P95|P99|P999) Latency(?::| is) *${NUM_RE} *(s|sec)$`);
const IPS_RE = new RegExp(String.raw`^Number of inferences per second\s*:\s*${NUM_RE}`, 'i');
const REQUESTS_RE = /^Total (?:inference requests|iterations)\s*:\s*(\d+)/i;
const THREADS_RE = /^Setting intra_op_num_threads to (\d+)/i;

export class OnnxRuntimeParser implements RuntimeParser {
  readonly name = 'onnxruntime' as const;
  readonly words = [
    'time cost',
    'latency:',
    'latency is',
    'inferences per second',
    'total i',
    'intra_op_num_threads',
  ];
  readonly busy = false;
  private seen = false;
  private readonly lat = emptyLatency();
  private ips: number | null = null;
  private requests: number | null = null;
  private threads: number | null = null;

  feed(line: string): boolean {
    let m: RegExpExecArray | null;
    if ((m = AVG_RE.exec(line))) {
      this.lat.mean = msOf(m[1]!, m[2]!);
      this.seen = true;
      return true;
    }
    if ((m = PCT_RE.exec(line))) {
      const v = msOf(m[2]!, m[3]!);
      const k = m[1]!;
      if (k === 'Min') this.lat.min = v;
      else if (k === 'Max') this.lat.max = v;
      else if (k === 'P50') this.lat.median = v;
      else if (k === 'P90') this.lat.p90 = v;
      else if (k === 'P99') this.lat.p99 = v;
      else if (k === 'P999') this.lat['p99.9'] = v;
      // P95 has no place in the results' latency (mean, median, p90, p99, p99.9, min, max).
      this.seen = true;
      return true;
    }
    if ((m = IPS_RE.exec(line))) {
      this.ips = Number(m[1]);
      this.seen = true;
      return true;
    }
    if ((m = REQUESTS_RE.exec(line))) {
      this.requests = Number(m[1]);
      return true;
    }
    if ((m = THREADS_RE.exec(line))) {
      this.threads = Number(m[1]);
      return true;
    }
    return false;
  }

  result(): RuntimeResult | null {
    if (!this.seen) return null;
    const anyLat = Object.values(this.lat).some((v) => v !== null);
    return {
      source: 'onnxruntime',
      latencyMs: anyLat ? { ...this.lat } : null,
      throughput: this.ips === null ? null : { value: this.ips, unit: 'inferences/s' },
      llm: noLlm(),
      spread: {},
      runtime: {
        name: 'onnxruntime',
        nthreads: this.threads,
        ...(this.requests !== null ? { iterations: this.requests } : {}),
      },
    };
  }
}
