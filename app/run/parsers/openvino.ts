/**
 * OpenVINO's benchmark_app (C++ and Python; samples/cpp/benchmark_app, tools/benchmark_tool). Its report, every
 * line after a `[ INFO ]` tag:
 *   Count:            88488 iterations
 *   Duration:         15003.02 ms
 *   Latency:
 *      Median:        1.85 ms          (or `99 percentile: …` with -latency_percentile 99)
 *      Average:       1.85 ms
 *      Min:           1.17 ms
 *      Max:           8.69 ms
 *   Throughput:   5898.01 FPS
 * and, in step 8 ("Querying optimal runtime parameters"), the settings the device chose: PERFORMANCE_HINT,
 * NUM_STREAMS, INFERENCE_NUM_THREADS (what `-hint`, `-nstreams`, `-nthreads` set, or their defaults).
 * Releases before 2022 printed `Latency:    13.02 ms` on one line: read as the median, which it was.
 */
import { emptyLatency, msOf, noLlm, NUM_RE, type RuntimeParser, type RuntimeResult } from './types';

const TAG_RE = /^\[\s*(?:INFO|WARNING|WARN|ERROR)\s*\]\s*/;
const STAT_RE = new RegExp(
  String.raw`^(Median|Average|AVG|Min|Max|(\d+(?:\.\d+)?)\s*percentile)\s*:\s*${NUM_RE}\s*(ms|us|µs|s)\b`,
  'i',
);
const LAT_LINE_RE = new RegExp(String.raw`^Latency\s*:\s*(?:${NUM_RE}\s*(ms|us|µs|s)\b)?\s*$`, 'i');
const THR_RE = new RegExp(String.raw`^Throughput\s*:\s*${NUM_RE}\s*(FPS|fps)\b`);
const COUNT_RE = /^Count\s*:\s*(\d+)\s*iterations/i;
const DURATION_RE = new RegExp(String.raw`^Duration\s*:\s*${NUM_RE}\s*ms`, 'i');
const SETTING_RE = /^(PERFORMANCE_HINT|NUM_STREAMS|INFERENCE_NUM_THREADS)\s*:\s*(\S+)/;

export class OpenVinoParser implements RuntimeParser {
  readonly name = 'openvino' as const;
  readonly words = [
    'latency:',
    'throughput',
    'performance_hint',
    'num_streams',
    'inference_num_threads',
    'count:',
    'duration:',
  ];
  private inLatency = false;
  private seen = false;
  private readonly lat = emptyLatency();
  private thr: number | null = null;
  private hint: string | null = null;
  private nstreams: number | null = null;
  private nthreads: number | null = null;
  private count: number | null = null;
  private durationMs: number | null = null;

  get busy(): boolean {
    return this.inLatency;
  }

  feed(raw: string): boolean {
    const tagged = TAG_RE.test(raw);
    const line = raw.replace(TAG_RE, '').trim();
    let m: RegExpExecArray | null;
    if (this.inLatency) {
      if ((m = STAT_RE.exec(line))) {
        const v = msOf(m[3]!, m[4]!);
        const k = m[1]!.toLowerCase();
        if (k === 'median') this.lat.median = v;
        else if (k === 'average' || k === 'avg') this.lat.mean = v;
        else if (k === 'min') this.lat.min = v;
        else if (k === 'max') this.lat.max = v;
        else {
          const p = Number(m[2]);
          if (p === 50) this.lat.median = v;
          else if (p === 90) this.lat.p90 = v;
          else if (p === 99) this.lat.p99 = v;
          else if (p === 99.9) this.lat['p99.9'] = v;
        }
        this.seen = true;
        return true;
      }
      this.inLatency = false;
    }
    // Only tagged lines: a workload's own `Latency: 3 ms` stays a generic line.
    if (!tagged) return false;
    if ((m = LAT_LINE_RE.exec(line))) {
      if (m[1] !== undefined) {
        this.lat.median = msOf(m[1]!, m[2]!);
        this.seen = true;
      } else this.inLatency = true;
      return true;
    }
    if ((m = THR_RE.exec(line))) {
      this.thr = Number(m[1]);
      this.seen = true;
      return true;
    }
    if ((m = COUNT_RE.exec(line))) {
      this.count = Number(m[1]);
      return true;
    }
    if ((m = DURATION_RE.exec(line))) {
      this.durationMs = Number(m[1]);
      return true;
    }
    if ((m = SETTING_RE.exec(line))) {
      const v = m[2]!;
      if (m[1] === 'PERFORMANCE_HINT') this.hint = v.replace(/^PerformanceMode\./, '');
      else if (/^\d+$/.test(v)) {
        if (m[1] === 'NUM_STREAMS') this.nstreams = Number(v);
        else this.nthreads = Number(v);
      }
      return true;
    }
    return false;
  }

  result(): RuntimeResult | null {
    if (!this.seen) return null;
    const anyLat = Object.values(this.lat).some((v) => v !== null);
    return {
      source: 'openvino',
      latencyMs: anyLat ? { ...this.lat } : null,
      throughput: this.thr === null ? null : { value: this.thr, unit: 'FPS' },
      llm: noLlm(),
      spread: {},
      runtime: {
        name: 'openvino',
        hint: this.hint,
        nstreams: this.nstreams,
        nthreads: this.nthreads,
        ...(this.count !== null ? { iterations: this.count } : {}),
        ...(this.durationMs !== null ? { durationMs: this.durationMs } : {}),
      },
    };
  }
}
