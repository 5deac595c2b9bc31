/**
 * Proof of placement (issue 13): where a run's threads ran, where its memory landed and what the counters
 * say, recorded beside the plan they are judged against. Field names are a public contract (`run --json`
 * `proof`, `outcome.proof` in run.json, `rows[].proof` in sweeps).
 */

export interface ThreadProof {
  tid: number;
  /** The thread's name (`comm`), e.g. "python3" or "pt_main_thread". */
  name: string;
  /** The process the thread belongs to (the run's process group may hold several). */
  pid: number;
  /** User + system CPU time over the run (ms). */
  cpuTimeMs: number;
  /** CPU time attributed to each CPU it was seen on (ms), keyed by CPU id. */
  cpus: Record<string, number>;
  /** Its affinity (Cpus_allowed_list) when last seen; null when never read. */
  allowed: number[] | null;
  /**
   * Time it was runnable but waited in a run queue for a CPU (ms, /proc/…/schedstat, read about once a second):
   * what sharing a CPU costs it. Absent when the kernel does not say.
   */
  waitMs?: number;
  /**
   * Its life in the run so far (ms): from its start (stat field 22) to the last look that saw it. Busy-ness is
   * judged over it, so a worker pool started after a long model load is judged over its own life, not the
   * load's. Absent when the start or the look's clock was not read.
   */
  lifeMs?: number;
  /**
   * When it started, ms after the first look of the sampler (negative: before it, like the run's first process).
   * With `lifeMs` it says which threads lived at the same time. Present when `lifeMs` is.
   */
  startMs?: number;
}

/** A CPU the run oversubscribed, from its sampling intervals (see `RunProof.contention`). */
export interface CpuContention {
  /** Wall time (ms) of the intervals in which the run's threads on it wanted more than 1.5 CPUs' worth of it. */
  ms: number;
  /** The most CPUs' worth they wanted of it in one interval. */
  peakDemand: number;
  /** The threads that wanted it in those intervals. */
  tids: number[];
}

export interface UnavailableCounter {
  name: string;
  /** Why the machine would not count it (`<not supported>`, perf_event_paranoid, no PMU in a VM…). */
  reason: string;
}

/** Counters of `perf stat` attached to the workload. A counter the machine refused is in `unavailable`, never 0. */
export interface Counters {
  taskClockMs: number | null;
  contextSwitches: number | null;
  cpuMigrations: number | null;
  pageFaults: number | null;
  cycles?: number | null;
  instructions?: number | null;
  /** instructions / cycles, when both were counted. */
  ipc?: number | null;
  /** Any other counted event by its perf name (e.g. "l1d_cache_refill", "remote_access"). */
  events?: Record<string, number>;
  unavailable: UnavailableCounter[];
  /** Why perf did not run at all (not installed, not allowed); the software counters are then null. */
  error?: string;
}

export interface CpuFreq {
  mean: number;
  min: number;
}

export interface RunProof {
  /** Thread samples taken over the run. */
  samples: number;
  /**
   * Wall time the threads were sampled over (ms), the base of "busy" (cpuTimeMs / durationMs > 0.5). Filled by
   * the sampler; when absent, placement findings fall back to the run's duration they are given, else the busiest
   * thread's CPU time.
   */
  durationMs?: number | null;
  /** The sampler's own CPU use, in percent of one CPU, over the run. */
  samplerCpuPercent: number | null;
  threads: ThreadProof[];
  /** Resident memory of the run's processes per NUMA node (bytes), keyed by node id; {} when not read. */
  memoryByNode: Record<string, number>;
  counters: Counters | null;
  /** Each selected CPU's frequency (scaling_cur_freq, MHz) over the run; {} when the kernel exposes none. */
  cpuFreqMHz: Record<string, CpuFreq>;
  /**
   * Per CPU id: the intervals in which two or more of the run's threads on it each wanted it for at least 10 % of
   * the interval, and together for more than 1.5 CPUs' worth (they ran, or waited in its run queue: schedstat).
   * Only CPUs with such intervals appear; absent when run-queue waits were not read.
   */
  contention?: Record<string, CpuContention>;
  /** Throttling the kernel reported during the run (per CPU: count of events), when it exposes any. */
  throttle?: Record<string, number>;
}

/** What a sweep row keeps of its runs' proof. */
export interface RowProof {
  /** Threads that used more than 50 % of a CPU over the run. */
  busyThreads: number;
  /** Share (0-1) of resident memory on nodes other than those of the run's CPUs; null when not read. */
  remoteMemoryShare: number | null;
  cpuMigrations: number | null;
}

/** Live placement of a running run (event `run.proof`), for the map: per CPU, the run's threads seen there. */
export interface LivePlacement {
  runId: string;
  /** Per CPU id: the run's threads that last ran there and how busy they kept it (0-1) since the last event. */
  cpus: Record<string, { threads: { tid: number; name: string; busy: number }[]; busy: number }>;
  /** Threads seen on a CPU outside the run's selection (tids). */
  outside: number[];
  /** Resident bytes per node, when read. */
  memoryByNode: Record<string, number>;
}
