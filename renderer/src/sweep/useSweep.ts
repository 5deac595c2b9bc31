/**
 * The sweep shown in the panel: started here or already running when the panel opened (another window, a page
 * reload), kept up to date from `sweep.*` events so rows and the chart grow as runs finish.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, on } from '../api';
import type { SweepProgress, SweepRecord, SweepSpec } from '../../../app/shared/sweep';

/**
 * Window event another panel (History's Resume) sends with a sweep record the Tune panel should follow from now
 * on, as if it had started it there.
 */
export const FOLLOW_SWEEP_EVENT = 'aio-tuner:follow-sweep';

/** Have the Tune panel follow this sweep (a resumed one): its rows, progress and end. */
export function followSweep(r: SweepRecord): void {
  window.dispatchEvent(new CustomEvent<SweepRecord>(FOLLOW_SWEEP_EVENT, { detail: r }));
}

export interface SweepView {
  record: SweepRecord | null;
  progress: SweepProgress | null;
  running: boolean;
  error: string | null;
  start(spec: SweepSpec): Promise<void>;
  cancel(): Promise<void>;
  /** Show a finished sweep (from history). */
  show(r: SweepRecord): void;
}

export function useSweep(): SweepView {
  const [record, setRecord] = useState<SweepRecord | null>(null);
  const [progress, setProgress] = useState<SweepProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = useRef<string | null>(null);

  useEffect(() => {
    const offs = [
      on('sweep.started', (r) => {
        current.current = r.sweepId;
        setRecord(r);
        setProgress(null);
      }),
      on('sweep.progress', (p) => {
        if (p.sweepId !== current.current) return;
        setProgress(p);
        const row = p.row;
        if (row)
          setRecord((r) =>
            r && r.sweepId === p.sweepId && !r.rows.some((x) => x.i === row.i)
              ? { ...r, rows: [...r.rows, row] }
              : r,
          );
      }),
      on('sweep.done', (r) => {
        if (r.sweepId === current.current) setRecord(r);
      }),
    ];
    const follow = (e: Event) => {
      const r = (e as CustomEvent<SweepRecord>).detail;
      current.current = r.sweepId;
      setError(null);
      setProgress(null);
      // Rows that finished between the reply and this event came as progress already: keep the longer list.
      setRecord((prev) => (prev?.sweepId === r.sweepId && prev.rows.length > r.rows.length ? prev : r));
    };
    window.addEventListener(FOLLOW_SWEEP_EVENT, follow);
    offs.push(() => window.removeEventListener(FOLLOW_SWEEP_EVENT, follow));
    // Pick up a sweep that is already running.
    call('history.list', { filter: { kind: 'sweep', outcome: 'running', limit: 1 } })
      .then(async (l) => {
        const e = l.entries[0];
        if (!e || current.current) return;
        current.current = e.id;
        setRecord(await call('sweep.get', { sweepId: e.id }));
      })
      .catch(() => undefined);
    return () => offs.forEach((off) => off());
  }, []);

  const start = useCallback(async (spec: SweepSpec) => {
    setError(null);
    try {
      const r = await call('sweep.start', { spec });
      current.current = r.sweepId;
      setRecord((prev) => (prev?.sweepId === r.sweepId ? prev : r));
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  const cancel = useCallback(async () => {
    const id = current.current;
    if (!id) return;
    try {
      setRecord(await call('sweep.cancel', { sweepId: id }));
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  const show = useCallback((r: SweepRecord) => {
    current.current = r.sweepId;
    setRecord(r);
    setProgress(null);
  }, []);

  return { record, progress, running: record?.state === 'running', error, start, cancel, show };
}
