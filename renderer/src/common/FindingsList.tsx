import { useId } from 'react';
import type { Finding } from '../../../app/shared/findings';
import { CopyButton } from './CopyButton';
import './findings.css';

const ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Errors first, then warnings, then information; the order given within each. */
export function bySeverity<F extends Finding>(findings: readonly F[]): F[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => ORDER[a.f.severity] - ORDER[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}

/**
 * Findings of the one finding model (app/shared/findings.ts), for any panel: severity, message, the evidence
 * behind it (folded), and the fix — its label, a shell command to copy when it has one, and an Apply button when
 * the panel can apply a settings patch (`onApply`). Generic, so a panel with a richer Finding type keeps it.
 */
export function FindingsList<F extends Finding>({
  findings,
  testId = 'findings',
  title,
  onApply,
  applyLabel = 'Apply',
  evidenceOpen = false,
}: {
  findings: readonly F[];
  testId?: string;
  /** A heading above the list; none when absent. */
  title?: string;
  /** Applies a finding's fix (its `patch` / `removeEnv`); without it the fix's label is shown as advice only. */
  onApply?(f: F): void;
  applyLabel?: string;
  /** Show each finding's evidence unfolded (where it is the point, as in the host doctor's report). */
  evidenceOpen?: boolean;
}) {
  const baseId = useId();
  if (findings.length === 0) return null;
  return (
    <div className="findings" data-testid={testId}>
      {title && <h3 className="findings-title">{title}</h3>}
      <ul>
        {bySeverity(findings).map((f, i) => (
          <li
            key={`${f.code}-${i}`}
            className={`finding finding-${f.severity}`}
            data-testid="finding"
            data-code={f.code}
            data-severity={f.severity}
          >
            <span className={`finding-severity finding-severity-${f.severity}`}>{f.severity}</span>{' '}
            <span className="finding-message">{f.message}</span>{' '}
            <span className="finding-code mono">{f.code}</span>
            {f.evidence && f.evidence.length > 0 && (
              <details className="finding-evidence" data-testid="finding-evidence" open={evidenceOpen}>
                <summary>Evidence ({f.evidence.length})</summary>
                <dl>
                  {f.evidence.map((e, j) => (
                    <div key={j}>
                      <dt>{e.source}</dt>
                      <dd className="mono">{e.value}</dd>
                    </div>
                  ))}
                </dl>
              </details>
            )}
            {f.fix && (
              <div className="finding-fix" data-testid="finding-fix">
                <span>Fix: {f.fix.label}</span>
                {onApply && (f.fix.patch || f.fix.removeEnv) && (
                  <button type="button" data-testid="finding-apply" onClick={() => onApply(f)}>
                    {applyLabel}
                  </button>
                )}
                {f.fix.command && (
                  <>
                    <pre
                      className="finding-command mono"
                      data-testid="finding-command"
                      id={`${baseId}-command-${i}`}
                    >
                      {f.fix.command}
                    </pre>
                    <CopyButton
                      text={f.fix.command}
                      testId="finding-copy"
                      describedBy={`${baseId}-command-${i}`}
                    />
                  </>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One line per finding, for a tooltip ("warning: CV 7.1 % is above 5 %"). */
export function findingsTitle(findings: readonly Finding[]): string {
  return bySeverity(findings)
    .map((f) => `${f.severity}: ${f.message}${f.fix ? ` (fix: ${f.fix.label})` : ''}`)
    .join('\n');
}
