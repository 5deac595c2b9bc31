import type { DoctorState } from '../doctor/useDoctorReport';
import { TargetPicker } from '../targets/TargetPicker';
import { useApp } from '../store';
import { plural } from '../common/format';
import { useWorkspace } from './areas';
import { THEMES, setTheme, useTheme, type Theme } from './theme';
import { topologySource } from './topologySource';

const THEME_LABEL: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Always on screen: which app, where runs go, what machine the map is, whether the host is ready, the theme. */
export function Header({ doctor }: { doctor: DoctorState }) {
  const { system, topology } = useApp();
  return (
    <header className="app-header">
      <h1>AIO Tuner</h1>
      {system && (
        <span className="muted app-meta">
          v{system.version} · {system.shell} mode ·{' '}
          {system.numactl.available
            ? `numactl ${system.numactl.version ?? 'available'}`
            : 'numactl not found'}
        </span>
      )}
      <TargetPicker />
      {topology && <SourceBadge />}
      <Readiness doctor={doctor} />
      <ThemeToggle />
    </header>
  );
}

function SourceBadge() {
  const { system, topology } = useApp();
  const src = topologySource(topology!, system?.topologyOrigin ?? null);
  return (
    <span className="header-source" data-testid="header-source" data-kind={src.kind} title={src.text}>
      Topology:{' '}
      <strong>
        {src.kind === 'host' ? 'this host' : `${src.kind === 'sysroot' ? 'sysroot' : 'imported'}`}
      </strong>
      {src.kind !== 'host' && <span className="mono header-source-path"> {src.text}</span>}
    </span>
  );
}

/** The doctor's counts in a few characters; the details are in Host, one click away. */
function Readiness({ doctor }: { doctor: DoctorState }) {
  const { go } = useWorkspace();
  const { report, error, checking } = doctor;
  const count = (s: string) => report?.checks.filter((c) => c.severity === s).length ?? 0;
  const errors = count('error');
  const warnings = count('warning');
  let text: string;
  let state: string;
  if (error !== null) {
    text = 'host check failed';
    state = 'error';
  } else if (!report) {
    text = checking ? 'checking host…' : 'host not checked yet';
    state = 'pending';
  } else if (errors + warnings === 0) {
    text = `host ready · ${report.passed.length} passed`;
    state = 'ok';
  } else {
    text = [errors > 0 ? plural(errors, 'error') : null, warnings > 0 ? plural(warnings, 'warning') : null]
      .filter(Boolean)
      .join(' · ');
    state = errors > 0 ? 'error' : 'warning';
  }
  return (
    <button
      type="button"
      className="header-readiness"
      data-testid="header-readiness"
      data-state={state}
      title="Host readiness: open the Host area for the findings and their fixes"
      onClick={() => go('host')}
    >
      <span className="readiness-dot" aria-hidden="true" />
      {text}
    </button>
  );
}

function ThemeToggle() {
  const theme = useTheme();
  return (
    <div className="theme-toggle" role="group" aria-label="Theme">
      {THEMES.map((t) => (
        <button
          key={t}
          type="button"
          data-testid={`theme-${t}`}
          aria-pressed={theme === t}
          onClick={() => setTheme(t)}
        >
          {THEME_LABEL[t]}
        </button>
      ))}
    </div>
  );
}
