import type { RunOutcome } from '../../../app/shared/contract';
import { engineLine } from '../../../app/shared/engineline';
import { PLACEMENT_CODES } from '../map/placement';

/**
 * What the tool found about the run (engine-absent, busy-machine, cpus-in-use, noisy…) and the engine probe of
 * its Python, under the numbers they qualify.
 */
export function RunFindings({ outcome }: { outcome: RunOutcome }) {
  // Placement findings sit in the Placement section, beside the evidence they rest on.
  const findings = (outcome.findings ?? []).filter((f) => !PLACEMENT_CODES.has(f.code));
  if (outcome.engine === undefined && findings.length === 0) return null;
  return (
    <div className="result-block run-findings" data-testid="run-findings">
      {outcome.engine !== undefined && (
        <p
          className="run-engine"
          data-testid="run-engine"
          data-present={outcome.engine?.present ?? undefined}
        >
          {engineLine(outcome.engine)}
        </p>
      )}
      {findings.length > 0 && (
        <ul className="finding-list">
          {findings.map((f, i) => (
            <li key={`${f.code}-${i}`} className={`finding finding-${f.severity}`} data-code={f.code}>
              <span className="finding-code">
                {f.severity}: {f.code}
              </span>{' '}
              <span className="finding-message">{f.message}</span>
              {f.fix && <span className="finding-fix"> Fix: {f.fix.label}</span>}
              {f.evidence && f.evidence.length > 0 && (
                <details className="finding-evidence">
                  <summary>evidence</summary>
                  <ul>
                    {f.evidence.map((e, j) => (
                      <li key={j}>
                        {e.source}: <code>{e.value}</code>
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
