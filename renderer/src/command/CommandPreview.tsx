import { useState, type ReactNode } from 'react';
import { useApp } from '../store';
import { CopyButton } from '../common/CopyButton';
import type { BuiltCommand } from '../../../app/shared/command';
import { Words } from './Words';
import { useAskedRunCpu } from './useAskedRunCpu';
import './command.css';

type FormKey = 'shell' | 'script' | 'dockerRun' | 'dockerExec' | 'envFile';

const FORMS: { key: FormKey | string; label: string; testId: string }[] = [
  { key: 'shell', label: 'bash line', testId: 'preview-bash' },
  { key: 'script', label: 'script', testId: 'preview-script' },
  { key: 'dockerRun', label: 'docker run', testId: 'preview-docker-run' },
  { key: 'dockerExec', label: 'docker exec', testId: 'preview-docker-exec' },
  { key: 'envFile', label: 'env file', testId: 'preview-env' },
];

const NUMACTL_FORMS = new Set<string>(FORMS.map((f) => f.key));

/**
 * The built command in every form, live; each text comes from the engine so it is exactly what runs. Beside the
 * numactl forms, one tab per launcher syntax the engine renders (taskset, docker --cpuset, systemd-run, run_cpu,
 * OpenMP, …), each with what it cannot express.
 */
export function CommandPreview({ actions }: { actions?: ReactNode }) {
  const { built, buildError, activeRun, settings } = useApp();
  const [form, setForm] = useState<string>('shell');
  const launchers = built?.launchers ?? {};
  const tabs = [
    ...FORMS,
    ...Object.keys(launchers).map((format) => ({ key: format, label: format, testId: `preview-${format}` })),
  ];
  const current = tabs.find((f) => f.key === form) ?? tabs[0]!;
  const asked = useAskedRunCpu(activeRun?.settings ?? settings, current.key === 'run_cpu');
  const launcher = NUMACTL_FORMS.has(current.key)
    ? null
    : current.key === 'run_cpu' && asked
      ? asked
      : (launchers[current.key] ?? null);
  const text = !built
    ? ''
    : launcher
      ? launcher.text
      : (built[current.key as FormKey] as BuiltCommand[FormKey]);
  return (
    <section className="section command-preview" aria-label="Command preview">
      <header className="section-header">
        <div role="tablist" aria-label="Command forms" className="tabs">
          {tabs.map((f) => (
            <button
              key={f.key}
              type="button"
              role="tab"
              id={`tab-${f.testId}`}
              aria-selected={f.key === current.key}
              aria-controls="preview-panel"
              data-testid={`tab-${f.testId}`}
              className={f.key === current.key ? 'tab active' : 'tab'}
              onClick={() => setForm(f.key)}
            >
              {f.label}
            </button>
          ))}
        </div>
        <div className="section-actions">
          {actions}
          <CopyButton text={text} testId="copy-command" />
        </div>
      </header>
      {activeRun && (
        <p className="muted hint" data-testid="preview-running" data-run={activeRun.runId}>
          Showing the command of the running run {activeRun.runId}; edits to the settings apply to the next
          run.
        </p>
      )}
      <div id="preview-panel" role="tabpanel" aria-labelledby={`tab-${current.testId}`}>
        {buildError ? (
          <p className="inline-error" role="alert">
            {buildError}
          </p>
        ) : (
          <pre className="preview preview-words mono" data-testid={current.testId} tabIndex={0}>
            {built ? <Words text={text} /> : 'Loading the machine and the command…'}
          </pre>
        )}
        {launcher && launcher.limits.length > 0 && (
          <ul
            className="launcher-limits muted"
            data-testid="preview-limits"
            aria-label={`What ${current.label} cannot express`}
          >
            {launcher.limits.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
