/**
 * The core run types: what a run is (RunInfo), how it ended (RunOutcome) and its log lines. Shared by the engine
 * (app/run/ writes them, app/history/ reads them) and the UI.
 */
import type { Check, RunSettings } from './command';
import type { EngineInfo, Finding } from './findings';
import type { RunProof } from './proof';
import type { LatencyStatsOut, ThroughputStatsOut } from './sweep';
import type { LlmSpread } from './llm';

/** One CPU's share of a run's load: mean (time-weighted) and peak busy fraction. */
export interface CpuLoadSummary {
  cpu: number;
  mean: number;
  peak: number;
}

export type Level = 'error' | 'warning' | 'info' | 'debug' | 'trace';
export const LEVELS: Level[] = ['error', 'warning', 'info', 'debug', 'trace'];

export interface LogLine {
  /** 1-based line number in the log. */
  n: number;
  stream: 'stdout' | 'stderr' | null;
  /** ms since the run started; null for imported logs without times. */
  t: number | null;
  text: string;
  level: Level;
  truncated?: boolean;
}

export interface ResultSummary {
  latencyMs: {
    mean: number | null;
    median: number | null;
    p90: number | null;
    p99: number | null;
    'p99.9': number | null;
    /** Only where the tool printed them (OpenVINO benchmark_app, onnxruntime_perf_test). */
    min?: number | null;
    max?: number | null;
  } | null;
  throughput: { value: number; unit: string } | null;
  passes?: number | null;
  warmups?: number | null;
  /**
   * Which output format the numbers were read from: 'aml', 'aml-legacy', 'generic' (summary lines),
   * 'generic-steps' (per-step lines only, the numbers computed from them), 'results-dir' (only the RESULTS_DIR
   * dumps had numbers).
   */
  source?: string;
  /** How many per-pass values the distribution comes from (0 when only a summary was printed). */
  samples?: number;
  /** Where the per-pass values come from: the output's per-step lines, or the RESULTS_DIR dumps. */
  samplesFrom?: 'output' | 'results-dir';
  /** Per-step values past the parser's cap (1,000,000 of each kind), not in the statistics. */
  samplesDropped?: number;
  /** Statistics of the run's own per-pass samples; absent when it printed none. */
  latencyStats?: LatencyStatsOut | null;
  throughputStats?: ThroughputStatsOut | null;
  /**
   * LLM metrics (issue 17), present when the output printed them (llama-bench, llama.cpp timing lines):
   * generation and prompt processing tokens per second, time to first token (the prompt eval time) and ms per
   * generated token.
   */
  tokensPerSecond?: number | null;
  promptTokensPerSecond?: number | null;
  ttftMs?: number | null;
  msPerToken?: number | null;
  /** The spread the tool printed beside an LLM metric (llama-bench's ±: a standard deviation). */
  spread?: LlmSpread;
  /** The settings the runtime echoed (OpenVINO's hint, streams and threads…); absent for other formats. */
  runtime?: RuntimeSettings | null;
}

/** What a runtime echoed about how it ran. `name` is the results' `source`. */
export interface RuntimeSettings {
  name: string;
  /** OpenVINO: PERFORMANCE_HINT (LATENCY, THROUGHPUT…). */
  hint?: string | null;
  /** OpenVINO: NUM_STREAMS. */
  nstreams?: number | null;
  /** OpenVINO INFERENCE_NUM_THREADS, onnxruntime's intra_op_num_threads, llama-bench's threads. */
  nthreads?: number | null;
  /** Measured iterations (benchmark_app's Count, onnxruntime_perf_test's requests). */
  iterations?: number;
  durationMs?: number;
  /** llama-bench: every test of the report. */
  tests?: {
    test: string;
    kind: 'pp' | 'tg' | 'other';
    tokensPerSecond: number;
    sd: number | null;
    n: number | null;
    threads: number | null;
  }[];
  /** llama.cpp timing lines: tokens of the prompt and generated; requests when a server printed several. */
  promptTokens?: number;
  generatedTokens?: number;
  requests?: number;
}

export interface RunOutcome {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  peakRssBytes: number | null;
  logFile: string;
  lines: number;
  startError?: string;
  /** Stopped because the run's time limit passed. */
  timedOut?: boolean;
  /** Stopped on request (Stop button, Ctrl-C, app quit). */
  stopped?: boolean;
  results: ResultSummary | null;
  /** Remote runs: the connection to the target was lost before the end was reported (the log so far is kept). */
  connectionLost?: string;
  /** The log could not be written (disk full…): the workload was stopped; the log holds what fit. */
  logError?: string;
  /**
   * Where the run's load went: every CPU of the target, its mean (time-weighted) and peak busy fraction while the
   * run went, closing with a sample taken at exit so even a short run is seen. Null when no sample was taken
   * (absent on runs saved before it existed).
   */
  cpuLoad?: CpuLoadSummary[] | null;
  /** Validity and noise findings about this run (engine-absent, noisy, busy-machine, cpus-in-use…). */
  findings?: Finding[];
  /** The Ampere engine probe of the run's interpreter; null when the workload is not Python. */
  engine?: EngineInfo | null;
  /** Where the run's threads ran, its memory landed and what the counters said (issue 13); null when not taken. */
  proof?: RunProof | null;
}

export interface RunInfo {
  runId: string;
  logId: string;
  logFile: string;
  startedAt: string;
  argv: string[];
  env: Record<string, string>;
  settings: RunSettings;
  checks: Check[];
  state: 'running' | 'exited';
  outcome: RunOutcome | null;
  target?: string;
  /** Where a run on this machine really ran (settings.cwd, else the engine's own directory then). */
  cwd?: string;
  /**
   * Variables the tool added for measuring only, not part of the command (`env`): RESULTS_DIR in the run's own
   * folder when the run names none, so AML workloads write their per-pass times (local runs).
   */
  measurementEnv?: Record<string, string>;
  /**
   * The host doctor's error and warning findings on the machine the run went to, known as it started (issue 14;
   * shown while it runs). The same findings open `outcome.findings` once it has ended. Absent: none, or not examined.
   */
  hostFindings?: Finding[];
}
