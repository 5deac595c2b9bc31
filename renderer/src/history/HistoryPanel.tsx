import { useCallback, useEffect, useState } from 'react';
import { call, on } from '../api';
import { Section } from '../common/Section';
import { downloadText } from '../common/download';
import type {
  HistoryDetail,
  HistoryEntry,
  HistoryFilter,
  HistoryList,
  RunComparison,
} from '../../../app/shared/history';
import { CompareView } from './CompareView';
import { EntryDetail } from './EntryDetail';
import { targetText } from './targetText';
import { useApp } from '../store';
import { followSweep } from '../sweep/useSweep';
import './history.css';

const fmt = (v: number | null, d = 2) => (v === null ? '—' : v.toFixed(d));

function stateText(e: HistoryEntry): string {
  if (e.kind === 'sweep') return `${e.state} (${e.rows ?? 0}/${e.planned ?? 0})`;
  if (e.state === 'running' || e.state === 'interrupted') return e.state;
  return e.exitCode === null ? 'did not start' : `exit ${e.exitCode}`;
}

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

/**
 * What Export takes, said on the label: the ticked rows, else the rows a filter shows, else everything. `ids`
 * is undefined for everything.
 */
function exportScope(
  picked: string[],
  filter: HistoryFilter,
  list: HistoryList | null,
): { label: string; ids?: string[] } {
  if (picked.length) return { label: `Export ${picked.length} selected`, ids: picked };
  const filtered = Boolean(filter.text || filter.kind || filter.outcome);
  if (filtered && list)
    return { label: `Export the ${list.total} shown`, ids: list.entries.map((e) => e.id) };
  return { label: `Export all (${list?.total ?? 0})` };
}

/**
 * Every run and sweep kept in the data directory: filter, open, rerun, delete, compare two runs, export.
 * Refreshes itself as runs and sweeps start and end.
 */
export function HistoryPanel() {
  const { setSettings, selectCpus } = useApp();
  const [filter, setFilter] = useState<HistoryFilter>({});
  const [list, setList] = useState<HistoryList | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [opened, setOpened] = useState<HistoryDetail | null>(null);
  const [comparison, setComparison] = useState<RunComparison | null>(null);
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
      setPicked((p) => p.filter((x) => x !== e.id));
      if (openedId(opened) === e.id) setOpened(null);
      setMessage({ text: `Deleted ${e.kind} ${e.id}.`, error: false });
      refresh();
    }, fail);
  const compare = () => {
    const [a, b] = picked;
    if (a && b)
      call('history.compare', { a, b }).then((c) => {
        setComparison(c);
        setOpened(null);
      }, fail);
  };
  const scope = exportScope(picked, filter, list);
  const exportAs = (format: 'csv' | 'json') =>
    call('history.export', { format, ...(scope.ids ? { ids: scope.ids } : {}) }).then(
      (f) => downloadText(f.fileName, f.text, f.mime),
      fail,
    );
  const togglePick = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));

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
            disabled={picked.length !== 2}
            onClick={compare}
          >
            Compare
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
          role={message.error ? 'alert' : undefined}
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
      <div className="history-list-wrap">
        <table className="history-table" data-testid="history-list">
          <thead>
            <tr>
              <th aria-label="Pick to compare or export" />
              <th>started</th>
              <th>kind</th>
              <th>state</th>
              <th>host</th>
              <th>CPUs</th>
              <th>latency ms</th>
              <th>throughput</th>
              <th>command</th>
              <th className="history-actions-cell" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {list?.entries.map((e) => (
              <tr
                key={`${e.kind}:${e.id}`}
                data-testid="history-entry"
                data-kind={e.kind}
                data-id={e.id}
                aria-current={e.id === openedId(opened) ? 'true' : undefined}
                className={[e.ok === false ? 'failed' : '', e.id === openedId(opened) ? 'is-open' : '']
                  .filter(Boolean)
                  .join(' ')}
              >
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Pick ${e.id}`}
                    data-testid="history-pick"
                    checked={picked.includes(e.id)}
                    onChange={() => togglePick(e.id)}
                  />
                </td>
                <td title={e.id}>{new Date(e.time).toLocaleString()}</td>
                <td>
                  {e.kind}
                  {e.sweepId ? <span className="muted"> (sweep)</span> : null}
                </td>
                <td>{stateText(e)}</td>
                <td className="history-host" data-testid="history-host" title={e.host}>
                  {targetText(e.host)}
                </td>
                <td>{e.cpus.length || 'all'}</td>
                <td className="num">{fmt(e.latencyMs)}</td>
                <td className="num">
                  {fmt(e.throughput, 1)}{' '}
                  {e.throughput !== null ? <span className="muted">{e.throughputUnit}</span> : null}
                </td>
                <td className="mono history-command" title={e.command}>
                  {e.command}
                </td>
                <td className="history-actions-cell">
                  <div className="history-actions">
                    <button type="button" data-testid="history-open" onClick={() => void open(e)}>
                      Open
                    </button>
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
                  </div>
                </td>
              </tr>
            ))}
            {list && list.entries.length === 0 && (
              <tr>
                <td colSpan={10} className="muted">
                  Nothing here yet: runs and sweeps appear as they start.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {comparison && <CompareView c={comparison} onClose={() => setComparison(null)} />}
      {opened && <EntryDetail d={opened} />}
    </Section>
  );
}
