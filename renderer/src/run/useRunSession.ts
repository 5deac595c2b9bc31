/**
 * The run this panel shows: started here, or already going when the panel mounts (another tab, a reload).
 * Events can overtake the run.start answer (a fast workload may even exit first), so lines and exits are kept
 * per run id until the run they belong to is known.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunInfo } from '../../../app/shared/contract';
import type { RunSettings } from '../../../app/shared/command';
import { call, on } from '../api';
import { SHOW_RUN_EVENT } from './showRun';

export interface RunSession {
  run: RunInfo | null;
  /** Lines in the run's log so far (from run.lines events). */
  totalLines: number;
  starting: boolean;
  stopping: boolean;
  /** Why run.start refused: shown as an error, not as an empty log. */
  startError: string | null;
  /** Milliseconds since the run started, ticking while it runs. */
  elapsedMs: number;
  start(settings: RunSettings, timeoutS: number | null): Promise<void>;
  stop(): Promise<void>;
  dismissError(): void;
}

export function useRunSession(): RunSession {
  const [run, setRun] = useState<RunInfo | null>(null);
  const [totalLines, setTotalLines] = useState(0);
  const [starting, setStarting] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const exits = useRef(new Map<string, RunInfo>());
  const lines = useRef(new Map<string, number>());
  const current = useRef<string | null>(null);
  const runRef = useRef<RunInfo | null>(null);

  const show = useCallback((info: RunInfo) => {
    runRef.current = info;
    setRun(info);
  }, []);

  const adopt = useCallback((info: RunInfo) => {
    const exited = exits.current.get(info.runId);
    current.current = info.runId;
    show(exited ?? info);
    setTotalLines(exited?.outcome?.lines ?? lines.current.get(info.runId) ?? 0);
    setStopping(false);
  }, []);

  useEffect(() => {
    const offLines = on('run.lines', (e) => {
      lines.current.set(e.runId, e.totalLines);
      if (e.runId === current.current) setTotalLines(e.totalLines);
    });
    const offExit = on('run.exit', (info) => {
      exits.current.set(info.runId, info);
      if (info.runId === current.current) {
        show(info);
        setStopping(false);
        if (info.outcome) setTotalLines(info.outcome.lines);
      }
    });
    // A run started elsewhere (another tab, the CLI through the same server) is shown unless ours is going.
    const offStart = on('run.started', (info) => {
      const cur = runRef.current;
      if (cur && cur.state === 'running' && cur.runId !== info.runId) return;
      if (cur?.runId !== info.runId) adopt(info);
    });
    // A saved run opened elsewhere (the history): shown unless a run is going here.
    const onShow = (e: Event) => {
      const info = (e as CustomEvent<RunInfo>).detail;
      if (runRef.current?.state === 'running' || info.state === 'running') return;
      current.current = info.runId;
      show(info);
      setTotalLines(info.outcome?.lines ?? 0);
      setStopping(false);
    };
    window.addEventListener(SHOW_RUN_EVENT, onShow);
    void call('run.list', {})
      .then((runs) => {
        const live = runs.find((r) => r.state === 'running');
        if (live && current.current === null) adopt(live);
      })
      .catch(() => undefined);
    return () => {
      offLines();
      offExit();
      offStart();
      window.removeEventListener(SHOW_RUN_EVENT, onShow);
    };
  }, [adopt, show]);

  const running = run?.state === 'running';
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [running]);

  const start = useCallback(
    async (settings: RunSettings, timeoutS: number | null) => {
      setStarting(true);
      setStartError(null);
      try {
        const info = await call('run.start', {
          settings,
          ...(timeoutS !== null ? { timeoutS } : {}),
        });
        if (current.current !== info.runId) adopt(info);
        setNow(Date.now());
      } catch (e) {
        setStartError((e as Error).message);
      } finally {
        setStarting(false);
      }
    },
    [adopt],
  );

  const stop = useCallback(async () => {
    const id = current.current;
    if (!id) return;
    setStopping(true);
    try {
      await call('run.stop', { runId: id });
    } catch (e) {
      setStopping(false);
      setStartError((e as Error).message);
    }
  }, []);

  const elapsedMs = run
    ? run.outcome
      ? run.outcome.durationMs
      : Math.max(0, now - Date.parse(run.startedAt))
    : 0;

  return {
    run,
    totalLines,
    starting,
    stopping,
    startError,
    elapsedMs,
    start,
    stop,
    dismissError: () => setStartError(null),
  };
}
