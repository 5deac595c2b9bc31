import { useState } from 'react';
import { useApp } from '../store';
import { DEBUG_MODES, DEFAULT_DEBUG_MODE } from './levels';

/**
 * What is chosen before a run (AIO_DEBUG_MODE, a timeout) and Start/Stop. Start stays enabled when the command
 * has error-level checks: they are advice (the engine refuses what truly cannot run), so they are shown, not
 * enforced.
 */
export function RunControls({
  running,
  starting,
  stopping,
  onStart,
  onStop,
}: {
  running: boolean;
  starting: boolean;
  stopping: boolean;
  onStart(timeoutS: number | null): void;
  onStop(): void;
}) {
  const { settings, patch, built, system, problems } = useApp();
  const [timeout, setTimeoutText] = useState('');
  const timeoutS = timeout.trim() === '' ? null : Number(timeout);
  const timeoutBad = timeoutS !== null && !(Number.isFinite(timeoutS) && timeoutS > 0);
  const errors = built?.checks.filter((c) => c.severity === 'error') ?? [];
  const example = system?.exampleWorkload.join(' ') === settings.workload.join(' ');

  return (
    <div className="run-controls">
      <div className="field-row">
        <label htmlFor="debug-mode">AIO_DEBUG_MODE</label>
        <select
          id="debug-mode"
          data-testid="debug-mode"
          value={settings.debugMode ?? ''}
          disabled={running}
          onChange={(e) => patch({ debugMode: e.target.value === '' ? null : Number(e.target.value) })}
        >
          {/* Choosing 2 sets AIO_DEBUG_MODE=2 explicitly; this is the way back to leaving it out. */}
          <option value="">not set (engine default {DEFAULT_DEBUG_MODE})</option>
          {DEBUG_MODES.map((m) => (
            <option key={m.value} value={m.value}>
              {m.label}
            </option>
          ))}
        </select>
        <label htmlFor="run-timeout">Timeout</label>
        <input
          id="run-timeout"
          type="number"
          min={1}
          className="narrow"
          placeholder="none"
          data-testid="run-timeout"
          aria-invalid={timeoutBad}
          value={timeout}
          disabled={running}
          onChange={(e) => setTimeoutText(e.target.value)}
        />
        <span className="muted">s</span>
        {running ? (
          <button type="button" data-testid="run-stop" disabled={stopping} onClick={onStop}>
            {stopping ? 'Stopping…' : '■ Stop'}
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            data-testid="run-start"
            disabled={starting || timeoutBad || settings.workload.length === 0 || problems.length > 0}
            onClick={() => onStart(timeoutS)}
          >
            {starting ? 'Starting…' : '▶ Start'}
          </button>
        )}
      </div>
      {problems.length > 0 && !running && (
        <p className="warn-text hint" data-testid="run-blocked">
          Start waits for valid settings:{' '}
          {problems.map((p) => `${p.field}: ${p.message.replace(/\.$/, '')}`).join('; ')}.
        </p>
      )}
      {example && (
        <p className="muted hint" data-testid="example-hint">
          Example workload: examples/bench.py (a small PyTorch benchmark shipped with AIO Tuner; set your own
          in the Workload field above).
        </p>
      )}
      {errors.length > 0 && !running && (
        <p className="warn-text hint" data-testid="run-check-errors">
          {errors.length === 1 ? 'The command has a problem' : `The command has ${errors.length} problems`}:{' '}
          {errors[0]!.message.replace(/\.$/, '')}
          {errors.length > 1 ? ' (see Checks)' : ''}. You can still start it.
        </p>
      )}
    </div>
  );
}
