import type { RunInfo } from '../../../app/api/contract';
import { describeEnd, describePeak, formatClock, formatDuration } from './format';

/** One line on the run: running for how long, or how it ended. */
export function RunStatus({
  run,
  elapsedMs,
  totalLines,
  stopping,
}: {
  run: RunInfo;
  elapsedMs: number;
  totalLines: number;
  stopping: boolean;
}) {
  const o = run.outcome;
  const state =
    run.state === 'running' ? (stopping ? 'stopping' : 'running') : o?.signal ? 'stopped' : 'exited';
  return (
    <p className={`run-status state-${state}`} data-testid="run-status" data-state={state} role="status">
      <span className="run-dot" aria-hidden="true" />
      {run.state === 'running' ? (
        <>
          {stopping ? 'stopping…' : 'running'} · {formatClock(elapsedMs)} · {totalLines.toLocaleString()}{' '}
          lines
        </>
      ) : o ? (
        <>
          <span data-testid="run-end">{describeEnd(o)}</span> · {formatDuration(o.durationMs)} ·{' '}
          {describePeak(o.peakRssBytes)} · {o.lines.toLocaleString()} lines
        </>
      ) : (
        'ended (no outcome was recorded)'
      )}
      <span className="muted run-id"> · run {run.runId}</span>
    </p>
  );
}
