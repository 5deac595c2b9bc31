/**
 * Shapes of a sweep: what the user asks for (SweepSpec), the points it expands to, the rows it produces and the
 * record kept in history. Row field names are a public contract (`aio-tuner sweep --json`, CSV): add, never rename.
 */
import type { RunSettings } from './command';
import type { EngineInfo, Finding } from './findings';
import type { SampleSummary } from './stats';
import type { RowProof } from './proof';
import type { LlmMetricName, LlmSpread } from './llm';

export type Placement = 'compact' | 'spread';

/** Names of the built-in precision variants. */
export const BUILTIN_VARIANTS = ['fp32', 'fp16', 'int8', 'int8-fc', 'off'] as const;
export type BuiltinVariant = (typeof BUILTIN_VARIANTS)[number];

/** A user-defined variant: a name and the variables it sets (null = removed from the environment). */
export interface CustomVariant {
  name: string;
  env: Record<string, string | null>;
}

export interface SweepSpec {
  /** The base run: selection (the CPUs the sweep picks from; empty = every usable core), workload, env. */
  settings: RunSettings;
  /** Threads per instance: a list, or 'doubling' = 1, 2, 4, … up to the selection (its size included). */
  threads: number[] | 'doubling';
  /** One placement, or a list to sweep (a single value is what older records and `--placement X` hold). */
  placement: Placement | Placement[];
  /** Variant names, built-in or from `customVariants`, in the order they are run. */
  variants: string[];
  customVariants: CustomVariant[];
  /** Instance counts K (streams); each instance gets `threads` CPUs of its own. */
  instances: number[];
  /**
   * Batch sizes written into the workload's own `-b`/`--batch_size`; null = the workload as given. A workload
   * without such a flag is run as given (the plan says so) rather than handed a flag it may not know.
   */
  batches: number[] | null;
  repeat: number;
  /**
   * Repeat a configuration until the means of its last two repetitions agree within this many percent, at
   * most `repeat` times (the CLI makes that 10 when only --until-stable is given). Absent: exactly `repeat`.
   */
  untilStablePct?: number;
  /** Smallest difference (percent) worth recommending over, beside statistical significance; default 2. */
  practicalPct?: number;
  /** Per-run time limit in seconds; none when absent. */
  timeoutS?: number;
  /** Latency budget for the "best within budget" recommendation. */
  latencyBudgetMs?: number;
  /**
   * An LLM metric of the runs' results to rank by as well (`--metric`): its own card (`best.metric`), with the
   * same statistics as latency (repetitions' means, or the spread the tool printed) and the same test.
   */
  metric?: LlmMetricName;
}

/** One measurement to make: a configuration and which repetition of it. */
export interface SweepPoint {
  /** 0-based position in the plan. */
  index: number;
  threads: number;
  instances: number;
  cores: number;
  placement: Placement;
  variant: string;
  batch: number | null;
  /** 1-based repetition. */
  repeat: number;
  /** CPUs of each instance, in binding order. */
  cpus: number[][];
}

export interface InstanceRow {
  runId: string;
  logFile: string;
  cpus: number[];
  exitCode: number | null;
  latencyMs: number | null;
  throughput: number | null;
  /** Measured passes of this instance (RESULTS_DIR dump, else the output's count). */
  passes: number | null;
  /** Cpus_allowed_list seen on the running process: proof of where it was bound; null when not observed. */
  boundCpus: number[] | null;
  pid: number | null;
}

export interface SweepRow {
  i: number;
  threads: number;
  instances: number;
  cores: number;
  placement: Placement;
  variant: string;
  batch: number | null;
  repeat: number;
  /** Mean latency (ms); with several instances the mean of their means. */
  latencyMs: number | null;
  latencyP90Ms: number | null;
  /** Samples per second; with several instances only passes inside the common window count. */
  throughput: number | null;
  throughputUnit: string | null;
  exitCode: number | null;
  logFile: string;
  runId: string;
  durationMs: number;
  /** Exact shell line(s) for this configuration, measurement-only variables (RESULTS_DIR) left out. */
  commands: string[];
  /** Per-instance detail, present when instances > 1. */
  instanceRuns?: InstanceRow[];
  /** The common window of a multi-instance run; null when not measurable (no RESULTS_DIR dumps). */
  overlap?: { windowS: number; passes: number } | null;
  /** Why the row has no numbers, when it is known (start failure, FAIL line…). */
  error?: string;
  /** True when the row was not run (it cannot bind on this machine); `error` says why, no run id nor log. */
  skipped?: boolean;
  /** Warning and error findings of the checks on this row's command(s), as a single run would show them. */
  checks?: RowCheck[];
  /**
   * This row's per-pass latencies (ms) summarized: RESULTS_DIR dumps, else the per-step lines of the output; for
   * several instances all their passes together. Null or absent when the run gave none.
   */
  samples?: SampleSummary | null;
  /** Validity and noise findings about this row's measurement (noisy, busy-machine, warmup-in-window…). */
  findings?: Finding[];
  /** Placement evidence of the row's run(s) in brief (issue 13); absent when none was taken. */
  proof?: RowProof;
  /**
   * LLM metrics of the run (issue 17), when its output printed them: one instance's as printed; several
   * instances' tokens/s summed, their ms metrics averaged.
   */
  tokensPerSecond?: number | null;
  promptTokensPerSecond?: number | null;
  ttftMs?: number | null;
  msPerToken?: number | null;
  /** The spread the tool printed with them (one instance only). */
  spread?: LlmSpread;
}

/** Latency statistics of one configuration (ms). */
export interface LatencyStatsOut {
  meanMs: number | null;
  medianMs: number | null;
  p90Ms: number | null;
  /** 95 % confidence interval of the mean (Student's t); null when it cannot be computed (one value). */
  ci95Ms: [number, number] | null;
  /** Coefficient of variation of the values the statistics come from (see `basis`). */
  cv: number | null;
}

export interface ThroughputStatsOut {
  value: number | null;
  unit: string | null;
  ci95: [number, number] | null;
  cv: number | null;
}

/** One configuration of a sweep (all its repetitions together), as `sweep --json` `configs[]` reports it. */
export interface ConfigStats {
  threads: number;
  instances: number;
  cores: number;
  placement: Placement;
  variant: string;
  batch: number | null;
  /** Successful runs (repetitions) of this configuration. */
  runs: number;
  runIds: string[];
  /** "samples": one run's per-pass values; "repeats": the means of two or more repetitions. */
  basis: 'samples' | 'repeats';
  latencyStats: LatencyStatsOut;
  throughputStats: ThroughputStatsOut;
  /** Findings about this configuration's numbers (noisy, too-few-samples…). */
  findings?: Finding[];
  /** The statistics of the sweep's `--metric`, when it has one and this configuration printed it. */
  metricStats?: MetricStatsOut;
}

/** A ranked LLM metric of one configuration: mean, 95 % interval, CV and how many values they rest on. */
export interface MetricStatsOut {
  metric: LlmMetricName;
  value: number | null;
  unit: string;
  ci95: [number, number] | null;
  cv: number | null;
  /** Repetitions, or the tool's own repetitions behind one run's printed spread; null when unknown. */
  n: number | null;
}

/** A check finding on a sweep row's command (app/command/checks), without its one-click fix. */
export interface RowCheck {
  code: string;
  severity: 'warning' | 'error';
  message: string;
}

export interface Recommendation {
  threads: number;
  instances: number;
  cores: number;
  placement: Placement;
  variant: string;
  batch: number | null;
  /** Means over the configuration's successful repetitions. */
  latencyMs: number | null;
  throughput: number | null;
  perCore: number | null;
  repeats: number;
  /** Ready to paste: one line for one instance; for several, one line per instance ending in `&`, then `wait`. */
  command: string;
  commands: string[];
  runIds: string[];
  /** Index into the record's `configs`. */
  config: number;
  /** True when this configuration beats every other one significantly (test and practical threshold). */
  significant: boolean;
  /** The sweep's `--metric` value of this configuration (mean over its repetitions); absent without one. */
  metricValue?: number | null;
  /** Configurations (indices into `configs`, itself excluded) it cannot be told apart from. */
  tiedWith: number[];
}

export interface SweepBest {
  latency: Recommendation | null;
  throughput: Recommendation | null;
  perCore: Recommendation | null;
  /** Best throughput per core among configurations whose mean latency meets the budget. */
  withinBudget: Recommendation | null;
  budgetMs: number | null;
  /** Best by the sweep's `--metric` (highest tokens/s, lowest ms); absent when the sweep ranks by none. */
  metric?: Recommendation | null;
  metricName?: LlmMetricName;
}

export interface HostInfo {
  /** This machine's name, or the remote target's own (`uname -n`). */
  hostname: string;
  /** The remote target the sweep ran on (canonical URL, as its runs are tagged); absent for this machine. */
  target?: string;
  model: string | null;
  arch: string | null;
  cpus: number;
  nodes: number;
}

export type SweepState = 'running' | 'done' | 'cancelled' | 'failed';

export interface SweepRecord {
  sweepId: string;
  createdAt: string;
  finishedAt: string | null;
  state: SweepState;
  spec: SweepSpec;
  host: HostInfo;
  /** Points planned (rows when nothing is cancelled). */
  planned: number;
  /** Configurations left out, with the reason (e.g. more cores than selected). */
  skipped: string[];
  /** Warnings about the plan (a dimension that cannot apply); absent in records written before they existed. */
  notes?: string[];
  rows: SweepRow[];
  /** One entry per configuration with at least one successful row, in plan order. */
  configs?: ConfigStats[];
  best: SweepBest;
  /** Findings about the whole sweep (engine-absent, tied recommendations…). */
  findings?: Finding[];
  /** The Ampere engine probe of the sweep's interpreter; null when the workload is not Python. */
  engine?: EngineInfo | null;
  /** When the sweep was resumed (`--resume`), one time per resumption. */
  resumedAt?: string[];
  error?: string;
}

export interface SweepProgress {
  sweepId: string;
  /** Points finished so far. */
  i: number;
  n: number;
  elapsedMs: number;
  /** Estimated time left; null until one point has finished. */
  etaMs: number | null;
  /** The point now running (absent when the sweep has ended). */
  current?: Omit<SweepPoint, 'cpus'> | null;
  /** Warning and error findings of the checks on the point now running (absent when there are none). */
  checks?: RowCheck[];
  /** The row that just finished. */
  row?: SweepRow;
}
