import { useState } from 'react';
import { call } from '../api';
import type { HistoryDetail } from '../../../app/shared/history';
import { SweepResults } from '../sweep/SweepResults';
import { CopyButton } from '../common/CopyButton';
import { shellAssignment, shellJoin } from '../../../app/shared/quote';
import type { RunInfo } from '../../../app/shared/contract';
import { BundleDialog } from '../bundle/BundleDialog';
import { targetText } from './targetText';
import { showRun } from '../run/showRun';

/** Window event other panels (the run panel's log viewer) may listen to, to open a saved run's log. */
export const OPEN_LOG_EVENT = 'aio-tuner:open-log';
export interface OpenLogDetail {
  path: string;
  runId: string;
}

const TAIL = 200;

function commandOf(env: Record<string, string>, argv: string[]): string {
  try {
    return [...Object.entries(env).map(([k, v]) => shellAssignment(k, v)), shellJoin(argv)].join(' ');
  } catch {
    return argv.join(' ');
  }
}

function LogTail({ path, runId }: { path: string; runId: string }) {
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = async () => {
    window.dispatchEvent(new CustomEvent<OpenLogDetail>(OPEN_LOG_EVENT, { detail: { path, runId } }));
    try {
      const o = await call('log.open', { path });
      const q = await call('log.query', {
        logId: o.logId,
        from: Math.max(0, o.totalLines - TAIL),
        count: TAIL,
      });
      setLines(q.lines.map((l) => l.text));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="history-log">
      <p>
        Log: <span className="mono">{path}</span> <CopyButton text={path} label="Copy path" />{' '}
        <button type="button" data-testid="history-open-log" onClick={() => void open()}>
          {lines ? 'Reload log' : 'Show log'}
        </button>
      </p>
      {error && <p className="inline-error">{error}</p>}
      {lines && (
        <pre className="history-log-lines" data-testid="history-log">
          {lines.join('\n') || '(empty log)'}
        </pre>
      )}
    </div>
  );
}

/** A saved run bundled for support as it is (its log and settings, nothing re-run); a level-4 rerun is offered. */
function BundleRun({ run }: { run: RunInfo }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        data-testid="history-bundle"
        disabled={run.state === 'running'}
        title={run.state === 'running' ? 'wait for the run to end' : undefined}
        onClick={() => setOpen(true)}
      >
        Bundle this run…
      </button>
      {/* Mounted only while open: the run panel has its own (closed) bundle dialog in the page too. */}
      {open && (
        <BundleDialog
          open
          initialSource="run"
          onClose={() => setOpen(false)}
          settings={run.settings}
          settingsName="this run's settings"
          finishedRun={run}
        />
      )}
    </>
  );
}

/** An opened history entry: a run's command, outcome and log, or a sweep's chart, table and recommendations. */
export function EntryDetail({ d }: { d: HistoryDetail }) {
  if (d.kind === 'sweep') {
    const s = d.sweep;
    return (
      <div className="history-detail" data-testid="history-detail">
        <p>
          Sweep <strong>{s.sweepId}</strong> on {s.host.hostname} ({s.host.model ?? 'unknown CPU'}), {s.state}
          : {s.rows.length} of {s.planned} runs, started {new Date(s.createdAt).toLocaleString()}.
        </p>
        <SweepResults record={s} rows={s.rows} running={s.state === 'running'} />
      </div>
    );
  }
  const r = d.run;
  const o = r.outcome;
  const res = o?.results;
  return (
    <div className="history-detail" data-testid="history-detail">
      <p>
        Run <strong>{r.runId}</strong>
        {d.sweepId ? ` (sweep ${d.sweepId})` : ''}, started {new Date(r.startedAt).toLocaleString()}
        {r.target && (
          <>
            {' on '}
            <span className="mono" data-testid="history-detail-target" title={r.target}>
              {targetText(r.target)}
            </span>
          </>
        )}
        .
      </p>
      <p>
        Outcome:{' '}
        {o
          ? `${o.startError ?? (o.signal ? `ended by ${o.signal}` : `exit code ${o.exitCode}`)} after ${(o.durationMs / 1000).toFixed(1)} s`
          : r.state}
        {res?.latencyMs?.mean != null ? ` · latency mean ${res.latencyMs.mean} ms` : ''}
        {res?.throughput ? ` · ${res.throughput.value} ${res.throughput.unit}` : ''}
      </p>
      <pre className="sweep-command">{commandOf(r.env, r.argv)}</pre>
      <div className="history-detail-actions">
        <BundleRun run={r} />
        {o?.proof && (
          <button
            type="button"
            data-testid="history-show-run"
            title="Show this run's results and placement in the run view and its threads and memory on the map"
            onClick={() => showRun(r)}
          >
            Show placement
          </button>
        )}
      </div>
      <LogTail path={o?.logFile ?? r.logFile} runId={r.runId} />
    </div>
  );
}
