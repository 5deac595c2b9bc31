/** Sweeps gather their runs: the rows History shows at the top level, each sweep with its runs under it. Pure. */
import type { HistoryEntry } from '../../../app/shared/history';

export interface HistoryRow {
  entry: HistoryEntry;
  /** A sweep's runs that the list holds, in the list's order; empty for a run. */
  runs: HistoryEntry[];
}

/**
 * Runs nest under their sweep when that sweep is in the list, and are not repeated at the top level: a sweep of
 * 40 runs is one row, not 41. A run whose sweep is not listed (filtered out, or kind "runs") stays at the top
 * level, so a filter never hides what it matched. `entries` come sorted; each group keeps that order.
 */
export function groupBySweep(entries: readonly HistoryEntry[]): HistoryRow[] {
  const sweeps = new Set(entries.filter((e) => e.kind === 'sweep').map((e) => e.id));
  const runsOf = new Map<string, HistoryEntry[]>();
  for (const e of entries)
    if (e.kind === 'run' && e.sweepId && sweeps.has(e.sweepId)) {
      const list = runsOf.get(e.sweepId) ?? [];
      list.push(e);
      runsOf.set(e.sweepId, list);
    }
  return entries
    .filter((e) => !(e.kind === 'run' && e.sweepId && sweeps.has(e.sweepId)))
    .map((e) => ({ entry: e, runs: e.kind === 'sweep' ? (runsOf.get(e.id) ?? []) : [] }));
}
