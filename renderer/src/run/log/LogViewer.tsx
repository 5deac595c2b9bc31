/**
 * The log viewer: level filter, regex search, follow-tail, open/save, over a virtualized viewport. Everything
 * heavy (filtering, searching, counting) happens in the engine; this holds only the rows around the view.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { LogLine } from '../../../../app/shared/contract';
import { call } from '../../api';
import { LEVELS, type Level } from '../levels';
import { compileSearch } from './highlight';
import { LevelFilter } from './LevelFilter';
import { LineDialog } from './LineDialog';
import { LogFileBar } from './LogFileBar';
import { LogViewport, type Jump } from './LogViewport';
import { SearchBar } from './SearchBar';
import type { LogFilter, LogSource } from './types';
import { useLogPages } from './useLogPages';

export function LogViewer({
  source,
  mode,
  onOpened,
  onBackToRun,
}: {
  source: LogSource | null;
  /** AIO_DEBUG_MODE of the run shown (or about to run), for the level hint. */
  mode: number;
  onOpened(s: LogSource): void;
  /** Set when a file is shown while a run's log exists to go back to. */
  onBackToRun?: () => void;
}) {
  const [levels, setLevels] = useState<Set<Level>>(() => new Set(LEVELS));
  const [search, setSearch] = useState('');
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [onlyMatching, setOnlyMatching] = useState(false);
  const [follow, setFollow] = useState(true);
  const [expanded, setExpanded] = useState<LogLine | null>(null);
  const compiled = compileSearch(search, caseSensitive);
  const regex = compiled instanceof RegExp ? compiled : null;
  const invalid = typeof compiled === 'string';

  const filter = useMemo<LogFilter | undefined>(() => {
    const f: LogFilter = {};
    if (levels.size !== LEVELS.length) f.levels = LEVELS.filter((l) => levels.has(l));
    if (onlyMatching && regex) {
      f.regex = regex.source;
      f.caseSensitive = caseSensitive;
    }
    return f.levels || f.regex ? f : undefined;
  }, [levels, onlyMatching, regex, caseSensitive]);

  const pages = useLogPages(source?.logId ?? null, filter, source?.liveTotal ?? 0, source?.growing ?? false);
  const search$ = useSearch(source?.logId ?? null, regex, caseSensitive, filter, setFollow);
  // A run's log opens at its end (the newest output, the results); an opened file at its beginning.
  const logId = source?.logId;
  const isRun = source?.kind === 'run';
  const { reset: resetSearch } = search$;
  useEffect(() => {
    setFollow(isRun);
    resetSearch();
  }, [logId, isRun, resetSearch]);

  // Typing (or changing what the search covers) jumps to the first match once the keys rest.
  const goRef = useRef(search$.go);
  goRef.current = search$.go;
  const filterKey = JSON.stringify(filter ?? null);
  useEffect(() => {
    if (!logId || !search || invalid) return;
    const t = setTimeout(() => void goRef.current('next', { start: 0, end: 0 }, -1), TYPE_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [logId, search, caseSensitive, invalid, filterKey]);

  const range = useRef({ start: 0, end: 0 });
  const onRange = useCallback((start: number, end: number) => {
    range.current = { start, end };
  }, []);

  const { meta, count } = pages;
  return (
    <div className="log-viewer" data-testid="log-viewer">
      <div className="log-head">
        <strong className="log-title" data-testid="log-title">
          {source ? source.label : 'No log yet'}
        </strong>
        {source && (
          <span className="muted" data-testid="log-counts">
            <span data-testid="log-matched">{count.toLocaleString()}</span>
            {filter ? ` of ${Math.max(meta.totalLines, source.liveTotal).toLocaleString()}` : ''}{' '}
            {(filter ? Math.max(meta.totalLines, source.liveTotal) : count) === 1 ? 'line' : 'lines'}
            {source.growing ? ' · growing' : ''}
          </span>
        )}
        {onBackToRun && (
          <button type="button" onClick={onBackToRun} data-testid="log-back-to-run">
            Back to the run's log
          </button>
        )}
        <span className="bar-gap" />
        <button
          type="button"
          className={follow ? '' : 'primary'}
          aria-pressed={follow}
          data-testid="log-follow"
          title="Keep the newest line in view; scrolling up pauses it"
          onClick={() => setFollow(!follow)}
        >
          {follow ? 'Following the end' : 'Follow ↓'}
        </button>
      </div>
      <LevelFilter
        levels={levels}
        onChange={(l) => (setLevels(l), search$.reset())}
        counts={meta.counts}
        mode={mode}
      />
      <SearchBar
        text={search}
        onText={(t) => (setSearch(t), search$.reset())}
        caseSensitive={caseSensitive}
        onCaseSensitive={(v) => (setCaseSensitive(v), search$.reset())}
        onlyMatching={onlyMatching}
        onOnlyMatching={(v) => (setOnlyMatching(v), search$.reset())}
        onNext={() => void search$.go('next', range.current)}
        onPrev={() => void search$.go('prev', range.current)}
        message={typeof compiled === 'string' ? compiled : search$.message}
        invalid={invalid}
        busy={search$.busy}
      />
      {meta.error && (
        <p className="inline-error" role="alert" data-testid="log-error">
          {meta.error}
        </p>
      )}
      <LogViewport
        count={count}
        getLine={pages.getLine}
        ensure={pages.ensure}
        follow={follow}
        onFollowChange={setFollow}
        jump={search$.jump}
        highlight={search$.highlight}
        currentN={search$.current?.n ?? null}
        onExpand={setExpanded}
        onRangeChange={onRange}
        empty={emptyText(source, meta.loaded, filter !== undefined, levels.size)}
      />
      <LogFileBar source={source} onOpened={onOpened} />
      {source && <LineDialog logId={source.logId} line={expanded} onClose={() => setExpanded(null)} />}
    </div>
  );
}

function emptyText(source: LogSource | null, loaded: boolean, filtered: boolean, levels: number): string {
  if (!source) return 'Start a run, or open a log file, to see its output here.';
  if (!loaded) return 'Loading…';
  if (levels === 0) return 'No level selected.';
  if (filtered) return 'No line matches the filter.';
  return source.growing ? 'Waiting for the first line of output…' : 'The log is empty.';
}

/** How long typing must pause before the search box jumps to the first match. */
const TYPE_DEBOUNCE_MS = 250;

/** "3 of 20 · line 1,234", the place of the match among all of them first. */
function foundText(r: { n: number; ordinal: number | null; matches: number }, wrapped: string): string {
  const place = r.ordinal !== null ? `${r.ordinal.toLocaleString()} of ${r.matches.toLocaleString()} · ` : '';
  return `${place}line ${r.n.toLocaleString()}${wrapped}`;
}

/** Next/previous through the engine's log.search; wraps once around the ends like an editor does. */
function useSearch(
  logId: string | null,
  regex: RegExp | null,
  caseSensitive: boolean,
  filter: LogFilter | undefined,
  setFollow: (v: boolean) => void,
) {
  const [current, setCurrent] = useState<{ index: number; n: number } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [jump, setJump] = useState<Jump | null>(null);
  const [busy, setBusy] = useState(false);
  // The engine has run this pattern over the log within its budget (so the rows may run it too, to mark hits).
  const [answered, setAnswered] = useState<string | null>(null);
  // Only the latest request may set the state: typing fast sends several.
  const seq = useRef(0);

  const reset = useCallback(() => {
    seq.current++;
    setCurrent(null);
    setMessage(null);
    setBusy(false);
  }, []);

  /** `fromIndex` -1 with 'next' searches from the top (what typing does). */
  const go = async (direction: 'next' | 'prev', view: { start: number; end: number }, fromIndex?: number) => {
    if (!logId || !regex) return;
    const mine = ++seq.current;
    const from = fromIndex ?? (current ? current.index : direction === 'next' ? view.start - 1 : view.end);
    const pattern = `${regex.source}\n${caseSensitive}`;
    const ask = (fromIndex: number) =>
      call('log.search', {
        logId,
        regex: regex.source,
        caseSensitive,
        fromIndex,
        direction,
        ...(filter ? { filter } : {}),
      });
    setBusy(true);
    try {
      let r = await ask(from);
      let wrapped = false;
      if (r.index === null && r.n === null && from !== -1) {
        r = await ask(-1);
        wrapped = r.n !== null;
      }
      if (mine !== seq.current) return;
      setAnswered(pattern);
      if (r.index === null) {
        setMessage(r.n === null ? 'no match' : `line ${r.n} matches but the filter hides it`);
        return;
      }
      setCurrent({ index: r.index, n: r.n ?? r.index + 1 });
      setFollow(false);
      setJump((j) => ({ index: r.index!, seq: (j?.seq ?? 0) + 1 }));
      const around = direction === 'next' ? ' (wrapped to the top)' : ' (wrapped to the end)';
      setMessage(foundText({ ...r, n: r.n ?? r.index + 1 }, wrapped ? around : ''));
    } catch (e) {
      if (mine === seq.current) setMessage((e as Error).message);
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  };
  const highlight = regex && answered === `${regex.source}\n${caseSensitive}` ? regex : null;
  return { current, message, jump, busy, reset, go, highlight };
}
