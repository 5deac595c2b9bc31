/**
 * Geometry for the sweep chart: series from rows, "nice" axis ticks and linear scales. Pure, so the SVG
 * component only draws.
 */
import type { SweepRow } from '../../../app/shared/sweep';

export type Metric = 'latencyMs' | 'throughput';

export interface ChartPoint {
  x: number;
  y: number;
  row: SweepRow;
}

export interface Series {
  key: string;
  label: string;
  color: string;
  points: ChartPoint[];
  /** Drawn dashed: the spread placement when a sweep compares placements (same colour as its variant). */
  dashed: boolean;
  /** Mean per x, in x order: the line drawn through repetitions. */
  line: { x: number; y: number }[];
}

// Distinguishable in light and dark themes, and for the common colour-vision deficiencies (Okabe-Ito).
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#D55E00',
  '#56B4E9',
  '#8C6D00',
  '#7F7F7F',
];

/**
 * One series per variant, split by instance count when the sweep varies it (1×4 and 4×1 use the same cores) and
 * by placement when it varies that (compact and spread at one core count are different CPUs).
 */
export function buildSeries(
  rows: readonly SweepRow[],
  metric: Metric,
  variantOrder: readonly string[],
): Series[] {
  const multiK = new Set(rows.map((r) => r.instances)).size > 1;
  const multiP = new Set(rows.map((r) => r.placement)).size > 1;
  const map = new Map<string, Series>();
  const colorOf = (variant: string) => {
    const i = variantOrder.indexOf(variant);
    return PALETTE[(i < 0 ? variantOrder.length + map.size : i) % PALETTE.length]!;
  };
  for (const row of rows) {
    const y = row[metric];
    if (y === null || !Number.isFinite(y) || row.exitCode !== 0) continue;
    const key = [row.variant, multiK ? `×${row.instances}` : '', multiP ? row.placement : '']
      .filter(Boolean)
      .join(' ');
    let s = map.get(key);
    if (!s) {
      s = {
        key,
        label: [row.variant, multiK ? `${row.instances} inst.` : '', multiP ? row.placement : '']
          .filter(Boolean)
          .join(', '),
        color: colorOf(row.variant),
        dashed: multiP && row.placement === 'spread',
        points: [],
        line: [],
      };
      map.set(key, s);
    }
    s.points.push({ x: row.cores, y, row });
  }
  for (const s of map.values()) {
    const byX = new Map<number, number[]>();
    for (const p of s.points) byX.set(p.x, [...(byX.get(p.x) ?? []), p.y]);
    s.line = [...byX.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([x, ys]) => ({ x, y: ys.reduce((a, b) => a + b, 0) / ys.length }));
  }
  return [...map.values()];
}

/** Round step (1, 2 or 5 × 10^k) giving about `count` ticks from 0 to max. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Short tick label: 1200 → "1.2k", 0.5 → "0.5". */
export function tickLabel(v: number): string {
  if (Math.abs(v) >= 10000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}
