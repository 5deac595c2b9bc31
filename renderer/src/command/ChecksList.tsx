import { useApp } from '../store';
import { applyFix } from '../../../app/shared/command';
import type { Check, Severity } from '../../../app/shared/command';

// Plain glyphs inside CSS-drawn badges: emoji fonts are often missing on headless servers.
const ICON: Record<Severity, string> = { error: '×', warning: '!', info: 'i' };
const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** The engine's findings about the current settings, worst first, each with its one-click fix when there is one. */
export function ChecksList() {
  const { built, settings, setSettings, selectCpus, activeRun } = useApp();
  // The engine's own fix application (patch, then removeEnv), so a fix does in the app what it does in the CLI.
  const fix = (c: Check) => {
    if (!c.fix) return;
    setSettings(applyFix(settings, c.fix));
    // Keep the selection in the (node, id) order the rest of the UI relies on.
    if (c.fix.patch.cpus) selectCpus(c.fix.patch.cpus);
  };
  const checks: Check[] = [...(built?.checks ?? [])].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  return (
    <section className="section checks" aria-label="Checks" data-testid="checks">
      <header className="section-header">
        <h2>Checks</h2>
        <span className="muted">
          {checks.length === 0 ? 'no findings' : `${checks.length} finding${checks.length === 1 ? '' : 's'}`}
        </span>
      </header>
      <ul className="check-list">
        {checks.map((c) => (
          <li key={c.code + c.message} className={`check check-${c.severity}`} data-code={c.code}>
            <span className="check-icon" role="img" aria-label={c.severity}>
              {ICON[c.severity]}
            </span>
            <div className="check-body">
              <code className="check-code">{c.code}</code>
              <span className="check-message">{c.message}</span>
              {/* While a run goes these are its findings; a fix would change the form, not the run. */}
              {c.fix && !activeRun && (
                <button type="button" className="fix" data-testid={`fix-${c.code}`} onClick={() => fix(c)}>
                  Fix: {c.fix.label}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
