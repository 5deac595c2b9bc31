/**
 * Proof of placement of one run (issue 13): the collector the RunManager starts with a run and stops when it
 * ends. Local runs: the /proc sampler (sampler.ts) plus `perf stat` counters (perf.ts). Remote runs (SSH/Docker):
 * remote.ts over the samples the target streams (its RemoteLaunch's `proof`), started on the group id the target
 * reports.
 */
import type { LivePlacement, RunProof } from '../../shared/proof';
import { startCounters } from './perf';
import { ProofSampler } from './sampler';

export interface ProofOptions {
  /** The CPUs the run is bound to; empty = not bound. */
  cpus: readonly number[];
  /** Live placement about once a second (the manager adds the runId and emits `run.proof`). */
  onLive?: (live: Omit<LivePlacement, 'runId'>) => void;
}

export interface ProofCollector {
  /** End sampling and counting; never throws. */
  stop(): Promise<RunProof>;
}

/** Starts a collector for a run whose leader (= process group id, for a local run) is `pid`. */
export type StartProof = (pid: number, opts: ProofOptions) => ProofCollector | null;

/** The local collector: the /proc sampler and the counters, both attached to the run's leader. */
export const startLocalProof: StartProof = (pid, opts) => {
  const sampler = new ProofSampler(pid, { cpus: opts.cpus, onLive: opts.onLive }).start();
  let counters: ReturnType<typeof startCounters> = null;
  try {
    counters = startCounters(pid, { cpus: opts.cpus });
  } catch {
    counters = null; // counters are extra evidence: their failure must not stop the run's proof
  }
  return {
    async stop() {
      const sampled = sampler.stop();
      let c: RunProof['counters'] = null;
      if (counters) {
        try {
          c = await counters.stop();
        } catch (e) {
          c = {
            taskClockMs: null,
            contextSwitches: null,
            cpuMigrations: null,
            pageFaults: null,
            unavailable: [],
            error: (e as Error).message,
          };
        }
      }
      return { ...sampled, counters: c };
    },
  };
};

/**
 * The collector for a run's target: `remote` false = this machine. A remote run's collector starts on the process
 * group id its target reports (remote.ts, through the launch's `proof` stream): null here = not this one.
 */
export function collectorFor(target: { remote: boolean }): StartProof | null {
  return target.remote ? null : startLocalProof;
}

/**
 * A collector for a run whose leader pid is not known yet (the runner spawns it a moment after `startRun`
 * returns): it starts as soon as `pidOf()` names one, looked at every few milliseconds until `ended` settles.
 * `stop` gives null when the run never had a pid (its start failed).
 */
export function whenStarted(
  pidOf: () => number | null,
  ended: Promise<unknown>,
  start: StartProof,
  opts: ProofOptions,
): { stop(): Promise<RunProof | null> } {
  let collector: ProofCollector | null = null;
  let over = false;
  void ended.finally(() => (over = true));
  const look = (): void => {
    if (over) return;
    const pid = pidOf();
    if (pid !== null) collector = start(pid, opts);
    else setTimeout(look, 2).unref();
  };
  look();
  return {
    async stop() {
      over = true;
      return collector ? collector.stop() : null;
    },
  };
}
