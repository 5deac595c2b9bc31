import type { ConfigStats, SweepRow } from '../../../app/shared/sweep';
import {
  buildConfigSeries,
  buildSeries,
  errorBar,
  niceTicks,
  scale,
  seriesMax,
  tickLabel,
  type Metric,
  type Series,
} from './chart';

const W = 420;
const H = 240;
const M = { top: 12, right: 12, bottom: 38, left: 52 };

/**
 * Latency and throughput against cores, side by side, one series per variant. Hand-drawn SVG: two scatter/line
 * panels do not justify a chart library's weight, and plain elements are easy to test (data-testid per point).
 * With `configs` (a finished sweep with statistics) each configuration is one point at its mean with its 95 %
 * confidence interval as an error bar; without (running, or an older record) one point per row, as measured.
 */
export function SweepChart({
  rows,
  variants,
  configs,
}: {
  rows: readonly SweepRow[];
  variants: readonly string[];
  configs?: readonly ConfigStats[];
}) {
  const build = (metric: Metric) =>
    configs ? buildConfigSeries(configs, rows, metric, variants) : buildSeries(rows, metric, variants);
  const lat = build('latencyMs');
  const thr = build('throughput');
  const unit =
    configs?.find((c) => c.throughputStats.unit)?.throughputStats.unit ??
    rows.find((r) => r.throughputUnit)?.throughputUnit ??
    'samples/s';
  const legend = [...lat, ...thr].filter((s, i, all) => all.findIndex((x) => x.key === s.key) === i);
  const points = [...lat, ...thr].flatMap((s) => s.points);
  const withoutCi = configs ? points.filter((p) => !p.ci).length : 0;
  return (
    <div className="sweep-chart" data-testid="sweep-chart" data-mode={configs ? 'configs' : 'rows'}>
      <div className="sweep-chart-panels">
        <Panel
          title={`${configs ? 'Mean latency (ms, 95 % CI)' : 'Mean latency (ms)'} — lower is better`}
          series={lat}
          metric="latencyMs"
          rows={rows}
          configs={configs}
        />
        <Panel
          title={`Throughput (${unit}${configs ? ', 95 % CI' : ''}) — higher is better`}
          series={thr}
          metric="throughput"
          rows={rows}
          configs={configs}
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
        {configs && points.length > withoutCi && (
          <li className="muted" data-testid="sweep-ci-legend">
            <span className="sweep-errorbar-key" aria-hidden="true" />
            bar: 95 % confidence interval of the mean
          </li>
        )}
        {withoutCi > 0 && (
          <li className="muted" data-testid="sweep-noci-legend">
            point without a bar: no interval: one value
          </li>
        )}
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
  configs,
}: {
  title: string;
  series: Series[];
  metric: Metric;
  rows: readonly SweepRow[];
  configs?: readonly ConfigStats[];
}) {
  const xs = [...new Set((configs ?? rows).map((r) => r.cores))].sort((a, b) => a - b);
  const yTicks = niceTicks(seriesMax(series) * 1.05);
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
  // Series sharing an x (fp32 and off at 2 cores) would hide each other's bars: nudge each series sideways.
  const nudge = (k: number) => (configs && series.length > 1 ? (k - (series.length - 1) / 2) * 7 : 0);
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
        {series.map((s, k) => (
          <g key={s.key} data-series={s.key}>
            {s.line.length > 1 && (
              <polyline
                fill="none"
                stroke={s.color}
                strokeWidth={2}
                strokeDasharray={s.dashed ? '6 4' : undefined}
                points={s.line.map((p) => `${xOf(p.x) + nudge(k)},${yOf(p.y)}`).join(' ')}
              />
            )}
            {s.reps.map((r) => (
              <circle
                key={`r${r.id}`}
                className="sweep-rep"
                data-testid="sweep-rep"
                cx={xOf(r.x) + nudge(k)}
                cy={yOf(r.y)}
                r={2}
                fill={s.color}
              />
            ))}
            {s.points.map((p) => {
              const px = xOf(p.x) + nudge(k);
              const bar = errorBar(p, px, yOf);
              return (
                <g key={p.id}>
                  {bar && (
                    <g
                      className="sweep-errorbar"
                      data-testid="sweep-errorbar"
                      data-variant={p.variant}
                      data-cores={p.cores}
                      data-lo={p.ci![0]}
                      data-hi={p.ci![1]}
                      stroke={s.color}
                      strokeWidth={1.5}
                    >
                      <line x1={bar.x} x2={bar.x} y1={bar.yHi} y2={bar.yLo} />
                      <line x1={bar.x - bar.cap} x2={bar.x + bar.cap} y1={bar.yHi} y2={bar.yHi} />
                      {!bar.clipped && (
                        <line x1={bar.x - bar.cap} x2={bar.x + bar.cap} y1={bar.yLo} y2={bar.yLo} />
                      )}
                    </g>
                  )}
                  <circle
                    data-testid="sweep-point"
                    data-variant={p.variant}
                    data-placement={p.placement}
                    data-cores={p.cores}
                    data-mean={p.y}
                    data-ci={p.ci ? 'yes' : 'no'}
                    cx={px}
                    cy={yOf(p.y)}
                    r={4.5}
                    fill={s.dashed ? 'var(--bg)' : s.color}
                    stroke={p.findings ? 'var(--warn)' : s.dashed ? s.color : 'var(--bg)'}
                    strokeWidth={p.findings ? 2.5 : 1.5}
                  >
                    <title>{p.title}</title>
                  </circle>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
    </figure>
  );
}
