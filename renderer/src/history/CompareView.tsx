import type { MetricDelta, RunComparison } from '../../../app/shared/history';

const fmt = (v: number | null, unit: string) => {
  if (v === null) return '—';
  if (unit === 'bytes') return `${(v / 2 ** 20).toFixed(1)} MiB`;
  return `${Number(v.toPrecision(6))}${unit === 'ms' ? ' ms' : ''}`;
};

function Delta({ m }: { m: MetricDelta }) {
  if (m.delta === null) return <>—</>;
  const sign = m.delta > 0 ? '+' : '';
  const cls = m.better === 'b' ? 'better' : m.better === 'a' ? 'worse' : '';
  return (
    <span className={cls}>
      {sign}
      {m.unit === 'bytes' ? `${(m.delta / 2 ** 20).toFixed(1)} MiB` : Number(m.delta.toPrecision(4))}
      {m.pct !== null ? ` (${sign}${m.pct.toFixed(1)}%)` : ''}
    </span>
  );
}

/** Two runs side by side: settings (differences first and marked), then results with B − A. */
export function CompareView({ c, onClose }: { c: RunComparison; onClose(): void }) {
  const settings = [...c.settings].sort((x, y) => Number(x.same) - Number(y.same));
  return (
    <div className="compare-view" data-testid="compare-view">
      <header className="compare-head">
        <h3>Compare</h3>
        <button type="button" className="icon-button" aria-label="Close comparison" onClick={onClose}>
          ×
        </button>
      </header>
      <table className="compare-table">
        <thead>
          <tr>
            <th />
            <th>A: {c.a.id}</th>
            <th>B: {c.b.id}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>started</th>
            <td>{new Date(c.a.time).toLocaleString()}</td>
            <td>{new Date(c.b.time).toLocaleString()}</td>
          </tr>
          {settings.map((s) => (
            <tr
              key={s.field}
              className={s.same ? 'same' : 'differs'}
              data-testid={s.same ? undefined : 'compare-diff'}
            >
              <th>{s.field}</th>
              <td className="mono">{s.a}</td>
              <td className="mono">{s.b}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="compare-table">
        <thead>
          <tr>
            <th>result</th>
            <th>A</th>
            <th>B</th>
            <th>B − A</th>
          </tr>
        </thead>
        <tbody>
          {c.metrics.map((m) => (
            <tr key={m.metric}>
              <th>
                {m.metric}
                {m.unit && m.unit !== 'bytes' && m.unit !== 'ms' ? ` (${m.unit})` : ''}
              </th>
              <td className="num">{fmt(m.a, m.unit)}</td>
              <td className="num">{fmt(m.b, m.unit)}</td>
              <td className="num">
                <Delta m={m} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
