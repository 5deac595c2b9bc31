import type { MetricDelta } from '../../../app/shared/history';
import { targetText } from './targetText';
import type { CompareModel, MetricCell } from './compareMany';

function Delta({ m, overlap }: { m: MetricDelta; overlap: boolean }) {
  if (m.delta === null) return null;
  const sign = m.delta > 0 ? '+' : '';
  // Intervals that overlap do not say which run is better: no colour, and the reason on the cell.
  const cls = overlap ? 'overlap' : m.better === 'b' ? 'better' : m.better === 'a' ? 'worse' : '';
  return (
    <span
      className={`compare-delta ${cls}`}
      data-testid="compare-delta"
      title={overlap ? 'the two 95 % intervals overlap: not clearly different' : undefined}
    >
      {sign}
      {m.unit === 'bytes' ? `${(m.delta / 2 ** 20).toFixed(1)} MiB` : Number(m.delta.toPrecision(4))}
      {m.pct !== null ? ` (${sign}${m.pct.toFixed(1)}%)` : ''}
      {overlap ? ' · intervals overlap' : ''}
    </span>
  );
}

function Cell({ c }: { c: MetricCell }) {
  return (
    <td className="num">
      {c.text}
      {/* No change says nothing the figures do not already show. */}
      {c.delta && c.delta.delta !== null && c.delta.delta !== 0 && (
        <>
          <br />
          <Delta m={c.delta} overlap={c.overlap} />
        </>
      )}
    </td>
  );
}

/**
 * Two or more runs side by side, one column each, the first the baseline: settings (those that differ first,
 * marked, and each value that differs from the baseline's), then results with their interval and the change
 * against the baseline.
 */
export function CompareView({
  model,
  onClose,
  onBaseline,
}: {
  model: CompareModel;
  onClose(): void;
  /** Make another run the one the others are measured against. */
  onBaseline(id: string): void;
}) {
  const { columns, settings, metrics } = model;
  return (
    <div className="compare-view" data-testid="compare-view" data-runs={columns.length}>
      <header className="compare-head">
        <h3>
          Compare {columns.length} runs <span className="muted">(changes against the first)</span>
        </h3>
        <button type="button" className="icon-button" aria-label="Close comparison" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="compare-scroll">
        <table className="compare-table">
          <thead>
            <tr>
              <th scope="col">setting</th>
              {columns.map((c, i) => (
                <th key={c.entry.id} scope="col" data-testid="compare-run" data-id={c.entry.id}>
                  {i === 0 ? 'baseline: ' : ''}
                  <span className="mono">{c.entry.id}</span>
                  {i > 0 && (
                    <>
                      {' '}
                      <button
                        type="button"
                        className="link-button"
                        data-testid="compare-baseline"
                        aria-label={`make baseline ${c.entry.id}`}
                        onClick={() => onBaseline(c.entry.id)}
                      >
                        make baseline
                      </button>
                    </>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">started</th>
              {columns.map((c) => (
                <td key={c.entry.id}>{new Date(c.entry.time).toLocaleString()}</td>
              ))}
            </tr>
            <tr>
              <th scope="row">host</th>
              {columns.map((c) => (
                <td key={c.entry.id} title={c.entry.host}>
                  {targetText(c.entry.host)}
                </td>
              ))}
            </tr>
            {settings.map((s) => (
              <tr
                key={s.field}
                className={s.same ? 'same' : 'differs'}
                data-testid={s.same ? undefined : 'compare-diff'}
              >
                <th scope="row">{s.field}</th>
                {s.values.map((v, i) => (
                  <td
                    key={columns[i]!.entry.id}
                    className={s.changed[i] ? 'mono changed' : 'mono'}
                    data-changed={s.changed[i] ? 'true' : undefined}
                  >
                    {v}
                  </td>
                ))}
              </tr>
            ))}
            <tr className="compare-section">
              <th scope="colgroup" colSpan={columns.length + 1}>
                results <span className="muted">(change against the baseline under each)</span>
              </th>
            </tr>
            {metrics.map((m) => (
              <tr key={m.metric} data-testid="compare-metric" data-metric={m.metric}>
                <th scope="row">
                  {m.metric}
                  {m.unit && m.unit !== 'bytes' && m.unit !== 'ms' ? ` (${m.unit})` : ''}
                </th>
                {m.cells.map((c, i) => (
                  <Cell key={columns[i]!.entry.id} c={c} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
