/**
 * Host readiness (issue 14): the host doctor's report for the machine the next run goes to, beside the
 * command's checks so it is seen before Start. Problems come grouped by severity, each with what was read and
 * the command that fixes it (to copy; the fix's label says whether it survives a reboot); the checks that passed
 * and those that could not be made here are folded below, counted in the header.
 */
import type { DoctorReport, DoctorSource } from '../../../app/shared/doctor';
import type { FindingSeverity } from '../../../app/shared/findings';
import { Section } from '../common/Section';
import { FindingsList } from '../common/FindingsList';
import { plural } from '../common/format';
import type { DoctorState } from './useDoctorReport';
import './doctor.css';

const GROUPS: { severity: FindingSeverity; title: string; one: string; many: string }[] = [
  { severity: 'error', title: 'Errors', one: 'error', many: 'errors' },
  { severity: 'warning', title: 'Warnings', one: 'warning', many: 'warnings' },
  { severity: 'info', title: 'Information', one: 'info', many: 'info' },
];

/** "1 error · 2 warnings · 9 passed · 3 skipped": problems only when there are some, passes and skips always. */
export function doctorCounts(report: DoctorReport): string {
  const parts = GROUPS.map((g) => {
    const n = report.checks.filter((c) => c.severity === g.severity).length;
    return n > 0 ? plural(n, g.one, g.many) : null;
  }).filter((p): p is string => p !== null);
  if (parts.length === 0) parts.push('no problems');
  parts.push(`${report.passed.length} passed`, `${report.skipped.length} skipped`);
  return parts.join(' · ');
}

function sourceText(source: DoctorSource): string {
  if (source.kind === 'target') return source.url;
  if (source.kind === 'sysroot') return `The dump at ${source.path}`;
  return 'This machine';
}

function checkedText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

/** `doctor` comes from the workspace, whose header shows the same report's counts: one check, two views. */
export function HostReadiness({ doctor }: { doctor: DoctorState }) {
  const { report, error, checking, target, held, recheck } = doctor;
  const state = error !== null ? 'error' : report ? 'ready' : 'checking';
  return (
    <Section
      title="Host readiness"
      className="host-readiness"
      testId="host-readiness"
      actions={
        <>
          <span className="muted" role="status" aria-live="polite" data-testid="doctor-counts">
            {checking ? 'Checking…' : report ? doctorCounts(report) : ''}
          </span>
          <button
            type="button"
            data-testid="doctor-recheck"
            disabled={checking || target === null}
            onClick={recheck}
          >
            Check again
          </button>
        </>
      }
    >
      <div
        className="doctor-body"
        data-state={state}
        data-target={target ?? undefined}
        aria-busy={checking}
        data-testid="doctor-body"
      >
        {held && (
          <p className="muted doctor-held" data-testid="doctor-held">
            Not checked again while a run goes (the checks would take CPU from it); checked when it ends.
          </p>
        )}
        {error !== null && (
          <p className="inline-error" data-testid="doctor-error">
            Could not check the machine: {error}
          </p>
        )}
        {error === null && !report && !held && <p className="muted">Checking the machine…</p>}
        {report && <Report report={report} />}
      </div>
    </Section>
  );
}

function Report({ report }: { report: DoctorReport }) {
  return (
    <>
      <p className="muted doctor-meta" data-testid="doctor-meta">
        {sourceText(report.source)} · checked{' '}
        <time dateTime={report.checkedAt} title={report.checkedAt}>
          {checkedText(report.checkedAt)}
        </time>{' '}
        for this run&apos;s settings
      </p>
      {report.checks.length === 0 && (
        <p className="doctor-clean" data-testid="doctor-clean">
          Nothing found that would spoil a run here.
        </p>
      )}
      {GROUPS.map((g) => {
        const findings = report.checks.filter((c) => c.severity === g.severity);
        return (
          <FindingsList
            key={g.severity}
            findings={findings}
            title={`${g.title} (${findings.length})`}
            testId={`doctor-${g.severity}`}
            // What was read is the point of a problem; information keeps it folded so the panel stays short.
            evidenceOpen={g.severity !== 'info'}
          />
        );
      })}
      <details className="sub doctor-passed" data-testid="doctor-passed">
        <summary>Passed checks ({report.passed.length})</summary>
        {report.passed.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul className="doctor-list">
            {report.passed.map((p, i) => (
              <li key={`${p.code}-${i}`} data-testid="doctor-pass" data-code={p.code}>
                <code className="finding-code">{p.code}</code> <span>{p.message}</span>
                {p.evidence.length > 0 && (
                  <dl className="doctor-evidence">
                    {p.evidence.map((e, j) => (
                      <div key={j}>
                        <dt>{e.source}</dt>
                        <dd className="mono">{e.value}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </li>
            ))}
          </ul>
        )}
      </details>
      <details className="sub doctor-skipped" data-testid="doctor-skipped">
        <summary>Skipped checks ({report.skipped.length})</summary>
        {report.skipped.length === 0 ? (
          <p className="muted">None: every check could be made here.</p>
        ) : (
          <ul className="doctor-list">
            {report.skipped.map((s, i) => (
              <li key={`${s.code}-${i}`} data-testid="doctor-skip" data-code={s.code}>
                <code className="finding-code">{s.code}</code> <span className="muted">{s.reason}</span>
              </li>
            ))}
          </ul>
        )}
      </details>
    </>
  );
}
