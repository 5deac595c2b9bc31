/**
 * What one runtime's own output format says: the parsers of app/run/parsers/ each read one tool's report
 * (OpenVINO benchmark_app, onnxruntime_perf_test, llama-bench, llama.cpp's timing lines). ResultsParser feeds
 * them every line and takes the first that recognised its format (README, "Which numbers a run reports").
 */
import type { LlmMetricName, LlmSpread } from '../../shared/llm';
import type { RuntimeSettings } from '../../shared/run';

export type { LlmMetricName, LlmSpread, RuntimeSettings };

/** The format names a runtime parser gives `results.source`. */
export type RuntimeFormat = 'openvino' | 'onnxruntime' | 'llama-bench' | 'llama-cpp';

export interface RuntimeLatency {
  mean: number | null;
  median: number | null;
  p90: number | null;
  p99: number | null;
  'p99.9': number | null;
  min: number | null;
  max: number | null;
}

export interface RuntimeResult {
  source: RuntimeFormat;
  /** ms; null when the tool printed no latency. */
  latencyMs: RuntimeLatency | null;
  throughput: { value: number; unit: string } | null;
  /** LLM metrics, null when not printed; their spread (sd) where the tool printed one. */
  llm: Record<LlmMetricName, number | null>;
  spread: LlmSpread;
  /** The settings the tool echoed (hint, streams, threads…). */
  runtime: RuntimeSettings;
}

export interface RuntimeParser {
  readonly name: RuntimeFormat;
  /**
   * Lower-case words one of which is on every line that starts or feeds this format: the live parser skips
   * other lines while no parser is `busy` (app/run/results.ts, Candidates).
   */
  readonly words: readonly string[];
  /** Inside a multi-line structure (a table, a JSON array): every line must be fed until it ends. */
  readonly busy: boolean;
  /** A line without ANSI colours, trimmed; '' for a blank line. True when the line was this format's. */
  feed(line: string): boolean;
  /** What was read; null when the format was never seen. */
  result(): RuntimeResult | null;
}

export const NUM_RE = String.raw`([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)`;

export function noLlm(): Record<LlmMetricName, number | null> {
  return { tokensPerSecond: null, promptTokensPerSecond: null, ttftMs: null, msPerToken: null };
}

export function emptyLatency(): RuntimeLatency {
  return { mean: null, median: null, p90: null, p99: null, 'p99.9': null, min: null, max: null };
}

export const TIME_TO_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  us: 0.001,
  µs: 0.001,
  ns: 1e-6,
};

/** A printed time in ms; 12 significant digits, so `0.00183404 s` is 1.83404 ms and not 1.8340400000000001. */
export function msOf(value: string, unit: string): number {
  return Number((Number(value) * TIME_TO_MS[unit.toLowerCase()]!).toPrecision(12));
}
