import { useState, type ReactNode } from 'react';
import { useApp } from '../store';
import { CopyButton } from '../common/CopyButton';
import type { BuiltCommand } from '../../../app/shared/command';
import { Words } from './Words';
import './command.css';

type FormKey = 'shell' | 'script' | 'dockerRun' | 'dockerExec' | 'envFile';

const FORMS: { key: FormKey; label: string; testId: string }[] = [
  { key: 'shell', label: 'bash line', testId: 'preview-bash' },
  { key: 'script', label: 'script', testId: 'preview-script' },
  { key: 'dockerRun', label: 'docker run', testId: 'preview-docker-run' },
  { key: 'dockerExec', label: 'docker exec', testId: 'preview-docker-exec' },
  { key: 'envFile', label: 'env file', testId: 'preview-env' },
];

/** The built command in every form, live; each text comes from the engine so it is exactly what runs. */
export function CommandPreview({ actions }: { actions?: ReactNode }) {
  const { built, buildError, activeRun } = useApp();
  const [form, setForm] = useState<FormKey>('shell');
  const current = FORMS.find((f) => f.key === form)!;
  const text = built ? (built[form] as BuiltCommand[FormKey]) : '';
  return (
    <section className="section command-preview" aria-label="Command preview">
      <header className="section-header">
        <div role="tablist" aria-label="Command forms" className="tabs">
          {FORMS.map((f) => (
            <button
              key={f.key}
              type="button"
              role="tab"
              id={`tab-${f.testId}`}
              aria-selected={f.key === form}
              aria-controls="preview-panel"
              data-testid={`tab-${f.testId}`}
              className={f.key === form ? 'tab active' : 'tab'}
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
      </div>
    </section>
  );
}
