/**
 * The load a run put on each CPU, summed tick by tick: a time-weighted mean (ticks are not all equally long —
 * the closing one, taken as the run exits, is usually shorter) and the peak of any tick.
 */
import type { CpuLoadSummary } from '../shared/run';
import type { CpuLoad } from './load';

export type { CpuLoadSummary };

export class LoadTally {
  private readonly byCpu = new Map<number, { weighted: number; ms: number; peak: number }>();

  /** One sample covering `ms` milliseconds (a non-positive span still counts for the peak). */
  add(sample: readonly CpuLoad[], ms: number): void {
    const w = Math.max(ms, 0);
    for (const { cpu, busy } of sample) {
      const t = this.byCpu.get(cpu) ?? { weighted: 0, ms: 0, peak: 0 };
      t.weighted += busy * w;
      t.ms += w;
      t.peak = Math.max(t.peak, busy);
      this.byCpu.set(cpu, t);
    }
  }

  /** Per CPU by id, rounded to 0.001; null before any sample. */
  summary(): CpuLoadSummary[] | null {
    if (this.byCpu.size === 0) return null;
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return [...this.byCpu]
      .sort(([a], [b]) => a - b)
      .map(([cpu, t]) => ({ cpu, mean: round(t.ms > 0 ? t.weighted / t.ms : t.peak), peak: round(t.peak) }));
  }
}
