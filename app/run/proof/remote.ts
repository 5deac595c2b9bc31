/**
 * The collector of a run on a target (SSH/Docker, issue 13). The target samples its own /proc (app/remote/
 * proof.ts, one sh loop over the shared connection) and hands back samples already read with procfs.ts; this
 * keeps them as the local sampler keeps its own: the same ThreadTally, the same live event, the same RunProof.
 * The same frequency fold (cpufreq.ts FreqStats) and the same perf judgement (perf.ts countersFromPerf).
 * What differs: the clock of the live events and of the loop's cost is the target's uptime (this machine's
 * clock would add the connection's delays to each interval); `samplerCpuPercent` is the loop's own CPU time
 * on the target over its life there; perf runs on the target and its output comes back when the run ends.
 * This file is the port app/remote implements.
 */
import type { Counters, LivePlacement, RunProof } from '../../shared/proof';
import { FreqStats, throttleBetween } from './cpufreq';
import { countersError, countersFromPerf } from './perf';
import { permissionRefused } from './perfparse';
import { keepLargestLook, type TaskStat } from './procfs';
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
  /** The same per process of the group (pid → node → bytes), for the processes whose numa_maps had pages. */
  memoryByPid?: Map<number, Map<number, number>>;
  /** scaling_cur_freq (kHz) per CPU, on the samples that read it; absent on the others or without cpufreq. */
  freqKHz?: Map<number, number>;
  /** Thermal throttling events since boot per CPU (x86 thermal_throttle counts), read with the frequency. */
  throttle?: Map<number, number>;
  /**
   * The loop's own CPU time on the target so far (utime+stime of its shell and of its waited-for children, the
   * `sleep`s: clock ticks) and when it started (ticks since boot), both from its /proc/$$/stat.
   */
  loop?: { ticks: number; startTicks: number };
}

/** What perf on the target left when the loop ended. */
export type RemotePerf =
  /** perf is not on the target's PATH. */
  | { state: 'missing' }
  /** The run's group was gone before perf could attach. */
  | { state: 'late' }
  /** perf ran: its `-o` file, its stderr, the target's perf_event_paranoid. */
  | { state: 'ran'; text: string; stderr: string; paranoid: number | null };

export interface RemoteProofEnd {
  /** What the loop said of perf; null when it said nothing (the connection went first). */
  perf: RemotePerf | null;
  /** Whether the loop's end (with perf's counts) came back before the grace time ran out. */
  complete: boolean;
  /** How long stop() waited for it (ms). */
  graceMs: number;
  /** The target is a container (docker://): a refusal of perf is then its engine's, not the kernel's setting. */
  container?: boolean;
}

/**
 * Streams samples of the process group `pgid` on the target until stop(), which waits for the loop's end (perf's
 * counts come back with it); never throws. `cpus` are the CPUs whose frequency is read (empty: all online).
 */
export type RemoteProofStream = (
  pgid: number,
  opts: { cpus: readonly number[] },
  onSample: (s: RemoteProofSample) => void,
) => { stop(): Promise<RemoteProofEnd> };

/**
 * perf refused inside a container: Docker's default seccomp profile allows perf_event_open only to a container
 * with CAP_SYS_ADMIN (CAP_PERFMON on engines that know it), whatever the host's perf_event_paranoid says.
 */
export const CONTAINER_REFUSED =
  "perf was not allowed to count in the container: Docker's default seccomp profile refuses perf_event_open " +
  'without CAP_SYS_ADMIN; start the container with `--cap-add SYS_ADMIN` (`--cap-add PERFMON` on newer engines) ' +
  'or with a seccomp profile that allows perf_event_open';

/** USER_HZ: clock ticks per second of /proc's times on Linux. */
const HZ = 100;

/**
 * A target's counters from what its loop said of perf: never zeros for what was not counted; null only when the
 * loop ended without being asked to count.
 */
export function remoteCounters(end: RemoteProofEnd): Counters | null {
  const perf = end.perf;
  if (perf === null && end.complete) return null;
  if (perf?.state === 'missing')
    return countersError('perf is not installed on the target (Debian: linux-perf)');
  if (perf?.state === 'late')
    return countersError('the run had ended on the target before perf could attach; nothing was counted');
  if (perf?.state === 'ran' && end.complete) {
    const c = countersFromPerf(perf);
    if (end.container && c.error && permissionRefused(perf.stderr)) c.error = CONTAINER_REFUSED;
    return c;
  }
  return countersError(
    `perf's counts did not come back from the target within ${end.graceMs} ms of the run's end; nothing was counted`,
  );
}

export const REMOTE_LIVE_S = 1;

/** Accumulates a target's samples into a RunProof (pure: a test can feed it recorded samples). */
export class RemoteProofTally {
  private readonly tally = new ThreadTally();
  private readonly selected: Set<number>;
  private readonly outside = new Set<number>();
  private memory = new Map<number, number>();
  private readonly memoryOf = new Map<number, Map<number, number>>();
  private samples = 0;
  private lastLive: number | null = null;
  private lastUptime: number | null = null;
  private readonly freq = new FreqStats();
  private throttleStart = new Map<number, number>();
  private throttleEnd = new Map<number, number>();
  private loopCost: { ticks: number; startTicks: number; uptime: number } | null = null;

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
    // Each process of the group counts with its largest look (once it has exited the target has nothing to
    // read): a look that lands as the workload exits (its numa_maps empty or cut short, only the launch wrapper
    // left in the group) must not replace its footprint.
    if (s.memoryByPid) {
      for (const [pid, nodes] of s.memoryByPid) keepLargestLook(this.memoryOf, pid, nodes);
      const sum = new Map<number, number>();
      for (const nodes of this.memoryOf.values())
        for (const [node, bytes] of nodes) sum.set(node, (sum.get(node) ?? 0) + bytes);
      this.memory = sum;
    } else if (s.memoryByNode && s.memoryByNode.size > 0) this.memory = s.memoryByNode;
    if (s.tasks.length > 0) this.samples++;
    for (const [cpu, khz] of s.freqKHz ?? []) this.freq.add(cpu, khz);
    if (s.throttle?.size) {
      if (this.throttleStart.size === 0) this.throttleStart = s.throttle;
      this.throttleEnd = s.throttle;
    }
    if (!Number.isFinite(s.uptime)) return;
    if (s.loop) this.loopCost = { ...s.loop, uptime: s.uptime };
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

  /** Percent of one target CPU the loop used over its life there, on the target's clock; null when unread. */
  private samplerCpuPercent(): number | null {
    const c = this.loopCost;
    if (!c) return null;
    const wallS = c.uptime - c.startTicks / HZ;
    return wallS > 0 ? Math.round((c.ticks / HZ / wallS) * 10000) / 100 : null;
  }

  /** The run's proof; `end` is what the loop said when it ended (null: counters not asked of the target). */
  result(durationMs: number, end: RemoteProofEnd | null = null): RunProof {
    const throttle = throttleBetween(this.throttleStart, this.throttleEnd);
    return {
      samples: this.samples,
      durationMs: Math.round(durationMs),
      samplerCpuPercent: this.samplerCpuPercent(),
      threads: this.tally.result(),
      ...withContention(this.tally.contentionResult()),
      memoryByNode: this.memoryRecord(),
      counters: end ? remoteCounters(end) : null,
      cpuFreqMHz: this.freq.freq(),
      ...(throttle ? { throttle } : {}),
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
  const session = stream(pgid, { cpus: opts.cpus }, (s) => tally.add(s));
  return {
    async stop() {
      const durationMs = performance.now() - startedAt;
      const end = await session.stop();
      return tally.result(durationMs, end);
    },
  };
}
