/**
 * Where each thread of a run spent its CPU time, from successive looks at /proc/PID/task/TID/stat (pure: the
 * sampler feeds it what it read). The kernel tells only the CPU a thread LAST ran on, so the time a thread used
 * between two looks is attributed to the CPU it is seen on at the later one — the same approximation `top -H` and
 * `ps -L -o psr` make. A thread that migrates within one interval has that interval's time on its new CPU.
 */
import type { CpuContention, ThreadProof } from '../../shared/proof';
import type { TaskStat } from './procfs';

/** Linux reports utime/stime in USER_HZ ticks, 100 per second on every architecture it builds for. */
export const TICK_MS = 10;
const TICKS_PER_S = 1000 / TICK_MS;

/**
 * A sampling interval oversubscribes a CPU when the run's threads pinned to it (their affinity is that CPU alone)
 * wanted it (ran, or waited in its run queue) for more than DEMAND_CPUS CPUs' worth of the interval, two or more
 * of them each for at least WANTING_SHARE of it. Judged per interval, not over the run, because a worker pool lives only part of a run
 * (PyTorch starts its intra-op threads at the first parallel op, after seconds of `import torch`), and its
 * threads sleep between parallel regions: over their lives 4 workers sharing one CPU each want it for only
 * 30-60 %, yet while a pass runs they ask for twice the CPU.
 */
export const DEMAND_CPUS = 1.5;
export const WANTING_SHARE = 0.1;
/**
 * ...and when the run's own threads ran on it for at least this share of the interval: threads that mostly wait
 * while the CPU runs something else are queued behind other work (the `busy-machine` finding), not behind each
 * other.
 */
export const OWN_SHARE = 0.5;
const MIN_INTERVAL_MS = 100;

interface Entry {
  tid: number;
  pid: number;
  name: string;
  ticks: number;
  processor: number;
  cpus: Map<number, number>;
  allowed: number[] | null;
  /** Time runnable but waiting for a CPU (schedstat), ms, as last read; null when never read. */
  waitMs: number | null;
  /** Ticks since the last live read (takeLive). */
  liveTicks: number;
  /** Its start, s since boot (stat field 22), and the uptime of the last look that saw it; null when unknown. */
  startS: number | null;
  lastSeenS: number | null;
  /** Ticks and run-queue wait (ms) since the last closeInterval. */
  intervalTicks: number;
  intervalWaitMs: number;
}

export interface LiveThread {
  tid: number;
  name: string;
  /** The CPU it last ran on. */
  cpu: number;
  /** CPU time used since the previous takeLive (ms). */
  ms: number;
}

export class ThreadTally {
  private readonly threads = new Map<number, Entry>();
  private readonly retired: Entry[] = [];
  /** The uptime of the first look (s): threads' starts are reported relative to it. */
  private firstUptime: number | null = null;
  private waitsRead = false;
  private readonly contention = new Map<number, { ms: number; peakDemand: number; tids: Set<number> }>();

  /**
   * One look at one thread. A thread seen for the first time brings all its time so far (it belongs to the run,
   * which started it), attributed to the CPU it is on now. A tid whose ticks went down is a new thread that reused
   * the number: its count starts again, the old thread's time stays. `uptimeS` is the machine's uptime at this
   * look (the clock of the thread's start time); with both, the thread's life so far is known.
   */
  observe(pid: number, st: TaskStat, uptimeS: number | null = null): void {
    let e = this.threads.get(st.tid);
    if (uptimeS !== null && this.firstUptime === null) this.firstUptime = uptimeS;
    const startS = st.startTicks === null ? null : st.startTicks / TICKS_PER_S;
    if (
      e &&
      (e.pid !== pid || st.ticks < e.ticks || (startS !== null && e.startS !== null && startS !== e.startS))
    ) {
      this.retired.push(e);
      e = undefined;
    }
    if (!e) {
      e = {
        tid: st.tid,
        pid,
        name: st.name,
        ticks: 0,
        processor: st.processor,
        cpus: new Map(),
        allowed: null,
        waitMs: null,
        liveTicks: 0,
        startS,
        lastSeenS: null,
        intervalTicks: 0,
        intervalWaitMs: 0,
      };
      this.threads.set(st.tid, e);
    }
    const d = st.ticks - e.ticks;
    if (d > 0) {
      e.cpus.set(st.processor, (e.cpus.get(st.processor) ?? 0) + d);
      e.liveTicks += d;
      e.intervalTicks += d;
    }
    e.ticks = st.ticks;
    e.processor = st.processor;
    if (uptimeS !== null) e.lastSeenS = uptimeS;
    e.name = st.name; // a thread may rename itself after its start (pthread_setname_np)
  }

  /** Whether its affinity should be read now: never read yet. */
  needsAllowed(tid: number): boolean {
    const e = this.threads.get(tid);
    return !e || e.allowed === null;
  }

  setAllowed(tid: number, allowed: number[] | null): void {
    const e = this.threads.get(tid);
    if (e && allowed) e.allowed = allowed;
  }

  /** The thread's run-queue wait so far (schedstat), ms. A first reading brings all of it, as ticks do. */
  setWait(tid: number, waitMs: number): void {
    const e = this.threads.get(tid);
    if (!e) return;
    this.waitsRead = true;
    e.intervalWaitMs += Math.max(0, waitMs - (e.waitMs ?? 0));
    e.waitMs = waitMs;
  }

  /** Ticks the thread used since the last closeInterval (0 for a thread not seen). */
  intervalTicksOf(tid: number): number {
    return this.threads.get(tid)?.intervalTicks ?? 0;
  }

  /**
   * End one sampling interval of `ms` wall time: each CPU the run's threads oversubscribed during it (see
   * DEMAND_CPUS) gains the interval. Threads are placed on the CPU they were last seen on.
   */
  closeInterval(ms: number): void {
    // A shorter interval (the first pass, the last one at stop) is a few ticks: too coarse to judge.
    if (ms >= MIN_INTERVAL_MS) {
      const byCpu = new Map<number, { tid: number; wanted: number; ran: number }[]>();
      for (const e of this.threads.values()) {
        const ran = e.intervalTicks * TICK_MS;
        const wanted = ran + e.intervalWaitMs;
        if (wanted < WANTING_SHARE * ms) continue;
        // Only threads pinned to this one CPU: threads free to move may meet on a CPU for a moment (the scheduler
        // puts them there while other work holds their other CPUs) and are judged by the busy rule over their lives.
        if (e.allowed?.length !== 1 || e.allowed[0] !== e.processor) continue;
        byCpu.set(e.processor, [...(byCpu.get(e.processor) ?? []), { tid: e.tid, wanted, ran }]);
      }
      for (const [cpu, ts] of byCpu) {
        const demand = ts.reduce((a, t) => a + t.wanted, 0) / ms;
        const ran = ts.reduce((a, t) => a + t.ran, 0) / ms;
        if (ts.length < 2 || demand <= DEMAND_CPUS || ran < OWN_SHARE) continue;
        const c = this.contention.get(cpu) ?? { ms: 0, peakDemand: 0, tids: new Set<number>() };
        c.ms += ms;
        c.peakDemand = Math.max(c.peakDemand, demand);
        for (const t of ts) c.tids.add(t.tid);
        this.contention.set(cpu, c);
      }
    }
    for (const e of this.threads.values()) {
      e.intervalTicks = 0;
      e.intervalWaitMs = 0;
    }
  }

  /** The CPUs found oversubscribed, per CPU id; undefined when no run-queue wait was read (nothing to judge). */
  contentionResult(): Record<string, CpuContention> | undefined {
    if (!this.waitsRead) return undefined;
    const out: Record<string, CpuContention> = {};
    for (const [cpu, c] of [...this.contention].sort((a, b) => a[0] - b[0]))
      out[String(cpu)] = {
        ms: Math.round(c.ms),
        peakDemand: Math.round(c.peakDemand * 100) / 100,
        tids: [...c.tids].sort((a, b) => a - b),
      };
    return out;
  }

  /** Threads that used CPU since the last call, with where they last ran; resets the live counts. */
  takeLive(): LiveThread[] {
    const out: LiveThread[] = [];
    for (const e of this.threads.values()) {
      if (e.liveTicks > 0)
        out.push({ tid: e.tid, name: e.name, cpu: e.processor, ms: e.liveTicks * TICK_MS });
      e.liveTicks = 0;
    }
    return out;
  }

  /** Every thread seen, busiest first. */
  result(): ThreadProof[] {
    const out: ThreadProof[] = [];
    for (const e of [...this.retired, ...this.threads.values()]) {
      const cpus: Record<string, number> = {};
      let total = 0;
      for (const [c, t] of [...e.cpus].sort((a, b) => a[0] - b[0])) {
        cpus[String(c)] = t * TICK_MS;
        total += t;
      }
      const lifeMs =
        e.startS !== null && e.lastSeenS !== null
          ? Math.max(0, Math.round((e.lastSeenS - e.startS) * 1000))
          : null;
      const startMs =
        e.startS !== null && this.firstUptime !== null
          ? Math.round((e.startS - this.firstUptime) * 1000)
          : null;
      out.push({
        tid: e.tid,
        name: e.name,
        pid: e.pid,
        cpuTimeMs: total * TICK_MS,
        cpus,
        allowed: e.allowed,
        ...(e.waitMs !== null ? { waitMs: Math.round(e.waitMs) } : {}),
        ...(lifeMs !== null ? { lifeMs } : {}),
        ...(lifeMs !== null && startMs !== null ? { startMs } : {}),
      });
    }
    return out.sort((a, b) => b.cpuTimeMs - a.cpuTimeMs || a.tid - b.tid);
  }
}

/** `{ contention }` for a RunProof when the tally could judge it, else nothing. */
export function withContention(c: Record<string, CpuContention> | undefined): {
  contention?: Record<string, CpuContention>;
} {
  return c ? { contention: c } : {};
}
