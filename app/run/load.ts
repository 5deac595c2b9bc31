/**
 * Live per-core load from /proc/stat, to show which cores a run really keeps busy (and which busy cores lie
 * outside the selection: another tenant, or a binding that did not take).
 */
import { join } from 'node:path';
import { readWhole } from '../topology/fs-read';

export interface CpuLoad {
  /** Kernel CPU id (cpuN). Offline CPUs have no line in /proc/stat, so ids are never positions. */
  cpu: number;
  /** Busy fraction over the last interval, 0..1. */
  busy: number;
}

interface Times {
  total: number;
  idle: number;
}

/** Per-CPU cumulative jiffies from /proc/stat text, keyed by CPU id (the aggregate `cpu` line is skipped). */
export function parseProcStat(text: string): Map<number, Times> {
  const out = new Map<number, Times>();
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal [guest guest_nice — already included in user/nice]
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    out.set(Number(m[1]), {
      total: user + nice + system + idle + iowait + irq + softirq + steal,
      idle: idle + iowait,
    });
  }
  return out;
}

/** Busy fractions between two snapshots; CPUs present in only one (hotplug) are left out. */
export function loadBetween(prev: Map<number, Times>, cur: Map<number, Times>): CpuLoad[] {
  const out: CpuLoad[] = [];
  for (const [cpu, c] of cur) {
    const p = prev.get(cpu);
    if (!p) continue;
    const dt = c.total - p.total;
    const busy = dt > 0 ? Math.min(1, Math.max(0, (dt - (c.idle - p.idle)) / dt)) : 0;
    out.push({ cpu, busy });
  }
  return out.sort((a, b) => a.cpu - b.cpu);
}

export class LoadSampler {
  private prev: Map<number, Times> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly statPath: string;

  constructor(private readonly opts: { root?: string; intervalMs?: number } = {}) {
    this.statPath = join(opts.root ?? '/', 'proc', 'stat');
  }

  /** Load since the previous call (empty on the first call, which only takes the baseline). */
  sample(): CpuLoad[] {
    // Through the topology's reader, so `aio-tuner dump` (which records those reads) copies /proc/stat too.
    const text = readWhole(this.statPath);
    if (text === null) throw new Error(`cannot read ${this.statPath}`);
    const cur = parseProcStat(text);
    const out = this.prev ? loadBetween(this.prev, cur) : [];
    this.prev = cur;
    return out;
  }

  /** An extra reading between ticks; null when /proc cannot be read just now. */
  sampleNow(): CpuLoad[] | null {
    try {
      return this.prev ? this.sample() : null;
    } catch {
      return null;
    }
  }

  /** Sample every intervalMs (default 400 ms, so the display refreshes at least twice a second). */
  start(onSample: (load: CpuLoad[]) => void): void {
    this.stop();
    this.sample();
    this.timer = setInterval(() => {
      try {
        onSample(this.sample());
      } catch {
        // /proc briefly unreadable (e.g. container teardown): skip this tick rather than kill the sampler.
      }
    }, this.opts.intervalMs ?? 400);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Busy CPUs that are not in the selection (sorted by id). */
export function outsideSelection(
  samples: readonly CpuLoad[],
  selectedCpus: readonly number[],
  threshold = 0.5,
): CpuLoad[] {
  const sel = new Set(selectedCpus);
  return samples.filter((s) => s.busy >= threshold && !sel.has(s.cpu));
}
