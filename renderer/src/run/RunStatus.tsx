import type { RunInfo } from '../../../app/shared/contract';
import {
  countOf,
  describeEnd,
  describePeak,
  endDetail,
  formatClock,
  formatDuration,
  outcomeKind,
} from './format';

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
  // "stopped" only when Stop (or the time limit) ended it: a crash by signal is a failure, not a stop.
  const state =
    run.state === 'running'
      ? stopping
        ? 'stopping'
        : 'running'
      : o?.stopped || o?.timedOut
        ? 'stopped'
        : 'exited';
  const kind = run.state !== 'running' && o ? outcomeKind(o) : null;
  const detail = o ? endDetail(o) : null;
  return (
    <p
      className={`run-status state-${state}${kind ? ` outcome-${kind}` : ''}`}
      data-testid="run-status"
      data-state={state}
      data-outcome={kind ?? undefined}
      role="status"
    >
      <span className="run-dot" aria-hidden="true" />
      {run.state === 'running' ? (
        <>
          {stopping ? 'stopping…' : 'running'} · {formatClock(elapsedMs)} · {countOf(totalLines, 'line')}
        </>
      ) : o ? (
        <>
          <span data-testid="run-end">{describeEnd(o)}</span>
          {detail && (
            <small className="muted" data-testid="run-end-detail">
              ({detail})
            </small>
          )}{' '}
          · {formatDuration(o.durationMs)} · {describePeak(o.peakRssBytes)} · {countOf(o.lines, 'line')}
        </>
      ) : (
        'ended (no outcome was recorded)'
      )}
      <span className="muted run-id"> · run {run.runId}</span>
    </p>
  );
}
