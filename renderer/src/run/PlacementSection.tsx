/**
 * Proof of placement of a finished run (outcome.proof): its threads and where each lived, the perf counters
 * (refused ones listed with perf's reason, never as 0), the selected CPUs' frequency, and the placement findings.
 */
import type { RunOutcome } from '../../../app/shared/contract';
import { FindingsList } from '../common/FindingsList';
import { formatBytes } from '../common/format';
import { counterRows, PLACEMENT_CODES, threadRows } from '../map/placement';

const MAX_THREADS = 24;

export function PlacementSection({ outcome, selection }: { outcome: RunOutcome; selection: number[] }) {
  const proof = outcome.proof;
  const findings = (outcome.findings ?? []).filter((f) => PLACEMENT_CODES.has(f.code));
  if (!proof && findings.length === 0) return null;
  const { rows, idle } = proof ? threadRows(proof, selection) : { rows: [], idle: 0 };
  const memory = proof ? Object.entries(proof.memoryByNode) : [];
  const freq = proof ? Object.entries(proof.cpuFreqMHz) : [];
  const throttled = proof?.throttle ? Object.entries(proof.throttle).filter(([, n]) => n > 0) : [];
  return (
    <div className="result-block placement-section" data-testid="placement-section">
      <h3>Placement</h3>
      {proof && (
        <p className="muted" data-testid="placement-samples">
          {proof.samples} samples
          {proof.samplerCpuPercent !== null
            ? ` · sampler used ${proof.samplerCpuPercent.toFixed(1)}% of a CPU`
            : ''}
          {memory.length > 0 &&
            ` · resident memory by node: ${memory.map(([n, b]) => `node ${n} ${formatBytes(b)}`).join(', ')}`}
        </p>
      )}
      {rows.length > 0 && (
        <table data-testid="placement-threads">
          <thead>
            <tr>
              <th>tid</th>
              <th>name</th>
              <th>CPU time</th>
              <th>lived on</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, MAX_THREADS).map((t) => (
              <tr
                key={t.tid}
                data-tid={t.tid}
                data-outside={t.outside || undefined}
                className={t.outside ? 'warn-text' : ''}
              >
                <td className="num mono">{t.tid}</td>
                <td className="mono">{t.name}</td>
                <td className="num">{Math.round(t.cpuTimeMs)} ms</td>
                <td>
                  {t.where}
                  {t.outside ? ' — outside the selection' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {proof && (rows.length > MAX_THREADS || idle > 0) && (
        <p className="muted">
          {rows.length > MAX_THREADS ? `${rows.length - MAX_THREADS} more threads not listed. ` : ''}
          {idle > 0 ? `${idle} thread(s) used no CPU time.` : ''}
        </p>
      )}
      {proof?.counters && (
        <dl className="result-grid placement-counters" data-testid="placement-counters">
          {counterRows(proof.counters).map((c) => (
            <div key={c.name} data-counter={c.name} data-unavailable={c.value === null || undefined}>
              <dt>{c.name}</dt>
              <dd>{c.value ?? <span className="muted">unavailable: {c.reason}</span>}</dd>
            </div>
          ))}
        </dl>
      )}
      {proof && !proof.counters && <p className="muted">No counters: perf was not run.</p>}
      {freq.length > 0 && (
        <p data-testid="placement-freq">
          CPU frequency:{' '}
          {freq
            .map(([cpu, f]) => `CPU ${cpu} ${Math.round(f.mean)} MHz (min ${Math.round(f.min)})`)
            .join(', ')}
        </p>
      )}
      {throttled.length > 0 && (
        <p className="warn-text" data-testid="placement-throttle">
          Throttled: {throttled.map(([cpu, n]) => `CPU ${cpu} ${n}×`).join(', ')}
        </p>
      )}
      <FindingsList findings={findings} testId="placement-findings" />
    </div>
  );
}
