import { OP_PRECISION_LABELS, OP_PRECISIONS, type OpsReport } from '../../../app/shared/ops';

export function pctText(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(1)} %`;
}

function Bar({ value, label, testId }: { value: number | null; label: string; testId: string }) {
  const pct = value === null ? 0 : Math.round(value * 1000) / 10;
  return (
    <div className="ops-bar-row">
      <div
        className="ops-bar"
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value === null ? undefined : pct}
        aria-valuetext={value === null ? 'not profiled' : `${pct} %`}
        data-testid={testId}
        data-value={value === null ? '' : String(value)}
      >
        <div className="ops-bar-fill" style={{ width: `${pct}%` }} />
      </div>
      <span className="ops-bar-value">{pctText(value)}</span>
    </div>
  );
}

/** Per precision, the share of op nodes and of time the engine takes over. */
export function CoverageBars({ report }: { report: OpsReport }) {
  return (
    <table className="ops-coverage" data-testid="ops-coverage">
      <caption className="ops-caption">Accelerated share</caption>
      <thead>
        <tr>
          <th scope="col">precision</th>
          <th scope="col">of the ops</th>
          <th scope="col">of the time</th>
        </tr>
      </thead>
      <tbody>
        {OP_PRECISIONS.map((p) => (
          <tr key={p} data-testid={`ops-coverage-${p}`}>
            <th scope="row">{OP_PRECISION_LABELS[p]}</th>
            <td>
              <Bar
                value={report.coverage[p].ops}
                label={`${OP_PRECISION_LABELS[p]}: share of ops accelerated`}
                testId={`ops-bar-ops-${p}`}
              />
            </td>
            <td>
              <Bar
                value={report.coverage[p].time}
                label={`${OP_PRECISION_LABELS[p]}: share of time in accelerated ops`}
                testId={`ops-bar-time-${p}`}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
