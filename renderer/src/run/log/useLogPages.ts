/**
 * A window onto a log held by the engine: pages of PAGE lines fetched with log.query as the viewport asks for
 * them (debounced), at most MAX_PAGES kept, so the UI's memory stays flat whatever the log's size. While the
 * log grows, the tail page is re-queried (throttled), which also refreshes the match count and level counts.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { Level, LogLine } from '../../../../app/shared/contract';
import { call, on } from '../../api';
import type { LogFilter } from './types';

export const PAGE = 500;
const MAX_PAGES = 40;
const ENSURE_DEBOUNCE_MS = 40;
const REFRESH_THROTTLE_MS = 250;

export interface LogMeta {
  matched: number;
  totalLines: number;
  counts: Record<Level, number> | null;
  growing: boolean;
  error: string | null;
  loaded: boolean;
}

const EMPTY: LogMeta = {
  matched: 0,
  totalLines: 0,
  counts: null,
  growing: false,
  error: null,
  loaded: false,
};

interface Cache {
  key: string;
  pages: Map<number, LogLine[]>;
  inflight: Set<number>;
}

export interface LogPages {
  meta: LogMeta;
  /** Rows in the view: the live total runs ahead of queries when nothing is filtered. */
  count: number;
  getLine(index: number): LogLine | undefined;
  /** The viewport wants rows [from, to): fetch what is missing. */
  ensure(from: number, to: number): void;
  /** Bumped when pages arrive, so memoized rows re-render. */
  version: number;
}

function isUnfiltered(f: LogFilter | undefined): boolean {
  return !f || (!f.levels && !f.regex);
}

export function useLogPages(
  logId: string | null,
  filter: LogFilter | undefined,
  liveTotal: number,
  growing: boolean,
): LogPages {
  const key = logId ? `${logId}|${JSON.stringify(filter ?? null)}` : '';
  const cache = useRef<Cache>({ key: '', pages: new Map(), inflight: new Set() });
  const params = useRef({ logId, filter });
  params.current = { logId, filter };
  const [meta, setMeta] = useState<LogMeta>(EMPTY);
  const metaRef = useRef(meta);
  metaRef.current = meta;
  const [version, bump] = useReducer((x: number) => x + 1, 0);
  const wanted = useRef({ from: 0, to: 0 });
  const ensureTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const fetchPage = useCallback(async (p: number, force = false) => {
    const c = cache.current;
    const { logId: id, filter: f } = params.current;
    // A forced fetch goes even if one is in flight: that one may hold a snapshot taken before the log stopped.
    if (!id || (!force && (c.inflight.has(p) || isComplete(c, p, metaRef.current)))) return;
    c.inflight.add(p);
    try {
      const r = await call('log.query', {
        logId: id,
        from: p * PAGE,
        count: PAGE,
        ...(f ? { filter: f } : {}),
      });
      if (cache.current !== c) return; // the log or the filter changed meanwhile
      // Streamed lines may already have taken this page past what the query saw: keep the longer one.
      const had = c.pages.get(p);
      if (!had || had.length <= r.lines.length) c.pages.set(p, r.lines);
      evict(c, wanted.current);
      setMeta({
        matched: r.matched,
        totalLines: r.totalLines,
        counts: r.counts,
        growing: r.growing,
        error: null,
        loaded: true,
      });
      bump();
    } catch (e) {
      if (cache.current === c) setMeta((m) => ({ ...m, error: (e as Error).message, loaded: true }));
    } finally {
      c.inflight.delete(p);
    }
  }, []);

  // A new log or filter starts from an empty cache; the first page also tells how many rows there are.
  useEffect(() => {
    cache.current = { key, pages: new Map(), inflight: new Set() };
    setMeta(EMPTY);
    bump();
    if (key) void fetchPage(0, true);
  }, [key, fetchPage]);

  // While the log grows, re-read its tail page at most every REFRESH_THROTTLE_MS; once more when it stops.
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (!key) return;
    const tail = () => {
      refreshTimer.current = null;
      // Until the first page of this log/filter is in, its size is unknown (that fetch is on its way).
      if (cache.current.pages.size === 0) return;
      const known = Math.max(metaRef.current.matched, isUnfiltered(params.current.filter) ? liveTotal : 0);
      void fetchPage(Math.floor(Math.max(0, known - 1) / PAGE), true);
    };
    if (!growing) {
      tail();
      // Pages in view that streaming left short (lines sent before we listened) are final now: read them again.
      if (cache.current.pages.size === 0) return;
      const { from, to } = wanted.current;
      for (let p = Math.floor(from / PAGE); p * PAGE < to; p++) {
        if ((cache.current.pages.get(p)?.length ?? 0) < PAGE) void fetchPage(p, true);
      }
      return;
    }
    refreshTimer.current ??= setTimeout(tail, REFRESH_THROTTLE_MS);
  }, [key, liveTotal, growing, fetchPage]);
  useEffect(
    () => () => {
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
      if (ensureTimer.current) clearTimeout(ensureTimer.current);
    },
    [],
  );

  // Unfiltered, a line's row is its number: lines streamed by the run go straight into the pages, so a followed
  // log shows its newest lines with no query round trip (a query would always lag a fast writer).
  useEffect(() => {
    if (!logId || !growing || !isUnfiltered(filter)) return;
    return on('run.lines', (e) => {
      const c = cache.current;
      if (e.logId !== logId || c.key !== key) return;
      let added = false;
      for (const l of e.lines) {
        const idx = l.n - 1;
        const p = Math.floor(idx / PAGE);
        const page = c.pages.get(p);
        if (page ? page.length === idx % PAGE : idx % PAGE === 0) {
          if (page) page.push(l);
          else c.pages.set(p, [l]);
          added = true;
        }
      }
      if (added) {
        evict(c, wanted.current);
        bump();
      }
    });
  }, [logId, key, growing, filter]);

  const count = isUnfiltered(filter) ? Math.max(meta.matched, liveTotal) : meta.matched;

  const ensure = useCallback(
    (from: number, to: number) => {
      wanted.current = { from: Math.max(0, from), to: Math.max(0, to) };
      // A pending fetch reads the latest wanted range when it fires. Not restarting the timer matters: while a
      // followed log grows, the range changes many times a second and a restarted timer would never fire.
      if (ensureTimer.current) return;
      ensureTimer.current = setTimeout(() => {
        ensureTimer.current = null;
        const { from: a, to: b } = wanted.current;
        for (let p = Math.floor(a / PAGE); p * PAGE < b; p++) void fetchPage(p);
      }, ENSURE_DEBOUNCE_MS);
    },
    [fetchPage],
  );

  const getLine = useCallback(
    (index: number): LogLine | undefined => {
      const c = cache.current;
      if (c.key !== key) return undefined;
      return c.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
    },
    // version is a dependency on purpose: pages arrived, and a new identity makes memoized consumers re-read.
    [key, version],
  );

  return { meta, count, getLine, ensure, version };
}

/** A full page never changes; a short one is final only when no more rows exist past it. */
function isComplete(c: Cache, p: number, meta: LogMeta): boolean {
  const page = c.pages.get(p);
  if (!page) return false;
  if (page.length === PAGE) return true;
  return p * PAGE + page.length >= meta.matched && !meta.growing;
}

/** Drop the pages farthest from what the viewport wants. */
function evict(c: Cache, wanted: { from: number; to: number }): void {
  if (c.pages.size <= MAX_PAGES) return;
  const mid = (wanted.from + wanted.to) / 2 / PAGE;
  const byDistance = [...c.pages.keys()].sort((a, b) => Math.abs(b - mid) - Math.abs(a - mid));
  for (const p of byDistance.slice(0, c.pages.size - MAX_PAGES)) c.pages.delete(p);
}
