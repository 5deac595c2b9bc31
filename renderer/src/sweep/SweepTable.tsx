import type { SweepRow } from '../../../app/shared/sweep';
import { findingsTitle } from '../common/FindingsList';

const fmt = (v: number | null, d = 2) => (v === null ? '—' : v.toFixed(d));

/** Each instance's mean latency, "1.21 / 1.40 ms": how evenly a multi-instance run shared the machine. */
export function instanceLatencyText(r: SweepRow): string {
  if (!r.instanceRuns?.length) return '—';
  return `${r.instanceRuns.map((x) => fmt(x.latencyMs)).join(' / ')} ms`;
}

/** Every finished run of a sweep, in the order measured. Failed rows stay: a failure is a result too. */
export function SweepTable({ rows }: { rows: readonly SweepRow[] }) {
  if (rows.length === 0) return <p className="muted">No finished runs yet.</p>;
  const multi = rows.some((r) => r.instanceRuns?.length);
  return (
    <div className="sweep-table-wrap">
      <table className="sweep-table" data-testid="sweep-table">
        <thead>
          <tr>
            <th>#</th>
            <th>variant</th>
            <th>inst. × threads</th>
            <th>cores</th>
            <th>placement</th>
            <th>batch</th>
            <th>rep.</th>
            <th>latency ms</th>
            {multi && <th>per instance</th>}
            <th>throughput</th>
            <th>per core</th>
            <th>exit</th>
            <th>log</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.i}
              className={r.exitCode === 0 ? '' : 'failed'}
              data-testid="sweep-row"
              title={r.error ?? ''}
            >
              <td>{r.i + 1}</td>
              <td>{r.variant}</td>
              <td>
                {r.instances} × {r.threads}
              </td>
              <td>{r.cores}</td>
              <td data-testid="sweep-row-placement">{r.placement}</td>
              <td>{r.batch ?? '—'}</td>
              <td>{r.repeat}</td>
              <td className="num">
                {r.findings?.length ? (
                  <span
                    className={
                      r.findings.some((f) => f.severity !== 'info')
                        ? 'warn-text row-findings'
                        : 'muted row-findings'
                    }
                    data-testid="sweep-row-findings"
                    data-codes={r.findings.map((f) => f.code).join(' ')}
                    title={findingsTitle(r.findings)}
                  >
                    ⚑ {r.findings.length}{' '}
                  </span>
                ) : null}
                {fmt(r.latencyMs)}
              </td>
              {multi && (
                <td
                  className="num"
                  data-testid="sweep-row-instances"
                  title="Mean latency of each instance, in instance order"
                >
                  {instanceLatencyText(r)}
                </td>
              )}
              <td className="num">
                {fmt(r.throughput, 1)}
                {r.instances > 1 && r.overlap && (
                  <span className="muted"> (overlap {r.overlap.windowS.toFixed(1)} s)</span>
                )}
              </td>
              <td className="num">{r.throughput === null ? '—' : (r.throughput / r.cores).toFixed(1)}</td>
              <td>{r.exitCode ?? '—'}</td>
              <td className="mono path" title={r.logFile}>
                {r.checks?.length ? (
                  <span
                    className="warn-text"
                    data-testid="sweep-row-checks"
                    title={r.checks.map((c) => `${c.severity}: ${c.message}`).join('\n')}
                  >
                    ⚠ {r.checks.length}{' '}
                  </span>
                ) : null}
                {r.error ? (
                  <span className="inline-error" data-testid={r.skipped ? 'sweep-row-skipped' : undefined}>
                    {r.skipped ? `skipped: ${r.error}` : r.error}
                  </span>
                ) : (
                  r.logFile.split('/').slice(-2).join('/')
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
