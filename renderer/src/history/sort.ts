/** How History orders its rows: by a column the user clicked, remembered between visits. Pure. */
import type { HistoryEntry } from '../../../app/shared/history';

export type SortKey =
  'time' | 'kind' | 'outcome' | 'host' | 'cpus' | 'threads' | 'latency' | 'throughput' | 'workload';
export type SortDir = 'asc' | 'desc';
export interface HistorySort {
  key: SortKey;
  dir: SortDir;
}

export const SORT_KEYS: readonly SortKey[] = [
  'time',
  'kind',
  'outcome',
  'host',
  'cpus',
  'threads',
  'latency',
  'throughput',
  'workload',
];

/** Newest first, as the engine lists them. */
export const DEFAULT_SORT: HistorySort = { key: 'time', dir: 'desc' };

/**
 * The order a column takes on its first click: the one a user looks for first — newest, lowest latency, highest
 * throughput, most CPUs and threads; text columns A to Z.
 */
export const FIRST_DIR: Record<SortKey, SortDir> = {
  time: 'desc',
  kind: 'asc',
  outcome: 'asc',
  host: 'asc',
  cpus: 'desc',
  threads: 'desc',
  latency: 'asc',
  throughput: 'desc',
  workload: 'asc',
};

/** A click on a column's header: the same column flips, another starts in its first direction. */
export function nextSort(current: HistorySort, key: SortKey): HistorySort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: FIRST_DIR[key] };
}

/** Outcome order A→Z reads worst first: failed, then running, then succeeded. */
function outcomeRank(e: HistoryEntry): number {
  if (e.state === 'running') return 1;
  return e.ok === false ? 0 : 2;
}

function value(e: HistoryEntry, key: SortKey): number | string | null {
  switch (key) {
    case 'time': {
      const t = Date.parse(e.time);
      return Number.isFinite(t) ? t : null;
    }
    case 'kind':
      return e.kind;
    case 'outcome':
      return outcomeRank(e);
    case 'host':
      return e.host.toLowerCase();
    case 'cpus':
      // An empty list runs on every CPU: more than any list names.
      return e.cpus.length === 0 ? Number.MAX_SAFE_INTEGER : e.cpus.length;
    case 'threads':
      return e.threads;
    case 'latency':
      return e.latencyMs;
    case 'throughput':
      return e.throughput;
    case 'workload':
      return e.command.toLowerCase();
  }
}

/**
 * Entries in the order `s` asks for. Stable: equal values keep the order they came in (the engine's, newest
 * first). Entries without the value (a failed run has no latency) go last in either direction, so the best
 * figures stay at the top instead of a block of dashes.
 */
export function sortEntries(entries: readonly HistoryEntry[], s: HistorySort): HistoryEntry[] {
  const sign = s.dir === 'asc' ? 1 : -1;
  return entries
    .map((e, i) => ({ e, i, v: value(e, s.key) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      const c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
      return c === 0 ? a.i - b.i : c * sign;
    })
    .map((x) => x.e);
}

/** A stored sort, or the default when it is missing or not one this version knows. */
export function parseSort(text: string | null): HistorySort {
  if (!text) return DEFAULT_SORT;
  try {
    const v = JSON.parse(text) as Partial<HistorySort>;
    if (SORT_KEYS.includes(v.key as SortKey) && (v.dir === 'asc' || v.dir === 'desc'))
      return { key: v.key as SortKey, dir: v.dir };
  } catch {
    // A hand-edited or foreign value: fall back.
  }
  return DEFAULT_SORT;
}
