import { Fragment, type ReactNode } from 'react';
import type { HistoryEntry } from '../../../app/shared/history';
import { targetText } from './targetText';
import type { HistoryRow } from './group';
import type { HistorySort, SortKey } from './sort';

const fmt = (v: number | null, d = 2) => (v === null ? '—' : v.toFixed(d));

function stateText(e: HistoryEntry): string {
  if (e.kind === 'sweep') return `${e.state} (${e.rows ?? 0}/${e.planned ?? 0})`;
  if (e.state === 'running' || e.state === 'interrupted') return e.state;
  return e.exitCode === null ? 'did not start' : `exit ${e.exitCode}`;
}

/** The sortable columns, in table order, with the words their header shows. */
const COLUMNS: { key: SortKey; label: string; num?: boolean }[] = [
  { key: 'time', label: 'started' },
  { key: 'kind', label: 'kind' },
  { key: 'outcome', label: 'state' },
  { key: 'host', label: 'host' },
  { key: 'cpus', label: 'CPUs', num: true },
  { key: 'threads', label: 'threads', num: true },
  { key: 'latency', label: 'latency ms', num: true },
  { key: 'throughput', label: 'throughput', num: true },
  { key: 'workload', label: 'command' },
];
const COLSPAN = COLUMNS.length + 2;

const DIR_WORDS = { asc: 'ascending', desc: 'descending' } as const;

function SortHeader({
  col,
  sort,
  onSort,
}: {
  col: (typeof COLUMNS)[number];
  sort: HistorySort;
  onSort(k: SortKey): void;
}) {
  const on = sort.key === col.key;
  return (
    <th scope="col" aria-sort={on ? DIR_WORDS[sort.dir] : undefined} className={col.num ? 'num' : undefined}>
      <button
        type="button"
        className="history-sort"
        data-testid={`history-sort-${col.key}`}
        title={`Sort by ${col.label}`}
        onClick={() => onSort(col.key)}
      >
        {col.label}
        <span className="history-sort-mark" aria-hidden="true">
          {on ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
        </span>
      </button>
    </th>
  );
}

export interface RowProps {
  entry: HistoryEntry;
  /** 1 at the top level, 2 for a run under its sweep. */
  level: 1 | 2;
  open: boolean;
  picked: boolean;
  onPick(): void;
  /** A sweep's runs: how many, whether they show, and the toggle. */
  group?: { count: number; expanded: boolean; onToggle(): void };
  /** The row's buttons (Open, Load, Rerun, Resume, Delete). */
  actions: ReactNode;
}

function EntryRow({ entry: e, level, open, picked, onPick, group, actions }: RowProps) {
  return (
    <tr
      data-testid="history-entry"
      data-kind={e.kind}
      data-id={e.id}
      data-level={level}
      data-sweep={level === 2 ? (e.sweepId ?? undefined) : undefined}
      aria-current={open ? 'true' : undefined}
      className={[e.ok === false ? 'failed' : '', open ? 'is-open' : '', level === 2 ? 'in-sweep' : '']
        .filter(Boolean)
        .join(' ')}
    >
      <td className="history-pick-cell">
        <input
          type="checkbox"
          aria-label={`Pick ${e.id}`}
          data-testid="history-pick"
          checked={picked}
          onChange={onPick}
        />
      </td>
      <td title={e.id}>
        {group ? (
          <button
            type="button"
            className="history-expand"
            data-testid="history-expand"
            aria-expanded={group.expanded}
            aria-label={`${group.expanded ? 'Hide' : 'Show'} the ${group.count} run${group.count === 1 ? '' : 's'} of sweep ${e.id}`}
            disabled={group.count === 0}
            title={group.count === 0 ? 'None of its runs is in the list (see the filter)' : undefined}
            onClick={group.onToggle}
          >
            <span aria-hidden="true">{group.expanded ? '▾' : '▸'}</span>
          </button>
        ) : level === 2 ? (
          <span className="history-nest" aria-hidden="true">
            └
          </span>
        ) : null}
        {new Date(e.time).toLocaleString()}
      </td>
      <td>
        {e.kind}
        {group && group.count > 0 ? (
          <span className="muted">
            {' '}
            ({group.count} run{group.count === 1 ? '' : 's'})
          </span>
        ) : null}
        {!group && e.sweepId && level === 1 ? <span className="muted"> (sweep)</span> : null}
      </td>
      <td className="history-state">{stateText(e)}</td>
      <td className="history-host" data-testid="history-host" title={e.host}>
        {targetText(e.host)}
      </td>
      <td className="num">{e.cpus.length || 'all'}</td>
      <td className="num">{e.threads ?? '—'}</td>
      <td className="num">{fmt(e.latencyMs)}</td>
      <td className="num">
        {fmt(e.throughput, 1)}{' '}
        {e.throughput !== null ? <span className="muted">{e.throughputUnit}</span> : null}
      </td>
      <td className="mono history-command" title={e.command}>
        {e.command}
      </td>
      <td className="history-actions-cell">
        <div className="history-actions">{actions}</div>
      </td>
    </tr>
  );
}

/**
 * History's table: a header of sort buttons that stays in view while the rows scroll under it, and one row per
 * run or sweep, a sweep's runs nested under it when it is expanded.
 */
export function HistoryTable({
  rows,
  sort,
  onSort,
  expanded,
  onToggle,
  row,
  empty,
}: {
  rows: HistoryRow[];
  sort: HistorySort;
  onSort(k: SortKey): void;
  expanded: ReadonlySet<string>;
  onToggle(sweepId: string): void;
  /** The per-entry parts the panel owns (open, picked, actions). */
  row(e: HistoryEntry): Omit<RowProps, 'entry' | 'level' | 'group'>;
  empty: boolean;
}) {
  return (
    <div className="history-list-wrap">
      <table className="history-table" data-testid="history-list">
        <thead>
          <tr>
            <th className="history-pick-cell" aria-label="Pick to compare or export" />
            {COLUMNS.map((c) => (
              <SortHeader key={c.key} col={c} sort={sort} onSort={onSort} />
            ))}
            <th className="history-actions-cell" aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {rows.map(({ entry, runs }) => {
            const isOpen = entry.kind === 'sweep' && expanded.has(entry.id);
            return (
              <Fragment key={`${entry.kind}:${entry.id}`}>
                <EntryRow
                  entry={entry}
                  level={1}
                  {...row(entry)}
                  group={
                    entry.kind === 'sweep'
                      ? { count: runs.length, expanded: isOpen, onToggle: () => onToggle(entry.id) }
                      : undefined
                  }
                />
                {isOpen && runs.map((r) => <EntryRow key={`run:${r.id}`} entry={r} level={2} {...row(r)} />)}
              </Fragment>
            );
          })}
          {empty && (
            <tr>
              <td colSpan={COLSPAN} className="muted">
                Nothing here yet: runs and sweeps appear as they start.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
