/**
 * CPU frequency and throttling over a run, from sysfs. `cpufreq/scaling_cur_freq` (kHz) is what the kernel's
 * cpufreq driver last set or measured for the CPU; a VM or a kernel without a cpufreq driver has no such file, and
 * the run's `cpuFreqMHz` is then `{}`. Throttling: x86's `thermal_throttle/{core,package}_throttle_count` (events
 * since boot, so the run's count is end - start); arm64 kernels expose no throttling count in sysfs, and `throttle`
 * is then left out.
 */
import { readFileSync } from 'node:fs';
import { readAttr } from '../../topology/fs-read';
import { join } from 'node:path';
import type { CpuFreq } from '../../shared/proof';

/** A small sysfs number, or null when the file is absent or not a number. */
export function readSysNumber(path: string): number | null {
  const text = readAttr(path);
  const v = text === null || text === '' ? NaN : Number(text);
  return Number.isFinite(v) ? v : null;
}

function cpuDir(root: string, cpu: number): string {
  return join(root, 'sys/devices/system/cpu', `cpu${cpu}`);
}

const THROTTLE_FILES = ['core_throttle_count', 'package_throttle_count'];

/** The fold of frequency readings into the run's `cpuFreqMHz`, shared by the local sampler and a target's loop. */
export class FreqStats {
  private readonly sum = new Map<number, number>();
  private readonly min = new Map<number, number>();
  private readonly n = new Map<number, number>();

  /** One reading of `scaling_cur_freq` (kHz) of `cpu`. */
  add(cpu: number, khz: number): void {
    const mhz = khz / 1000;
    this.sum.set(cpu, (this.sum.get(cpu) ?? 0) + mhz);
    this.n.set(cpu, (this.n.get(cpu) ?? 0) + 1);
    this.min.set(cpu, Math.min(this.min.get(cpu) ?? Infinity, mhz));
  }

  /** Per CPU {mean, min} in MHz; {} when nothing was read. */
  freq(): Record<string, CpuFreq> {
    const out: Record<string, CpuFreq> = {};
    for (const [cpu, n] of [...this.n].sort((a, b) => a[0] - b[0]))
      out[String(cpu)] = { mean: Math.round(this.sum.get(cpu)! / n), min: Math.round(this.min.get(cpu)!) };
    return out;
  }
}

/**
 * Throttling events per CPU between two readings of the counts (events since boot); a CPU whose end count is
 * missing counts 0. Undefined when the start had none (the kernel exposes no count).
 */
export function throttleBetween(
  start: ReadonlyMap<number, number>,
  end: ReadonlyMap<number, number>,
): Record<string, number> | undefined {
  if (start.size === 0) return undefined;
  const out: Record<string, number> = {};
  for (const [cpu, s] of start) {
    const e = end.get(cpu);
    out[String(cpu)] = e === undefined ? 0 : Math.max(0, e - s);
  }
  return out;
}

export class CpuFreqTally {
  private readonly stats = new FreqStats();
  private readonly paths: { cpu: number; path: string }[];
  private readonly throttleStart = new Map<number, number>();

  constructor(
    private readonly cpus: readonly number[],
    private readonly root = '/',
  ) {
    // CPUs without the file are dropped once, so a machine without cpufreq costs nothing per sample.
    this.paths = cpus
      .map((cpu) => ({ cpu, path: join(cpuDir(root, cpu), 'cpufreq/scaling_cur_freq') }))
      .filter((p) => readSysNumber(p.path) !== null);
    for (const cpu of cpus) {
      const t = this.throttleCount(cpu);
      if (t !== null) this.throttleStart.set(cpu, t);
    }
  }

  private throttleCount(cpu: number): number | null {
    let sum: number | null = null;
    for (const f of THROTTLE_FILES) {
      const v = readSysNumber(join(cpuDir(this.root, cpu), 'thermal_throttle', f));
      if (v !== null) sum = (sum ?? 0) + v;
    }
    return sum;
  }

  sample(): void {
    for (const { cpu, path } of this.paths) {
      const khz = readSysNumber(path);
      if (khz !== null) this.stats.add(cpu, khz);
    }
  }

  /** Per CPU {mean, min} in MHz; {} when the kernel exposes no frequency. */
  freq(): Record<string, CpuFreq> {
    return this.stats.freq();
  }

  /** Throttling events per CPU during the run; undefined when the kernel exposes no count. */
  throttle(): Record<string, number> | undefined {
    const end = new Map<number, number>();
    for (const cpu of this.throttleStart.keys()) {
      const v = this.throttleCount(cpu);
      if (v !== null) end.set(cpu, v);
    }
    return throttleBetween(this.throttleStart, end);
  }
}

/** The online CPUs (all of them when a run is not bound), from sysfs `online`. */
export function onlineCpus(root = '/'): number[] {
  const out: number[] = [];
  let text: string;
  try {
    text = readFileSync(join(root, 'sys/devices/system/cpu/online'), 'utf8');
  } catch {
    return out;
  }
  for (const part of text.trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) continue;
    for (let c = a!; c <= (b ?? a!); c++) out.push(c);
  }
  return out;
}
