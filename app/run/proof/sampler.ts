/**
 * The local sampler of a run's placement (issue 13). Every SAMPLE_MS it reads /proc/PID/task/TID/stat of each
 * thread of each process of the run (one open + one read into a reused buffer per file, synchronously: at 160
 * threads a pass is a few hundred microseconds, and a thread-pool round trip per file would cost more than the
 * read); membership of the run (process group, session, descendants: proctree's RunProcesses) is refreshed every
 * MEMBERS_MS, affinity (`status`) is read when a thread is first seen and every STATUS_MS, numa_maps every
 * MEMORY_MS (it walks the page tables, the costliest read), cpufreq every FREQ_MS. Its own CPU use is measured
 * with process.cpuUsage() around each pass.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { LivePlacement, RunProof } from '../../shared/proof';
import { RunProcesses, type ProcStat } from '../proctree';
import { CpuFreqTally, onlineCpus } from './cpufreq';
import {
  allowedFromStatus,
  keepLargestLook,
  memoryByNodeFromNumaMaps,
  parseSchedstat,
  parseTaskStat,
  parseUptime,
} from './procfs';
import { ThreadTally, withContention } from './threads';

export const SAMPLE_MS = 250;
export const MEMBERS_MS = 1000;
export const STATUS_MS = 1000;
export const MEMORY_MS = 2000;
/** The first EARLY_MS of a run, memory is read every EARLY_MEMORY_MS. */
export const EARLY_MS = 5000;
export const EARLY_MEMORY_MS = 500;
export const FREQ_MS = 500;
export const LIVE_MS = 1000;

export interface SamplerOptions {
  /** The CPUs the run is bound to; empty = not bound (frequency of every online CPU, nothing "outside"). */
  cpus: readonly number[];
  /** Live placement about once a second (without runId: the caller adds it). */
  onLive?: (live: Omit<LivePlacement, 'runId'>) => void;
  root?: string;
  sampleMs?: number;
}

const statBuf = Buffer.alloc(4096);

/** A small /proc file in one read into a shared buffer; null when the task is gone. */
function readSmall(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const n = readSync(fd, statBuf, 0, statBuf.length, null);
    return statBuf.toString('latin1', 0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

export type SamplerResult = Omit<RunProof, 'counters'>;

export class ProofSampler {
  private readonly tally = new ThreadTally();
  private readonly freq: CpuFreqTally;
  private readonly members: RunProcesses;
  private readonly selected: Set<number>;
  private readonly root: string;
  private readonly proc: string;
  private procs: ProcStat[] = [];
  private memory = new Map<number, number>();
  /** Each process's numa_maps reading with the most pages in it (keepLargestLook). */
  private readonly memoryOf = new Map<number, Map<number, number>>();
  private samples = 0;
  private cpuUs = 0;
  private readonly startedAt = performance.now();
  private last = {
    members: -Infinity,
    status: -Infinity,
    memory: -Infinity,
    freq: -Infinity,
    live: 0,
    pass: null as number | null,
  };
  private timer: NodeJS.Timeout | null = null;
  private readonly outside = new Set<number>();

  constructor(
    readonly leader: number,
    private readonly opts: SamplerOptions,
  ) {
    this.root = opts.root ?? '/';
    this.proc = join(this.root, 'proc');
    this.selected = new Set(opts.cpus);
    this.members = new RunProcesses(leader, new Set(), process.pid, this.root);
    this.freq = new CpuFreqTally(opts.cpus.length ? opts.cpus : onlineCpus(this.root), this.root);
    this.last.live = this.startedAt;
  }

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.opts.sampleMs ?? SAMPLE_MS);
    this.timer.unref();
    return this;
  }

  /** One pass; public so a test can drive it. */
  sample(): void {
    const before = process.cpuUsage();
    const now = performance.now();
    if (now - this.last.members >= MEMBERS_MS) {
      this.last.members = now;
      this.procs = this.members.scan(false);
    }
    const readStatus = now - this.last.status >= STATUS_MS;
    if (readStatus) this.last.status = now;
    let seen = 0;
    // The clock of the threads' start times, so each thread's life (and how busy it was over it) is known.
    const upText = readSmall(`${this.proc}/uptime`);
    const uptime = upText === null ? null : parseUptime(upText);
    for (const p of this.procs) {
      const taskDir = `${this.proc}/${p.pid}/task`;
      let tids: string[];
      try {
        tids = readdirSync(taskDir);
      } catch {
        continue; // exited: its threads keep what was seen
      }
      for (const tid of tids) {
        const text = readSmall(`${taskDir}/${tid}/stat`);
        const st = text === null ? null : parseTaskStat(text);
        if (!st) continue;
        seen++;
        this.tally.observe(p.pid, st, uptime);
        if (this.selected.size && !this.selected.has(st.processor)) this.outside.add(st.tid);
        const firstLook = this.tally.needsAllowed(st.tid);
        if (readStatus || firstLook) {
          const status = readSmall(`${taskDir}/${tid}/status`);
          if (status !== null) this.tally.setAllowed(st.tid, allowedFromStatus(status));
        }
        // Waiting for a CPU is what oversubscription costs a thread: read for every thread that ran or is
        // runnable now (a sleeping thread waits for no CPU), and for all at the rate of the affinity.
        if (readStatus || firstLook || st.state === 'R' || this.tally.intervalTicksOf(st.tid) > 0) {
          const sched = readSmall(`${taskDir}/${tid}/schedstat`);
          const ss = sched === null ? null : parseSchedstat(sched);
          if (ss) this.tally.setWait(st.tid, ss.waitNs / 1e6);
        }
      }
    }
    // Early in a run the workload loads its model: memory is looked at more often then, so a short run's
    // footprint is not missed (each look costs ~5 ms for a PyTorch process with ~1,700 mappings).
    const memoryEvery = now - this.startedAt < EARLY_MS ? EARLY_MEMORY_MS : MEMORY_MS;
    if (now - this.last.memory >= memoryEvery) {
      this.last.memory = now;
      this.readMemory();
    }
    if (now - this.last.freq >= FREQ_MS) {
      this.last.freq = now;
      this.freq.sample();
    }
    if (seen > 0) this.samples++;
    this.tally.closeInterval(this.last.pass === null ? 0 : now - this.last.pass);
    this.last.pass = now;
    if (this.opts.onLive && now - this.last.live >= LIVE_MS) this.emitLive(now);
    const used = process.cpuUsage(before);
    this.cpuUs += used.user + used.system;
  }

  private readMemory(): void {
    for (const p of this.procs) {
      let text: string;
      try {
        text = readFileSync(join(this.proc, String(p.pid), 'numa_maps'), 'latin1');
      } catch {
        continue;
      }
      const nodes = memoryByNodeFromNumaMaps(text);
      keepLargestLook(this.memoryOf, p.pid, nodes);
    }
    const sum = new Map<number, number>();
    for (const nodes of this.memoryOf.values())
      for (const [node, bytes] of nodes) sum.set(node, (sum.get(node) ?? 0) + bytes);
    this.memory = sum;
  }

  private memoryRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [node, bytes] of [...this.memory].sort((a, b) => a[0] - b[0])) out[String(node)] = bytes;
    return out;
  }

  private emitLive(now: number): void {
    const span = Math.max(1, now - this.last.live);
    this.last.live = now;
    const cpus: LivePlacement['cpus'] = {};
    for (const t of this.tally.takeLive()) {
      const c = (cpus[String(t.cpu)] ??= { threads: [], busy: 0 });
      const busy = Math.min(1, t.ms / span);
      c.threads.push({ tid: t.tid, name: t.name, busy });
      c.busy = Math.min(1, c.busy + busy);
    }
    this.opts.onLive!({ cpus, outside: [...this.outside], memoryByNode: this.memoryRecord() });
  }

  /** Stop sampling (one last pass first, to catch what the group did since the previous one). */
  stop(): SamplerResult {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const wallUs = (performance.now() - this.startedAt) * 1000;
    const throttle = this.freq.throttle();
    return {
      samples: this.samples,
      durationMs: Math.round(wallUs / 1000),
      samplerCpuPercent: wallUs > 0 ? Math.round((this.cpuUs / wallUs) * 10000) / 100 : null,
      threads: this.tally.result(),
      ...withContention(this.tally.contentionResult()),
      memoryByNode: this.memoryRecord(),
      cpuFreqMHz: this.freq.freq(),
      ...(throttle ? { throttle } : {}),
    };
  }
}
