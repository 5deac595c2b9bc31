/**
 * The run's own threads on one CPU, as a channel apart from the whole-CPU load meter (which is /proc/stat, any
 * process): a count badge in the top corner and a bar up the left edge filled by how busy the run's threads kept
 * the CPU. A CPU outside the selection that hosted them is outlined in the warning colour (the cell's class).
 */
import type { CpuPlacement } from './placement';
import './placement.css';

export function ThreadMarks({ placed }: { placed: CpuPlacement }) {
  const n = placed.threads.length;
  return (
    <>
      <span
        className={placed.outside ? 'run-thread-count outside' : 'run-thread-count'}
        data-testid="run-thread-count"
        aria-hidden="true"
      >
        {placed.outside ? `!${n}` : n}
      </span>
      <span
        className="run-busy-meter"
        data-testid="run-busy-meter"
        data-busy={placed.busy.toFixed(2)}
        aria-hidden="true"
      >
        <span className="run-busy-fill" style={{ height: `${Math.round(placed.busy * 100)}%` }} />
      </span>
    </>
  );
}

/** The tooltip's lines: which of the run's threads ran here, and how much. */
export function threadsText(placed: CpuPlacement): string {
  const head = `${placed.outside ? 'OUTSIDE the selection: ' : ''}the run's threads here (${placed.threads.length}), ${Math.round(placed.busy * 100)}% of this CPU:`;
  const lines = placed.threads.map(
    (t) =>
      `  ${t.tid} ${t.name} — ${Math.round(t.busy * 100)}%` +
      (t.ms !== null ? ` (${Math.round(t.ms)} ms)` : ''),
  );
  return [head, ...lines].join('\n');
}
