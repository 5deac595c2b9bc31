import { useCallback, useEffect, useMemo, useState } from 'react';
import { call, on } from '../api';
import { Section } from '../common/Section';
import { downloadText } from '../common/download';
import type { HistoryDetail, HistoryEntry, HistoryFilter, HistoryList } from '../../../app/shared/history';
import { formatCpuList } from '../../../app/shared/cpulist';
import { CompareView } from './CompareView';
import { EntryDetail } from './EntryDetail';
import { HistoryTable } from './HistoryTable';
import { compareModel, type CompareModel } from './compareMany';
import { groupBySweep } from './group';
import { nextSort, parseSort, sortEntries, type HistorySort, type SortKey } from './sort';
import { fitToTopology, useApp } from '../store';
import { followSweep } from '../sweep/useSweep';
import { useWorkspace } from '../workspace/areas';
import './history.css';

/**
 * A sweep that ended before all its points (cancelled, failed, or interrupted: its process went away while it
 * ran) can be resumed: the engine runs only the configurations without finished rows.
 */
export function canResume(e: HistoryEntry): boolean {
  return (
    e.kind === 'sweep' &&
    ['cancelled', 'failed', 'interrupted'].includes(e.state) &&
    (e.rows ?? 0) < (e.planned ?? 0)
  );
}

const openedId = (d: HistoryDetail | null): string | null =>
  d === null ? null : d.kind === 'run' ? d.run.runId : d.sweep.sweepId;

/** A ticked row: what export takes and, for runs, what Compare shows. Kept while a filter hides the row. */
interface Picked {
  id: string;
  kind: 'run' | 'sweep';
  time: string;
}

const SORT_KEY = 'aio-tuner-history-sort';

function storedSort(): HistorySort {
  try {
    return parseSort(localStorage.getItem(SORT_KEY));
  } catch {
    return parseSort(null); // storage refused (privacy mode): the default order
  }
}

/**
 * What Export takes, said on the label: the ticked rows, else the rows a filter shows, else everything. `ids`
 * is undefined for everything.
 */
function exportScope(
  picked: Picked[],
  filter: HistoryFilter,
  list: HistoryList | null,
): { label: string; ids?: string[] } {
  if (picked.length) return { label: `Export ${picked.length} selected`, ids: picked.map((p) => p.id) };
  const filtered = Boolean(filter.text || filter.kind || filter.outcome);
  if (filtered && list)
    return { label: `Export the ${list.total} shown`, ids: list.entries.map((e) => e.id) };
  return { label: `Export all (${list?.total ?? 0})` };
}

/**
 * Every run and sweep kept in the data directory: filter, sort, open, load into the form, rerun, delete,
 * compare two or more runs, export; a sweep's runs nest under it. Refreshes itself as runs and sweeps start and
 * end.
 */
export function HistoryPanel() {
  const { setSettings, selectCpus, topology, setStatus } = useApp();
  const { go } = useWorkspace();
  const [filter, setFilter] = useState<HistoryFilter>({});
  const [list, setList] = useState<HistoryList | null>(null);
  const [picked, setPicked] = useState<Picked[]>([]);
  const [sort, setSort] = useState<HistorySort>(storedSort);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [opened, setOpened] = useState<HistoryDetail | null>(null);
  const [comparison, setComparison] = useState<CompareModel | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const fail = (e: Error) => setMessage({ text: e.message, error: true });

  const refresh = useCallback(() => {
    call('history.list', { filter }).then(setList, fail);
  }, [filter]);
  useEffect(refresh, [refresh]);
  useEffect(() => {
    // Coalesce bursts (a multi-instance point starts several runs at once).
    let t: ReturnType<typeof setTimeout> | null = null;
    const later = () => {
      if (t) clearTimeout(t);
      t = setTimeout(refresh, 300);
    };
    const offs = [
      on('run.started', later),
      on('run.exit', later),
      on('sweep.started', later),
      on('sweep.done', later),
    ];
    return () => {
      offs.forEach((off) => off());
      if (t) clearTimeout(t);
    };
  }, [refresh]);

  const rows = useMemo(() => groupBySweep(sortEntries(list?.entries ?? [], sort)), [list, sort]);
  const sortBy = (k: SortKey) => {
    const next = nextSort(sort, k);
    setSort(next);
    try {
      localStorage.setItem(SORT_KEY, JSON.stringify(next));
    } catch {
      // Not remembered; this visit still sorts.
    }
  };
  const toggleGroup = (id: string) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (!n.delete(id)) n.add(id);
      return n;
    });

  const open = (e: HistoryEntry) =>
    call('history.get', { kind: e.kind, id: e.id }).then((d) => {
      setOpened(d);
      setComparison(null);
    }, fail);
  // The form shows what is running again, so the preview, checks and next Start describe that run.
  const rerun = (e: HistoryEntry) =>
    call('history.rerun', { kind: e.kind, id: e.id }).then((r) => {
      const settings = r.kind === 'run' ? r.run.settings : r.sweep.spec.settings;
      setSettings(settings);
      // Keep the (node, id) order the rest of the UI uses.
      selectCpus(settings.cpus);
      setMessage({
        text:
          r.kind === 'run'
            ? `Started run ${r.run.runId}; its settings are in the form.`
            : `Started sweep ${r.sweep.sweepId}; its base settings are in the form.`,
        error: false,
      });
    }, fail);
  /**
   * The run's settings into the form, nothing started: fitted to the machine on the map as a saved form is
   * (CPUs and memory nodes it cannot use are left out, and the line says which), then on to Pick to look at
   * them before Start.
   */
  const load = (e: HistoryEntry) =>
    call('history.get', { kind: 'run', id: e.id }).then((d) => {
      if (d.kind !== 'run') return;
      const s = d.run.settings;
      const fitted = topology ? fitToTopology(s, topology) : s;
      setSettings(fitted);
      const lostCpus = s.cpus.filter((c) => !fitted.cpus.includes(c));
      const lostNodes = (s.memNodes ?? []).filter((n) => !(fitted.memNodes ?? []).includes(n));
      const cpus = fitted.cpus.length ? `CPUs ${formatCpuList(fitted.cpus)}` : 'all CPUs';
      const line = s.workload.join(' ').replace(/\s+/g, ' ');
      const workload = line.length > 80 ? `${line.slice(0, 79)}…` : line || 'no workload';
      const text = [
        `Loaded the settings of run ${e.id} into the form (not run): ${cpus}, ${workload}.`,
        lostCpus.length
          ? `CPUs ${formatCpuList(lostCpus)} are not usable on the machine shown and were left out.`
          : '',
        lostNodes.length ? `Memory nodes ${lostNodes.join(',')} are not on it and were left out.` : '',
        'Start runs them.',
      ]
        .filter(Boolean)
        .join(' ');
      setMessage({ text, error: false });
      // Said again where the user lands.
      setStatus(text);
      go('pick');
    }, fail);
  // The Tune panel follows the resumed sweep as if it had started it; errors stay here, beside the button.
  const resume = (e: HistoryEntry) =>
    call('sweep.resume', { sweepId: e.id }).then(
      (r) => {
        followSweep(r);
        setMessage({
          text: `Resumed sweep ${r.sweepId}: ${r.planned - r.rows.length} of ${r.planned} runs to go; the Tune panel follows it.`,
          error: false,
        });
        refresh();
      },
      (err: Error) => setMessage({ text: `Could not resume sweep ${e.id}: ${err.message}`, error: true }),
    );
  const remove = (e: HistoryEntry) =>
    call('history.delete', { kind: e.kind, id: e.id }).then(() => {
      setConfirmDelete(null);
      setPicked((p) => p.filter((x) => x.id !== e.id));
      if (openedId(opened) === e.id) setOpened(null);
      setMessage({ text: `Deleted ${e.kind} ${e.id}.`, error: false });
      refresh();
    }, fail);

  const pickedRuns = picked.filter((p) => p.kind === 'run');
  /** `ids[0]` is the baseline: each other run is compared with it by the engine, then all go side by side. */
  const compareIds = (ids: string[]) => {
    const [base, ...rest] = ids;
    if (!base || rest.length === 0) return;
    Promise.all([
      Promise.all(ids.map((id) => call('history.get', { kind: 'run', id }))),
      Promise.all(rest.map((b) => call('history.compare', { a: base, b }))),
    ]).then(([details, pairs]) => {
      const columns = details.map((d, i) => {
        if (d.kind !== 'run') throw new Error(`${ids[i]} is not a run`);
        return { entry: i === 0 ? pairs[0]!.a : pairs[i - 1]!.b, run: d.run };
      });
      setComparison(compareModel(columns, pairs));
      setOpened(null);
    }, fail);
  };
  // Oldest first: the baseline is the run the others came after.
  const compare = () =>
    compareIds(
      [...pickedRuns].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)).map((p) => p.id),
    );
  const rebase = (id: string) => {
    if (!comparison) return;
    const ids = comparison.columns.map((c) => c.entry.id);
    compareIds([id, ...ids.filter((x) => x !== id)]);
  };
  const leftOut = picked.length - pickedRuns.length;

  const scope = exportScope(picked, filter, list);
  const exportAs = (format: 'csv' | 'json') =>
    call('history.export', { format, ...(scope.ids ? { ids: scope.ids } : {}) }).then(
      (f) => downloadText(f.fileName, f.text, f.mime),
      fail,
    );
  const togglePick = (e: HistoryEntry) =>
    setPicked((p) =>
      p.some((x) => x.id === e.id)
        ? p.filter((x) => x.id !== e.id)
        : [...p, { id: e.id, kind: e.kind, time: e.time }],
    );

  const actions = (e: HistoryEntry) => (
    <>
      <button type="button" data-testid="history-open" onClick={() => void open(e)}>
        Open
      </button>
      {e.kind === 'run' && (
        <button
          type="button"
          data-testid="history-load"
          aria-label={`Load the settings of run ${e.id} into the form`}
          title="Load these settings into the form without running them"
          onClick={() => void load(e)}
        >
          Load
        </button>
      )}
      <button
        type="button"
        data-testid="history-rerun"
        title="Run it again with the same settings, and load them into the form"
        disabled={e.state === 'running'}
        onClick={() => void rerun(e)}
      >
        Rerun
      </button>
      {canResume(e) && (
        <button
          type="button"
          data-testid="history-resume"
          title={`Run the ${(e.planned ?? 0) - (e.rows ?? 0)} missing run(s) of this sweep and add them to it`}
          onClick={() => void resume(e)}
        >
          Resume
        </button>
      )}
      {confirmDelete === e.id ? (
        <>
          <button
            type="button"
            className="danger"
            data-testid="history-delete-confirm"
            onClick={() => void remove(e)}
          >
            Delete!
          </button>
          <button type="button" onClick={() => setConfirmDelete(null)}>
            Keep
          </button>
        </>
      ) : (
        <button
          type="button"
          data-testid="history-delete"
          disabled={e.state === 'running'}
          onClick={() => setConfirmDelete(e.id)}
        >
          Delete
        </button>
      )}
    </>
  );

  return (
    <Section
      title="History"
      className="history-panel"
      testId="history-panel"
      actions={
        <>
          <button
            type="button"
            data-testid="history-compare"
            disabled={pickedRuns.length < 2}
            title={
              pickedRuns.length < 2
                ? 'Tick two or more runs to compare them side by side'
                : leftOut
                  ? `Compares the ${pickedRuns.length} ticked runs; ticked sweeps are left out (open a sweep to compare its configurations)`
                  : `Compare the ${pickedRuns.length} ticked runs side by side`
            }
            onClick={compare}
          >
            {pickedRuns.length >= 2 ? `Compare ${pickedRuns.length}` : 'Compare'}
          </button>
          <span className="history-export-scope" data-testid="history-export-scope">
            {scope.label}:
          </span>
          <button
            type="button"
            data-testid="history-export-csv"
            aria-label={`${scope.label} as CSV`}
            onClick={() => void exportAs('csv')}
          >
            CSV
          </button>
          <button
            type="button"
            data-testid="history-export-json"
            aria-label={`${scope.label} as JSON`}
            onClick={() => void exportAs('json')}
          >
            JSON
          </button>
        </>
      }
    >
      <div className="history-filter field-row">
        <input
          type="search"
          placeholder="Filter: workload, command, host, id…"
          aria-label="Filter"
          data-testid="history-filter"
          value={filter.text ?? ''}
          onChange={(e) => setFilter({ ...filter, text: e.target.value || undefined })}
        />
        <select
          aria-label="Kind"
          value={filter.kind ?? ''}
          onChange={(e) =>
            setFilter({
              ...filter,
              kind: e.target.value === '' ? undefined : (e.target.value as 'run' | 'sweep'),
            })
          }
        >
          <option value="">runs and sweeps</option>
          <option value="run">runs</option>
          <option value="sweep">sweeps</option>
        </select>
        <select
          aria-label="Outcome"
          value={filter.outcome ?? ''}
          onChange={(e) =>
            setFilter({
              ...filter,
              outcome: e.target.value === '' ? undefined : (e.target.value as 'ok' | 'failed' | 'running'),
            })
          }
        >
          <option value="">any outcome</option>
          <option value="ok">succeeded</option>
          <option value="failed">failed</option>
          <option value="running">running</option>
        </select>
        <span className="muted">
          {list ? `${list.total} entr${list.total === 1 ? 'y' : 'ies'}` : 'loading…'}
          {picked.length ? ` · ${picked.length} picked` : ''}
        </span>
      </div>
      {message && (
        <p
          className={message.error ? 'inline-error' : 'muted'}
          data-testid="history-message"
          role={message.error ? 'alert' : 'status'}
        >
          {message.text}
        </p>
      )}
      {list && list.problems.length > 0 && (
        <div className="banner warn" data-testid="history-problems">
          {list.problems.length} entr{list.problems.length === 1 ? 'y' : 'ies'} could not be read and{' '}
          {list.problems.length === 1 ? 'is' : 'are'} skipped:
          <ul>
            {list.problems.map((p) => (
              <li key={p.path}>
                <span className="mono">{p.path}</span>: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <HistoryTable
        rows={rows}
        sort={sort}
        onSort={sortBy}
        expanded={expanded}
        onToggle={toggleGroup}
        empty={list !== null && list.entries.length === 0}
        row={(e) => ({
          open: e.id === openedId(opened),
          picked: picked.some((p) => p.id === e.id),
          onPick: () => togglePick(e),
          actions: actions(e),
        })}
      />
      {comparison && (
        <CompareView model={comparison} onClose={() => setComparison(null)} onBaseline={rebase} />
      )}
      {opened && <EntryDetail d={opened} />}
    </Section>
  );
}
