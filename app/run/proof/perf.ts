/**
 * Counters for a run (issue 13): `perf stat` attached to the workload's process, without changing its argv or
 * exit code. Placeholder until the counters land: no session, so `proof.counters` stays null.
 */
import type { Counters } from '../../shared/proof';

export interface CounterSession {
  /** End counting and read what perf counted; never throws (a failure is `error` / `unavailable`). */
  stop(): Promise<Counters>;
}

export interface CounterOptions {
  /** CPUs the run is bound to (for per-CPU events); empty = not bound. */
  cpus: readonly number[];
}

export function startCounters(_pid: number, _opts: CounterOptions): CounterSession | null {
  return null;
}
