import { OP_PRECISION_LABELS, OP_PRECISIONS, type OpsReport } from '../../../app/shared/ops';
import { pctText } from './CoverageBars';

export function opLabel(o: { kind: string; variant?: string }): string {
  return o.variant ? `${o.kind} [${o.variant}]` : o.kind;
}

export function msText(x: number | undefined): string {
  return x === undefined ? '—' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** The graph's ops, heaviest first (by time when profiled), with the precisions the engine accelerates each at. */
export function OpTable({ report }: { report: OpsReport }) {
  const profiled = report.profile !== undefined;
  const total = report.profile?.opsMs ?? 0;
  return (
    <div className="ops-table-wrap" tabIndex={0} role="region" aria-label="Ops of the model">
      <table className="ops-table" data-testid="ops-table">
        <thead>
          <tr>
            <th scope="col">op</th>
            <th scope="col">op table</th>
            <th scope="col">count</th>
            {profiled && <th scope="col">ms / pass</th>}
            {profiled && <th scope="col">time</th>}
            {OP_PRECISIONS.map((p) => (
              <th scope="col" key={p}>
                {OP_PRECISION_LABELS[p]}
              </th>
            ))}
            <th scope="col">note</th>
          </tr>
        </thead>
        <tbody>
          {report.ops.map((o) => (
            <tr
              key={opLabel(o)}
              data-testid="ops-row"
              data-kind={o.kind}
              className={o.table === null ? 'ops-unknown' : ''}
            >
              <td className="ops-kind">{opLabel(o)}</td>
              <td>{o.table ?? <span className="muted">not in the table</span>}</td>
              <td className="num">{o.count}</td>
              {profiled && <td className="num">{msText(o.timeMs)}</td>}
              {profiled && <td className="num">{total > 0 ? pctText((o.timeMs ?? 0) / total) : '—'}</td>}
              {OP_PRECISIONS.map((p) => (
                <td key={p} className={`ops-mark ${o.accelerated[p] ? 'yes' : 'no'}`} data-precision={p}>
                  {o.accelerated[p] ? '✓ yes' : '✗ no'}
                </td>
              ))}
              <td className="muted">{o.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.ops.length === 0 && <p className="muted">The graph has no ops.</p>}
      {report.structural.length > 0 && (
        <p className="muted ops-structural">
          Not counted (they compute nothing):{' '}
          {report.structural.map((s) => `${s.kind} ×${s.count}`).join(', ')}
        </p>
      )}
    </div>
  );
}
