/**
 * Open logs for the viewer, by id: a running or finished run's log, or a file the user opened. Filtering and
 * search run here over the log index, so the UI only ever holds the window it shows, whatever the log's size.
 */
import { copyFile, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { LogIndex, LEVELS, SearchPatternError, SearchTimeoutError, type FilterOptions } from '../logs';
import { ApiError, type Level, type LogLine, type LogQueryResult } from './contract';
import { childPath, segmentFrom } from '../util/pathsegment';
import { parentFolderProblem } from '../util/parentfolder';

interface Entry {
  index: LogIndex;
  path: string;
  /** True while a run still writes it. */
  growing: () => boolean;
  /** Matching lines per filter (the view's, the search's), extended as the log grows. */
  cache: Map<string, Cached>;
}

/** Lines matching one filter among the first `lines` lines, or why that filter cannot run. */
type Cached = { lines: number; matches: Uint32Array } | { failed: ApiError };

// A view and a search each keep a filter; a few more cover switching back and forth without a rescan.
const CACHED_FILTERS = 4;

type Filter = { levels?: Level[]; regex?: string; caseSensitive?: boolean };

function filterKey(f: Filter | undefined): string | null {
  if (!f) return null;
  const allLevels = !f.levels || f.levels.length === LEVELS.length;
  if (allLevels && !f.regex) return null;
  return JSON.stringify([allLevels ? null : [...f.levels!].sort(), f.regex ?? '', !!f.caseSensitive]);
}

/** V8's own message already says "Invalid regular expression: /(/: Unterminated group": say it once. */
function patternMessage(message: string): string {
  return /^invalid regular expression/i.test(message) ? message : `Invalid regular expression: ${message}`;
}

function checkRegex(source: string | undefined): void {
  if (!source) return;
  try {
    new RegExp(source);
  } catch (e) {
    throw new ApiError(patternMessage((e as Error).message), 'bad-request');
  }
}

/** Errors of a scan as the API reports them (a timeout and a bad pattern are the user's to fix). */
function scanError(e: unknown): ApiError {
  if (e instanceof SearchTimeoutError) return new ApiError(e.message, 'timeout');
  if (e instanceof SearchPatternError) return new ApiError(patternMessage(e.message), 'bad-request');
  if (e instanceof ApiError) return e;
  return new ApiError(`log search failed: ${(e as Error).message}`, 'error');
}

export class LogViews {
  private readonly entries = new Map<string, Entry>();

  register(index: LogIndex, growing: () => boolean, id: string = randomUUID().slice(0, 12)): string {
    this.entries.set(id, { index, path: resolve(index.path), growing, cache: new Map() });
    return id;
  }

  private get(logId: string): Entry {
    const e = this.entries.get(logId);
    if (!e) throw new ApiError(`no open log "${logId}" (it was closed, or the app restarted)`, 'not-found');
    return e;
  }

  async openFile(path: string): Promise<{ logId: string; totalLines: number; path: string }> {
    for (const [id, e] of this.entries)
      if (e.path === path && !e.growing()) {
        await e.index.refresh();
        return { logId: id, totalLines: e.index.lineCount, path };
      }
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new ApiError(`cannot open ${path}: not a regular file`, 'bad-request');
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(
        `cannot open ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
        'not-found',
      );
    }
    const index = await LogIndex.open(path);
    const logId = this.register(index, () => false);
    return { logId, totalLines: index.lineCount, path };
  }

  /** A log pasted or dropped into the browser: kept as a file so the same index serves it. */
  async openText(dir: string, name: string, text: string) {
    await mkdir(dir, { recursive: true });
    // The name is the browser's: it only ever becomes one safe, length-bounded segment after our timestamp.
    const path = childPath(dir, 'pasted log name', `${Date.now()}-${segmentFrom(name, 'pasted.log', 80)}`);
    await writeFile(path, text);
    return this.openFile(path);
  }

  private async matches(e: Entry, f: Filter | undefined): Promise<Uint32Array | null> {
    const key = filterKey(f);
    if (key === null) return null;
    checkRegex(f?.regex);
    const opts: FilterOptions = {
      levels: f?.levels,
      regex: f?.regex || undefined,
      caseSensitive: f?.caseSensitive,
    };
    const lines = e.index.indexedLines;
    const had = e.cache.get(key);
    // A pattern that timed out stays refused: rerunning it on every refresh would keep a core busy for nothing.
    if (had && 'failed' in had) throw had.failed;
    if (had && had.lines === lines) return had.matches;
    let matches: Uint32Array;
    try {
      // Lines below `had.lines` never change: a growing log's filter only scans what is new.
      const more = await e.index.filter(opts, had?.lines ?? 0, lines);
      if (!had || more.length === 0) matches = had ? had.matches : more;
      else {
        matches = new Uint32Array(had.matches.length + more.length);
        matches.set(had.matches);
        matches.set(more, had.matches.length);
      }
    } catch (err) {
      const failed = scanError(err);
      if (failed.code === 'timeout') this.remember(e, key, { failed });
      throw failed;
    }
    // Another caller may have extended the same filter meanwhile: keep the longer one.
    const now = e.cache.get(key);
    if (!now || 'failed' in now || now.lines < lines) this.remember(e, key, { lines, matches });
    return matches;
  }

  private remember(e: Entry, key: string, c: Cached): void {
    e.cache.delete(key);
    e.cache.set(key, c);
    while (e.cache.size > CACHED_FILTERS) e.cache.delete(e.cache.keys().next().value!);
  }

  async query(p: { logId: string; from: number; count: number; filter?: Filter }): Promise<LogQueryResult> {
    const e = this.get(p.logId);
    // A run's log is indexed from its file as it is read: this reads what its runner wrote since.
    await e.index.refresh();
    const total = e.index.indexedLines;
    const m = await this.matches(e, p.filter);
    let lines: LogLine[];
    let matched: number;
    if (m === null) {
      matched = total;
      lines = (await e.index.getLines(p.from + 1, p.count)) as LogLine[];
    } else {
      matched = m.length;
      lines = [];
      const want = Array.from(m.subarray(p.from, p.from + p.count));
      // Consecutive line numbers are read as one window: far fewer reads on dense matches.
      let i = 0;
      while (i < want.length) {
        let j = i;
        while (j + 1 < want.length && want[j + 1] === want[j]! + 1) j++;
        lines.push(...((await e.index.getLines(want[i]!, j - i + 1)) as LogLine[]));
        i = j + 1;
      }
    }
    return {
      logId: p.logId,
      totalLines: total,
      matched,
      from: p.from,
      lines,
      counts: e.index.counts(),
      growing: e.growing(),
    };
  }

  /**
   * The next/previous line matching `regex` from a position in the view, with where it stands among all the
   * matches ("n of N"). Lines are matched among those the view's levels keep.
   */
  async search(p: {
    logId: string;
    regex: string;
    caseSensitive?: boolean;
    fromIndex: number;
    direction: 'next' | 'prev';
    filter?: Filter;
  }): Promise<{ index: number | null; n: number | null; matches: number; ordinal: number | null }> {
    checkRegex(p.regex);
    const e = this.get(p.logId);
    await e.index.refresh();
    const m = await this.matches(e, p.filter);
    const levels = p.filter?.levels;
    // Through matches(), so the search's own hits are cached (and extended) like a view's.
    const hits = (await this.matches(e, {
      levels: levels && levels.length < LEVELS.length ? levels : undefined,
      regex: p.regex,
      caseSensitive: p.caseSensitive,
    }))!;
    const lineAt = (idx: number): number => (m ? (m[idx] ?? Number.MAX_SAFE_INTEGER) : idx + 1);
    let at: number;
    if (p.direction === 'next') {
      const fromLine = p.fromIndex < 0 ? 0 : lineAt(p.fromIndex);
      at = firstAbove(hits, fromLine);
    } else {
      const fromLine = p.fromIndex < 0 ? e.index.lineCount + 1 : lineAt(p.fromIndex);
      at = firstAbove(hits, fromLine - 1) - 1;
    }
    if (at < 0 || at >= hits.length) return { index: null, n: null, matches: hits.length, ordinal: null };
    const n = hits[at]!;
    const found = { n, matches: hits.length, ordinal: at + 1 };
    if (!m) return { index: n - 1, ...found };
    const pos = firstAbove(m, n - 1);
    // The line matches the search but not the regex filter of the view: report it without a view position.
    return { index: m[pos] === n ? pos : null, ...found };
  }

  async line(logId: string, n: number): Promise<{ n: number; text: string }> {
    const l = await this.get(logId).index.line(n);
    if (!l) throw new ApiError(`line ${n} is not in this log`, 'not-found');
    return { n, text: l.text };
  }

  /**
   * Copy the log byte for byte (the run's own format, which opens again in the viewer). Written beside the
   * target and renamed into place, so an existing file there is never left half-overwritten.
   */
  async save(logId: string, path: string): Promise<{ path: string }> {
    const e = this.get(logId);
    const dir = dirname(path);
    const problem = parentFolderProblem(path);
    if (problem) throw new ApiError(`cannot save to ${path}: ${problem}`, 'bad-request');
    if (resolve(path) === e.path) return { path }; // already there
    const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`);
    try {
      await copyFile(e.path, tmp);
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw new ApiError(`cannot save to ${path}: ${(err as Error).message}`, 'error');
    }
    return { path };
  }

  pathOf(logId: string): string {
    return this.get(logId).path;
  }

  isKnownFile(path: string): boolean {
    for (const e of this.entries.values()) if (e.path === path) return true;
    return false;
  }

  closeAll(): void {
    this.entries.clear();
  }
}

/** Position of the first value greater than `x` in an ascending array (its length when there is none). */
function firstAbove(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
