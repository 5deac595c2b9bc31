import { useEffect, useMemo, useRef, useState } from 'react';
import { call } from '../api';
import { useApp } from '../store';
import { Section } from '../common/Section';
import { downloadText } from '../common/download';
import type { RowCheck, SweepProgress, SweepRow } from '../../../app/shared/sweep';
import { SweepBuilder } from './SweepBuilder';
import { SweepResults } from './SweepResults';
import { buildSpec, DEFAULT_FORM, restoreForm, type SweepForm } from './form';
import { useSweep } from './useSweep';
import './sweep.css';

const FORM_KEY = 'aio-tuner.sweep-form';

function loadForm(): SweepForm {
  try {
    const saved = localStorage.getItem(FORM_KEY);
    return saved ? restoreForm(JSON.parse(saved) as Partial<SweepForm>) : DEFAULT_FORM;
  } catch {
    return DEFAULT_FORM;
  }
}

export function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return m >= 60
    ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`
    : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** "Run i of n", elapsed and estimated time left, ticking between events. */
function ProgressLine({
  p,
  running,
  withPlacement,
}: {
  p: SweepProgress | null;
  running: boolean;
  withPlacement: boolean;
}) {
  const received = useRef(Date.now());
  const [, tick] = useState(0);
  useEffect(() => {
    received.current = Date.now();
  }, [p]);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, [running]);
  if (!p) return running ? <p className="muted">Starting…</p> : null;
  const since = running ? Date.now() - received.current : 0;
  const c = p.current;
  return (
    <div className="sweep-progress" data-testid="sweep-progress">
      <progress max={p.n} value={p.i} />
      <span>
        {running && c ? `Run ${p.i + 1} of ${p.n}` : `${p.i} of ${p.n} runs`} · {clock(p.elapsedMs + since)}{' '}
        elapsed
        {running && p.etaMs !== null ? ` · ~${clock(Math.max(0, p.etaMs - since))} left` : ''}
      </span>
      {running && c && (
        <span className="muted">
          {' '}
          — {c.variant}, {c.instances} × {c.threads} thread(s){withPlacement ? `, ${c.placement}` : ''}
          {c.batch !== null ? `, batch ${c.batch}` : ''}, repetition {c.repeat}
        </span>
      )}
    </div>
  );
}

/**
 * What the checks say about the runs' commands, each finding once: a sweep runs many commands and the checks
 * a single run shows must not go unseen here.
 */
function RunChecks({ rows, current }: { rows: readonly SweepRow[]; current?: readonly RowCheck[] }) {
  const seen = new Map<string, RowCheck>();
  for (const c of [...(current ?? []), ...rows.flatMap((r) => r.checks ?? [])])
    seen.set(`${c.code}\n${c.message}`, c);
  if (seen.size === 0) return null;
  return (
    <ul className="sweep-notes" data-testid="sweep-run-checks">
      {[...seen].map(([k, c]) => (
        <li key={k} className={c.severity === 'error' ? 'inline-error' : 'warn-text'}>
          Run {c.severity}: {c.message}
        </li>
      ))}
    </ul>
  );
}

interface PlanPreview {
  n: number | null;
  /** Configurations that do not fit the selection. */
  skipped: string[];
  /** Dimensions that do not apply as asked (e.g. batch sizes for a workload without -b). */
  notes: string[];
  error: string | null;
}

const NO_PREVIEW: PlanPreview = { n: null, skipped: [], notes: [], error: null };

/** Plan preview: how many runs the form asks for, what does not fit the selection, what does not apply. */
function usePlanPreview(spec: ReturnType<typeof buildSpec>['spec']): PlanPreview {
  const [state, setState] = useState<PlanPreview>(NO_PREVIEW);
  const key = JSON.stringify(spec);
  useEffect(() => {
    if (!spec) return setState(NO_PREVIEW);
    let live = true;
    const t = setTimeout(() => {
      call('sweep.plan', { spec }).then(
        (p) => live && setState({ n: p.n, skipped: p.skipped, notes: p.notes, error: null }),
        (e: Error) => live && setState({ ...NO_PREVIEW, error: e.message }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key]);
  return state;
}

/**
 * Tuning: measure the workload over threads × instances × variants × batch sizes, one run at a time, and
 * recommend the settings with copyable commands. Uses the selection and workload of the main settings.
 */
export function SweepPanel() {
  const sweep = useSweep();
  const { settings, system } = useApp();
  const [form, setForm] = useState<SweepForm>(loadForm);
  useEffect(() => {
    localStorage.setItem(FORM_KEY, JSON.stringify(form));
  }, [form]);
  const { spec, errors } = useMemo(() => buildSpec(form, settings), [form, settings]);
  const preview = usePlanPreview(spec);
  const { record, progress, running } = sweep;
  const rows = record?.rows ?? [];
  const selection = settings.cpus.length
    ? `${settings.cpus.length} selected CPU(s)`
    : 'all usable cores (nothing selected)';

  const exportAs = (format: 'csv' | 'json') => {
    if (!record) return;
    call('history.export', { format, sweepId: record.sweepId }).then(
      (f) => downloadText(f.fileName, f.text, f.mime),
      () => undefined,
    );
  };

  return (
    <Section
      title="Tune"
      className="sweep-panel-section"
      testId="sweep-panel"
      actions={
        record && !running ? (
          <>
            <button type="button" onClick={() => exportAs('csv')} data-testid="sweep-export-csv">
              Export CSV
            </button>
            <button type="button" onClick={() => exportAs('json')}>
              Export JSON
            </button>
          </>
        ) : undefined
      }
    >
      <p className="muted sweep-intro">
        Sweeps <span className="mono">{settings.workload.join(' ') || '(no workload)'}</span> over {selection}
        {system ? ` on ${system.platform}` : ''}. Runs go one at a time; each keeps its log in History.
      </p>
      <SweepBuilder form={form} onChange={setForm} disabled={running} />
      <div className="sweep-actions">
        {running ? (
          <button type="button" data-testid="sweep-cancel" onClick={() => void sweep.cancel()}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            data-testid="sweep-start"
            disabled={!spec || preview.n === 0 || preview.error !== null}
            onClick={() => spec && void sweep.start(spec)}
          >
            Start sweep
            {preview.n ? ` (${spec?.untilStablePct !== undefined ? 'up to ' : ''}${preview.n} runs)` : ''}
          </button>
        )}
        {errors.map((e) => (
          <span key={e} className="inline-error">
            {e}
          </span>
        ))}
        {preview.error && <span className="inline-error">{preview.error}</span>}
        {sweep.error && (
          <span className="inline-error" role="alert">
            {sweep.error}
          </span>
        )}
      </div>
      {(preview.notes.length > 0 || preview.skipped.length > 0) && (
        <ul className="sweep-notes muted" data-testid="sweep-notes">
          {preview.notes.map((n) => (
            <li key={n} className="warn-text" data-testid="sweep-note">
              Note: {n}
            </li>
          ))}
          {preview.skipped.map((n) => (
            <li key={n}>Skipped: {n}</li>
          ))}
        </ul>
      )}
      {record && (
        <>
          <ProgressLine
            p={progress}
            running={running}
            withPlacement={Array.isArray(record.spec.placement) && record.spec.placement.length > 1}
          />
          {(record.notes ?? []).map((n) => (
            <p key={n} className="warn-text">
              Note: {n}
            </p>
          ))}
          <RunChecks rows={rows} current={running ? progress?.checks : undefined} />
          {!running && (
            <p className="muted" data-testid="sweep-state">
              Sweep {record.sweepId}: {record.state}, {record.rows.length} of {record.planned} runs
              {record.error ? ` — ${record.error}` : ''}
            </p>
          )}
          <SweepResults record={record} rows={rows} running={running} />
        </>
      )}
    </Section>
  );
}
