/**
 * The collector of a run on a target (SSH/Docker, issue 13). The target samples its own /proc (app/remote/
 * proof.ts, one sh loop over the shared connection) and hands back samples already read with procfs.ts; this
 * keeps them as the local sampler keeps its own: the same ThreadTally, the same live event, the same RunProof.
 * What differs: the clock of the live events is the target's uptime (this machine's clock would add the
 * connection's delays to each interval), the sampler's cost is the target's (samplerCpuPercent null), no
 * counters (perf is not run on targets), no frequency. This file is the port app/remote implements.
 */
import type { LivePlacement, RunProof } from '../../shared/proof';
import type { TaskStat } from './procfs';
import type { ProofCollector, ProofOptions } from './index';
import { ThreadTally, withContention } from './threads';

export interface RemoteTask extends TaskStat {
  pid: number;
  allowed: number[] | null;
  /** Time runnable but waiting in a run queue so far (schedstat), ms; absent when the kernel has no schedstat. */
  waitMs?: number;
}

export interface RemoteProofSample {
  /** The target's uptime when the sample ended (s): the clock to measure intervals on, not this machine's. */
  uptime: number;
  tasks: RemoteTask[];
  /** Resident bytes per node of the group, on the samples that read numa_maps; absent on the others. */
  memoryByNode?: Map<number, number>;
}

/** Streams samples of the process group `pgid` on the target until stop(); never throws. */
export type RemoteProofStream = (pgid: number, onSample: (s: RemoteProofSample) => void) => { stop(): void };

export const REMOTE_LIVE_S = 1;

/** Accumulates a target's samples into a RunProof (pure: a test can feed it recorded samples). */
export class RemoteProofTally {
  private readonly tally = new ThreadTally();
  private readonly selected: Set<number>;
  private readonly outside = new Set<number>();
  private memory = new Map<number, number>();
  private samples = 0;
  private lastLive: number | null = null;
  private lastUptime: number | null = null;

  constructor(private readonly opts: ProofOptions) {
    this.selected = new Set(opts.cpus);
  }

  add(s: RemoteProofSample): void {
    for (const t of s.tasks) {
      this.tally.observe(t.pid, t, Number.isFinite(s.uptime) ? s.uptime : null);
      if (t.allowed) this.tally.setAllowed(t.tid, t.allowed);
      if (t.waitMs !== undefined) this.tally.setWait(t.tid, t.waitMs);
      if (this.selected.size && !this.selected.has(t.processor)) this.outside.add(t.tid);
    }
    // The last look at a live group is what counts: once it has exited the target has nothing to read.
    if (s.memoryByNode && s.memoryByNode.size > 0) this.memory = s.memoryByNode;
    if (s.tasks.length > 0) this.samples++;
    if (!Number.isFinite(s.uptime)) return;
    this.tally.closeInterval(this.lastUptime === null ? 0 : (s.uptime - this.lastUptime) * 1000);
    this.lastUptime = s.uptime;
    if (this.lastLive === null) this.lastLive = s.uptime;
    else if (this.opts.onLive && s.uptime - this.lastLive >= REMOTE_LIVE_S) this.emitLive(s.uptime);
  }

  private memoryRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [node, bytes] of [...this.memory].sort((a, b) => a[0] - b[0])) out[String(node)] = bytes;
    return out;
  }

  private emitLive(uptime: number): void {
    const spanMs = Math.max(1, (uptime - this.lastLive!) * 1000);
    this.lastLive = uptime;
    const cpus: LivePlacement['cpus'] = {};
    for (const t of this.tally.takeLive()) {
      const c = (cpus[String(t.cpu)] ??= { threads: [], busy: 0 });
      const busy = Math.min(1, t.ms / spanMs);
      c.threads.push({ tid: t.tid, name: t.name, busy });
      c.busy = Math.min(1, c.busy + busy);
    }
    this.opts.onLive!({ cpus, outside: [...this.outside], memoryByNode: this.memoryRecord() });
  }

  result(durationMs: number): RunProof {
    return {
      samples: this.samples,
      durationMs: Math.round(durationMs),
      // The loop's cost is the target's CPU, which this machine does not measure.
      samplerCpuPercent: null,
      threads: this.tally.result(),
      ...withContention(this.tally.contentionResult()),
      memoryByNode: this.memoryRecord(),
      counters: null,
      cpuFreqMHz: {},
    };
  }
}

/**
 * A collector over a target's stream, started once the target reported the run's process group. Its duration
 * is the time from then to stop() on this machine: the run's wall time, as for a local run.
 */
export function startRemoteProof(
  stream: RemoteProofStream,
  pgid: number,
  opts: ProofOptions,
): ProofCollector {
  const tally = new RemoteProofTally(opts);
  const startedAt = performance.now();
  const session = stream(pgid, (s) => tally.add(s));
  return {
    stop() {
      session.stop();
      return Promise.resolve(tally.result(performance.now() - startedAt));
    },
  };
}
