/**
 * Geometry for the sweep chart: series from rows, "nice" axis ticks and linear scales. Pure, so the SVG
 * component only draws.
 */
import type { ConfigStats, SweepRow } from '../../../app/shared/sweep';
import { configName, num } from './view';

export type Metric = 'latencyMs' | 'throughput';

export interface ChartPoint {
  x: number;
  y: number;
  /** Stable key within its series: the row's number, or "c" and the configuration's index. */
  id: string;
  variant: string;
  placement: string;
  cores: number;
  /** 95 % confidence interval of the mean (a configuration's point); null: none (one value, or a row). */
  ci: [number, number] | null;
  /** Hover text. */
  title: string;
  /** Findings about the point's numbers (a configuration's), shown on hover and as a ring. */
  findings: number;
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
  /** Single repetitions drawn small behind a configuration's mean (configuration series only). */
  reps: { x: number; y: number; id: string }[];
}

// Distinguishable for the common colour-vision deficiencies (Okabe-Ito), each 3:1 against the chart's background
// in both themes: the theme's --series-N (styles.css darkens two of them in the light theme), these as fallback.
export const PALETTE = [
  'var(--series-1, #0072B2)',
  'var(--series-2, #E69F00)',
  'var(--series-3, #009E73)',
  'var(--series-4, #CC79A7)',
  'var(--series-5, #D55E00)',
  'var(--series-6, #56B4E9)',
  'var(--series-7, #8C6D00)',
  'var(--series-8, #7F7F7F)',
];

type SeriesKeyed = Pick<SweepRow, 'variant' | 'instances' | 'placement'>;

/** Finds or makes the series a row or configuration belongs to (variant, and K and placement when they vary). */
function seriesFactory(
  map: Map<string, Series>,
  variantOrder: readonly string[],
  multiK: boolean,
  multiP: boolean,
): (c: SeriesKeyed) => Series {
  const colorOf = (variant: string) => {
    const i = variantOrder.indexOf(variant);
    return PALETTE[(i < 0 ? variantOrder.length + map.size : i) % PALETTE.length]!;
  };
  return (c) => {
    const key = [c.variant, multiK ? `×${c.instances}` : '', multiP ? c.placement : '']
      .filter(Boolean)
      .join(' ');
    let s = map.get(key);
    if (!s) {
      s = {
        key,
        label: [c.variant, multiK ? `${c.instances} inst.` : '', multiP ? c.placement : '']
          .filter(Boolean)
          .join(', '),
        color: colorOf(c.variant),
        dashed: multiP && c.placement === 'spread',
        points: [],
        line: [],
        reps: [],
      };
      map.set(key, s);
    }
    return s;
  };
}

/** The line through a series: the mean of its points at each x, in x order. */
function lineThrough(s: Series): void {
  const byX = new Map<number, number[]>();
  for (const p of s.points) byX.set(p.x, [...(byX.get(p.x) ?? []), p.y]);
  s.line = [...byX.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([x, ys]) => ({ x, y: ys.reduce((a, b) => a + b, 0) / ys.length }));
}

/**
 * One series per variant, split by instance count when the sweep varies it (1×4 and 4×1 use the same cores) and
 * by placement when it varies that (compact and spread at one core count are different CPUs). One point per row:
 * what a sweep shows while it runs, and records from before statistics.
 */
export function buildSeries(
  rows: readonly SweepRow[],
  metric: Metric,
  variantOrder: readonly string[],
): Series[] {
  const multiK = new Set(rows.map((r) => r.instances)).size > 1;
  const multiP = new Set(rows.map((r) => r.placement)).size > 1;
  const map = new Map<string, Series>();
  const seriesOf = seriesFactory(map, variantOrder, multiK, multiP);
  for (const row of rows) {
    const y = row[metric];
    if (y === null || !Number.isFinite(y) || row.exitCode !== 0) continue;
    seriesOf(row).points.push({
      x: row.cores,
      y,
      id: String(row.i),
      variant: row.variant,
      placement: row.placement,
      cores: row.cores,
      ci: null,
      title:
        `${row.variant}: ${row.instances} × ${row.threads} thread(s) = ${row.cores} cores, ${row.placement}` +
        `${row.batch !== null ? `, batch ${row.batch}` : ''}, run ${row.repeat}: ${tickLabel(y)}`,
      findings: row.findings?.length ?? 0,
    });
  }
  for (const s of map.values()) lineThrough(s);
  return [...map.values()];
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const ciRange = (ci: readonly [number, number] | null) =>
  ci ? `[${num(ci[0])}, ${num(ci[1])}]` : 'no interval: one value';

/** Hover text of a configuration's point: everything its statistics say. */
export function configTooltip(c: ConfigStats, withPlacement = false): string {
  const l = c.latencyStats;
  const t = c.throughputStats;
  const v = (x: number | null) => (x === null ? '—' : num(x));
  return [
    `${configName(c, withPlacement)} (${c.cores} core${c.cores === 1 ? '' : 's'})`,
    `latency: mean ${v(l.meanMs)} ms, median ${v(l.medianMs)} ms, p90 ${v(l.p90Ms)} ms`,
    `  95 % CI ${ciRange(l.ci95Ms)} ms, CV ${pct(l.cv)}`,
    `throughput: ${v(t.value)} ${t.unit ?? ''}`.trimEnd(),
    `  95 % CI ${ciRange(t.ci95)}, CV ${pct(t.cv)}`,
    c.basis === 'samples'
      ? `basis: per-pass samples of ${c.runs === 1 ? 'one run' : `${c.runs} runs`}`
      : `basis: the means of ${c.runs} repeats`,
    `runs: ${c.runs}`,
    ...(c.findings ?? []).map((f) => `${f.severity}: ${f.message}`),
  ].join('\n');
}

/**
 * One point per configuration at its mean, with its 95 % confidence interval as an error bar, and its single
 * repetitions drawn small behind it: what a finished sweep with statistics (`configs`) shows.
 */
export function buildConfigSeries(
  configs: readonly ConfigStats[],
  rows: readonly SweepRow[],
  metric: Metric,
  variantOrder: readonly string[],
): Series[] {
  const multiK = new Set(configs.map((c) => c.instances)).size > 1;
  const multiP = new Set(configs.map((c) => c.placement)).size > 1;
  const map = new Map<string, Series>();
  const seriesOf = seriesFactory(map, variantOrder, multiK, multiP);
  configs.forEach((c, index) => {
    const y = metric === 'latencyMs' ? c.latencyStats.meanMs : c.throughputStats.value;
    if (y === null || !Number.isFinite(y)) return;
    const ci = metric === 'latencyMs' ? c.latencyStats.ci95Ms : c.throughputStats.ci95;
    const s = seriesOf(c);
    s.points.push({
      x: c.cores,
      y,
      id: `c${index}`,
      variant: c.variant,
      placement: c.placement,
      cores: c.cores,
      ci: ci && ci.every(Number.isFinite) ? [ci[0], ci[1]] : null,
      title: configTooltip(c, multiP),
      findings: c.findings?.length ?? 0,
    });
    if (c.runs > 1)
      for (const r of rows) {
        const ry = r[metric];
        if (!c.runIds.includes(r.runId) || ry === null || !Number.isFinite(ry)) continue;
        s.reps.push({ x: c.cores, y: ry, id: String(r.i) });
      }
  });
  for (const s of map.values()) lineThrough(s);
  return [...map.values()];
}

/** The highest value a panel must show: points, their intervals' tops and single repetitions. */
export function seriesMax(series: readonly Series[]): number {
  let max = 0;
  for (const s of series) {
    for (const p of s.points) max = Math.max(max, p.y, p.ci ? p.ci[1] : 0);
    for (const r of s.reps) max = Math.max(max, r.y);
  }
  return max;
}

export interface ErrorBar {
  x: number;
  /** Top (the interval's high end) and bottom, in pixels. */
  yHi: number;
  yLo: number;
  /** Half the width of the caps. */
  cap: number;
  /** The low end lies below the axis (a wide interval of a small value): the bar stops at the axis, capless. */
  clipped: boolean;
}

/** Pixels of a point's error bar; null for a point without an interval. */
export function errorBar(
  p: Pick<ChartPoint, 'ci'>,
  px: number,
  yOf: (v: number) => number,
  axisMin = 0,
  cap = 5,
): ErrorBar | null {
  if (!p.ci) return null;
  const lo = Math.max(axisMin, p.ci[0]);
  return { x: px, yHi: yOf(p.ci[1]), yLo: yOf(lo), cap, clipped: p.ci[0] < axisMin };
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
