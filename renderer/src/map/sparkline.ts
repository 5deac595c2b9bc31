/**
 * Per-CPU load history for the map's sparklines: a fixed ring of samples per CPU (no allocation per sample) and
 * the SVG path of its last 60 s. Pure, so the drawing can be checked without a page.
 */

export const WINDOW_MS = 60_000;
/** Samples come every ~0.4-0.5 s; 200 slots hold a minute with room to spare. */
const SLOTS = 200;
/** The sparkline's drawing box (viewBox): one unit per second across, load 0..1 scaled to 10 units up. */
export const SPARK_W = 60;
export const SPARK_H = 10;

export class LoadHistory {
  private times = new Float64Array(SLOTS);
  private readonly busy = new Map<number, Float32Array>();
  private head = 0;
  private count = 0;

  /** One sample of every CPU, at `t` (ms). CPUs missing from a sample read 0 at that time. */
  add(t: number, cpus: readonly { cpu: number; busy: number }[]): void {
    const slot = this.head;
    this.times[slot] = t;
    for (const row of this.busy.values()) row[slot] = 0;
    for (const c of cpus) {
      let row = this.busy.get(c.cpu);
      if (!row) this.busy.set(c.cpu, (row = new Float32Array(SLOTS).fill(Number.NaN)));
      row[slot] = c.busy;
    }
    this.head = (slot + 1) % SLOTS;
    this.count = Math.min(this.count + 1, SLOTS);
  }

  clear(): void {
    this.times = new Float64Array(SLOTS);
    this.busy.clear();
    this.head = 0;
    this.count = 0;
  }

  get latest(): number | null {
    return this.count === 0 ? null : this.times[(this.head - 1 + SLOTS) % SLOTS]!;
  }

  /** The CPU's samples of the last minute before the latest one, oldest first, as [ms before latest, busy]. */
  points(cpu: number): [number, number][] {
    const row = this.busy.get(cpu);
    const last = this.latest;
    if (!row || last === null) return [];
    const out: [number, number][] = [];
    for (let i = this.count; i >= 1; i--) {
      const slot = (this.head - i + SLOTS) % SLOTS;
      const age = last - this.times[slot]!;
      const v = row[slot]!;
      if (age > WINDOW_MS || Number.isNaN(v)) continue;
      out.push([age, v]);
    }
    return out;
  }

  /** The SVG path: time runs left to right and ends at the right edge (the latest sample); empty before 2 points. */
  path(cpu: number): { d: string; n: number } {
    const pts = this.points(cpu);
    if (pts.length < 2) return { d: '', n: pts.length };
    let d = '';
    for (const [age, v] of pts) {
      const x = SPARK_W - age / 1000;
      const y = SPARK_H - Math.max(0, Math.min(1, v)) * SPARK_H;
      d += `${d ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
    }
    return { d, n: pts.length };
  }
}
