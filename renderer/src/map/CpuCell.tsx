import { memo } from 'react';
import { CpuLoadMeter } from './CpuLoadMeter';
import { Sparkline } from './Sparkline';
import { useCellLive } from './cellLive';
import { ThreadMarks, threadsText } from './ThreadMarks';
import { heldText } from './heldCpus';
import './held.css';
import type { CpuInfo } from '../../../app/shared/topology';
import { cpuAccessibleName, REASON_TEXT, unavailableReason, unknownAvailability } from './model';

/** One logical CPU. Events are handled by the map (delegation), so a cell is only markup. */
export const CpuCell = memo(function CpuCell({
  cpu,
  selected,
  pending,
  focusable,
  showLoad,
  cacheNote = '',
}: {
  cpu: CpuInfo;
  selected: boolean;
  /** Inside the rubber band being dragged. */
  pending: boolean;
  focusable: boolean;
  /** The map is of the machine whose load is sampled: anything else would show this host's load on it. */
  showLoad: boolean;
  /** The caches of its core (and cluster), for the tooltip: "L2 1 MiB, shared by CPUs 4-5". */
  cacheNote?: string;
}) {
  // Read even when not shown (hooks are unconditional); the cell re-renders only when its own value changes.
  const { load, history, heldBy, threads } = useCellLive(cpu.id, showLoad);
  // Held marks belong to the machine runs go to, like the load.
  const held = heldBy.length > 0 ? heldText(heldBy) : null;
  const why = unavailableReason(cpu);
  const unknown = unknownAvailability(cpu);
  const title =
    (why
      ? `CPU ${cpu.id}: ${REASON_TEXT[why]} — cannot be picked`
      : cpuAccessibleName(cpu, selected) + (unknown ? ` — ${unknown}` : '')) +
    (load !== null ? ` — ${Math.round(load * 100)}% busy` : '') +
    (held !== null ? ` — ${held}` : '') +
    (cacheNote ? `\n${cacheNote}` : '') +
    (threads ? `\n${threadsText(threads)}` : '');
  const cls = [
    'cpu-cell',
    why ? `cpu-${why}` : 'cpu-usable',
    selected ? 'is-selected' : '',
    pending ? 'is-pending' : '',
    held !== null ? 'held' : '',
    threads?.outside ? 'run-outside' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div
      role="option"
      className={cls}
      data-cpu={cpu.id}
      data-unavailable={why ?? undefined}
      data-availability-unknown={unknown ? true : undefined}
      data-held={held !== null ? true : undefined}
      data-run-threads={threads ? threads.threads.length : undefined}
      data-run-outside={threads?.outside ? true : undefined}
      aria-selected={selected}
      aria-disabled={why ? true : undefined}
      aria-label={cpuAccessibleName(cpu, selected, load)}
      title={title}
      tabIndex={focusable ? 0 : -1}
    >
      {cpu.id}
      {threads && <ThreadMarks placed={threads} />}
      {history && <Sparkline cpu={cpu.id} />}
      {load !== null && <CpuLoadMeter busy={load} />}
    </div>
  );
});
