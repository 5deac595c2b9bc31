/**
 * Two or more runs side by side, from the engine's own pairwise comparisons of each run with the first (the
 * baseline): one row per setting with every run's value, one row per result with its interval where the run
 * measured one, and each run's change against the baseline. Pure.
 */
import type { HistoryEntry, MetricDelta, RunComparison } from '../../../app/shared/history';
import type { RunInfo } from '../../../app/shared/run';
import { ciText } from '../sweep/view';

export interface CompareColumn {
  entry: HistoryEntry;
  run: RunInfo;
}

export interface SettingRow {
  field: string;
  /** One per column. */
  values: string[];
  /** Every run has the same value. */
  same: boolean;
  /** Per column: differs from the baseline's value (always false for the baseline itself). */
  changed: boolean[];
}

export interface MetricCell {
  text: string;
  /** Against the baseline; null for the baseline's own cell. */
  delta: MetricDelta | null;
  /** Both runs' 95 % intervals overlap: the difference is not clearly more than noise. */
  overlap: boolean;
}

export interface MetricRow {
  metric: string;
  unit: string;
  cells: MetricCell[];
}

export interface CompareModel {
  columns: CompareColumn[];
  settings: SettingRow[];
  metrics: MetricRow[];
}

export const num = (v: number, unit: string): string =>
  unit === 'bytes'
    ? `${(v / 2 ** 20).toFixed(1)} MiB`
    : `${Number(v.toPrecision(6))}${unit === 'ms' ? ' ms' : ''}`;

type Interval = readonly [number, number] | null;

/** The 95 % interval a run measured for a metric, when it printed per-pass values. */
function intervalOf(run: RunInfo, metric: string): { mean: number | null; ci: Interval } | null {
  const r = run.outcome?.results;
  if (metric === 'latency mean' && r?.latencyStats)
    return { mean: r.latencyStats.meanMs, ci: r.latencyStats.ci95Ms };
  if (metric === 'throughput' && r?.throughputStats)
    return { mean: r.throughputStats.value, ci: r.throughputStats.ci95 };
  return null;
}

function cellText(run: RunInfo, metric: string, unit: string, v: number | null): string {
  if (v === null) return '—';
  const stats = intervalOf(run, metric);
  // The same "mean ± half (95 % CI)" the sweep cards show; the mean the run reported stays the figure.
  if (stats) return ciText(v, stats.ci, unit === 'ms' ? 'ms' : unit);
  return num(v, unit);
}

const overlaps = (a: Interval, b: Interval) => a !== null && b !== null && a[0] <= b[1] && b[0] <= a[1];

/**
 * `pairs[i]` compares `columns[0]` (a) with `columns[i + 1]` (b), as `history.compare` returns it. Settings that
 * differ come first, in the engine's order otherwise.
 */
export function compareModel(columns: CompareColumn[], pairs: RunComparison[]): CompareModel {
  if (columns.length < 2 || pairs.length !== columns.length - 1)
    throw new Error(`compare needs two or more runs and one comparison per run after the first`);
  const fields: string[] = [];
  for (const p of pairs) for (const s of p.settings) if (!fields.includes(s.field)) fields.push(s.field);
  const settings = fields.map((field): SettingRow => {
    const base = pairs.map((p) => p.settings.find((s) => s.field === field)).find(Boolean)!.a;
    const values = [
      base,
      ...pairs.map((p, i) => {
        const row = p.settings.find((s) => s.field === field);
        if (row) return row.b;
        // Not in this pair: a variable neither run set (or one the engine leaves out when both have it).
        const env = columns[i + 1]!.run.env;
        return field.startsWith('$') ? (env[field.slice(1)] ?? '—') : '—';
      }),
    ];
    return {
      field,
      values,
      same: values.every((v) => v === values[0]),
      changed: values.map((v, i) => i > 0 && v !== values[0]),
    };
  });
  settings.sort((x, y) => Number(x.same) - Number(y.same));

  const metrics = pairs[0]!.metrics.map((m0, mi): MetricRow => {
    const base = columns[0]!.run;
    return {
      metric: m0.metric,
      unit: m0.unit,
      cells: [
        { text: cellText(base, m0.metric, m0.unit, m0.a), delta: null, overlap: false },
        ...pairs.map((p, i) => {
          const m = p.metrics[mi]!;
          const run = columns[i + 1]!.run;
          return {
            text: cellText(run, m.metric, m.unit, m.b),
            delta: m,
            overlap: overlaps(intervalOf(base, m.metric)?.ci ?? null, intervalOf(run, m.metric)?.ci ?? null),
          };
        }),
      ],
    };
  });
  return { columns, settings, metrics };
}
