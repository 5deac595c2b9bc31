/**
 * Where each thread of a run spent its CPU time, from successive looks at /proc/PID/task/TID/stat (pure: the
 * sampler feeds it what it read). The kernel tells only the CPU a thread LAST ran on, so the time a thread used
 * between two looks is attributed to the CPU it is seen on at the later one — the same approximation `top -H` and
 * `ps -L -o psr` make. A thread that migrates within one interval has that interval's time on its new CPU.
 */
import type { ThreadProof } from '../../shared/proof';
import type { TaskStat } from './procfs';

/** Linux reports utime/stime in USER_HZ ticks, 100 per second on every architecture it builds for. */
export const TICK_MS = 10;

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

  /**
   * One look at one thread. A thread seen for the first time brings all its time so far (it belongs to the run,
   * which started it), attributed to the CPU it is on now. A tid whose ticks went down is a new thread that reused
   * the number: its count starts again, the old thread's time stays.
   */
  observe(pid: number, st: TaskStat): void {
    let e = this.threads.get(st.tid);
    if (e && (e.pid !== pid || st.ticks < e.ticks)) {
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
      };
      this.threads.set(st.tid, e);
    }
    const d = st.ticks - e.ticks;
    if (d > 0) {
      e.cpus.set(st.processor, (e.cpus.get(st.processor) ?? 0) + d);
      e.liveTicks += d;
    }
    e.ticks = st.ticks;
    e.processor = st.processor;
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

  /** The thread's run-queue wait so far (schedstat), ms. */
  setWait(tid: number, waitMs: number): void {
    const e = this.threads.get(tid);
    if (e) e.waitMs = waitMs;
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
      out.push({
        tid: e.tid,
        name: e.name,
        pid: e.pid,
        cpuTimeMs: total * TICK_MS,
        cpus,
        allowed: e.allowed,
        ...(e.waitMs !== null ? { waitMs: Math.round(e.waitMs) } : {}),
      });
    }
    return out.sort((a, b) => b.cpuTimeMs - a.cpuTimeMs || a.tid - b.tid);
  }
}
