import type { SweepRow } from '../../../app/shared/sweep';
import { buildSeries, niceTicks, scale, tickLabel, type Metric, type Series } from './chart';

const W = 420;
const H = 240;
const M = { top: 12, right: 12, bottom: 38, left: 52 };

/**
 * Latency and throughput against cores, side by side, one series per variant. Hand-drawn SVG: two scatter/line
 * panels do not justify a chart library's weight, and plain elements are easy to test (data-testid per point).
 */
export function SweepChart({ rows, variants }: { rows: readonly SweepRow[]; variants: readonly string[] }) {
  const lat = buildSeries(rows, 'latencyMs', variants);
  const thr = buildSeries(rows, 'throughput', variants);
  const unit = rows.find((r) => r.throughputUnit)?.throughputUnit ?? 'samples/s';
  const legend = [...lat, ...thr].filter((s, i, all) => all.findIndex((x) => x.key === s.key) === i);
  return (
    <div className="sweep-chart" data-testid="sweep-chart">
      <div className="sweep-chart-panels">
        <Panel title="Mean latency (ms) — lower is better" series={lat} metric="latencyMs" rows={rows} />
        <Panel
          title={`Throughput (${unit}) — higher is better`}
          series={thr}
          metric="throughput"
          rows={rows}
        />
      </div>
      <ul className="sweep-legend" aria-label="Series">
        {legend.map((s) => (
          <li key={s.key}>
            <span
              className={s.dashed ? 'sweep-swatch dashed' : 'sweep-swatch'}
              style={s.dashed ? { borderColor: s.color } : { background: s.color }}
            />
            {s.label}
          </li>
        ))}
        {legend.length === 0 && (
          <li className="muted">
            {rows.length
              ? 'No run has produced numbers yet (see the table for why).'
              : 'Points appear here as runs finish.'}
          </li>
        )}
      </ul>
    </div>
  );
}

function Panel({
  title,
  series,
  metric,
  rows,
}: {
  title: string;
  series: Series[];
  metric: Metric;
  rows: readonly SweepRow[];
}) {
  const xs = [...new Set(rows.map((r) => r.cores))].sort((a, b) => a - b);
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const yTicks = niceTicks(Math.max(0, ...ys) * 1.05);
  const yMax = yTicks[yTicks.length - 1]!;
  const x0 = M.left;
  const x1 = W - M.right;
  // Doubling sweeps (1, 2, 4 … 128) crowd the left on a linear axis: use log2 when the range is wide.
  const min = xs[0] ?? 1;
  const max = xs[xs.length - 1] ?? 1;
  const logX = min > 0 && max / min >= 8;
  const pad = 18;
  const xLin = logX
    ? scale(Math.log2(min), Math.log2(max), x0 + pad, x1 - pad)
    : scale(min, max, x0 + pad, x1 - pad);
  const xOf = (v: number) => (xs.length <= 1 ? (x0 + x1) / 2 : xLin(logX ? Math.log2(v) : v));
  const yOf = scale(0, yMax, H - M.bottom, M.top);
  return (
    <figure className="sweep-panel">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} data-metric={metric}>
        {yTicks.map((t) => (
          <g key={t}>
            <line className="grid" x1={x0} x2={x1} y1={yOf(t)} y2={yOf(t)} />
            <text className="tick" x={x0 - 6} y={yOf(t) + 4} textAnchor="end">
              {tickLabel(t)}
            </text>
          </g>
        ))}
        {xs.map((x) => (
          <text key={x} className="tick" x={xOf(x)} y={H - M.bottom + 16} textAnchor="middle">
            {x}
          </text>
        ))}
        <line className="axis" x1={x0} x2={x1} y1={H - M.bottom} y2={H - M.bottom} />
        <line className="axis" x1={x0} x2={x0} y1={M.top} y2={H - M.bottom} />
        <text className="axis-label" x={(x0 + x1) / 2} y={H - 6} textAnchor="middle">
          cores
        </text>
        {series.map((s) => (
          <g key={s.key} data-series={s.key}>
            {s.line.length > 1 && (
              <polyline
                fill="none"
                stroke={s.color}
                strokeWidth={2}
                strokeDasharray={s.dashed ? '6 4' : undefined}
                points={s.line.map((p) => `${xOf(p.x)},${yOf(p.y)}`).join(' ')}
              />
            )}
            {s.points.map((p) => (
              <circle
                key={`${p.row.i}`}
                data-testid="sweep-point"
                data-variant={p.row.variant}
                data-placement={p.row.placement}
                data-cores={p.row.cores}
                cx={xOf(p.x)}
                cy={yOf(p.y)}
                r={4.5}
                fill={s.dashed ? 'var(--bg)' : s.color}
                stroke={s.dashed ? s.color : 'var(--bg)'}
                strokeWidth={1.5}
              >
                <title>
                  {`${p.row.variant}: ${p.row.instances} × ${p.row.threads} thread(s) = ${p.row.cores} cores, ${p.row.placement}` +
                    `${p.row.batch !== null ? `, batch ${p.row.batch}` : ''}, run ${p.row.repeat}: ${tickLabel(p.y)}`}
                </title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
    </figure>
  );
}
