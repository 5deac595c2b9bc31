/**
 * Open logs for the viewer, by id: a running or finished run's log, or a file the user opened. Filtering and
 * search run here over the log index, so the UI only ever holds the window it shows, whatever the log's size.
 */
import { copyFile, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { LogIndex, LEVELS, type FilterOptions } from '../logs';
import { ApiError, type Level, type LogLine, type LogQueryResult } from './contract';
import { parentFolderProblem } from '../util/parentfolder';

interface Entry {
  index: LogIndex;
  path: string;
  /** True while a run still writes it (its runner feeds the index). */
  growing: () => boolean;
  cache: { key: string; lines: number; matches: Uint32Array } | null;
}

type Filter = { levels?: Level[]; regex?: string; caseSensitive?: boolean };

function filterKey(f: Filter | undefined): string | null {
  if (!f) return null;
  const allLevels = !f.levels || f.levels.length === LEVELS.length;
  if (allLevels && !f.regex) return null;
  return JSON.stringify([allLevels ? null : [...f.levels!].sort(), f.regex ?? '', !!f.caseSensitive]);
}

function checkRegex(source: string | undefined): void {
  if (!source) return;
  try {
    new RegExp(source);
  } catch (e) {
    throw new ApiError(`invalid regular expression: ${(e as Error).message}`, 'bad-request');
  }
}

export class LogViews {
  private readonly entries = new Map<string, Entry>();

  register(index: LogIndex, growing: () => boolean, id: string = randomUUID().slice(0, 12)): string {
    this.entries.set(id, { index, path: resolve(index.path), growing, cache: null });
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
    const path = join(dir, `${Date.now()}-${name.replace(/[^\w.-]+/g, '_')}`);
    await writeFile(path, text);
    return this.openFile(path);
  }

  private async matches(e: Entry, f: Filter | undefined): Promise<Uint32Array | null> {
    const key = filterKey(f);
    if (key === null) return null;
    checkRegex(f?.regex);
    const lines = e.index.lineCount;
    if (e.cache && e.cache.key === key && e.cache.lines === lines) return e.cache.matches;
    const opts: FilterOptions = {
      levels: f?.levels,
      regex: f?.regex || undefined,
      caseSensitive: f?.caseSensitive,
    };
    const matches = await e.index.filter(opts);
    e.cache = { key, lines, matches };
    return matches;
  }

  async query(p: { logId: string; from: number; count: number; filter?: Filter }): Promise<LogQueryResult> {
    const e = this.get(p.logId);
    if (!e.growing()) await e.index.refresh();
    const total = e.index.lineCount;
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

  async search(p: {
    logId: string;
    regex: string;
    caseSensitive?: boolean;
    fromIndex: number;
    direction: 'next' | 'prev';
    filter?: Filter;
  }): Promise<{ index: number | null; n: number | null }> {
    checkRegex(p.regex);
    const e = this.get(p.logId);
    const m = await this.matches(e, p.filter);
    const lineAt = (idx: number): number => (m ? (m[idx] ?? Number.MAX_SAFE_INTEGER) : idx + 1);
    let fromLine: number;
    if (p.direction === 'next') fromLine = p.fromIndex < 0 ? 0 : lineAt(p.fromIndex);
    else fromLine = p.fromIndex < 0 ? e.index.lineCount + 1 : lineAt(p.fromIndex);
    const n = await e.index.search(p.regex, fromLine, p.direction, {
      levels: p.filter?.levels,
      caseSensitive: p.caseSensitive,
    });
    if (n === null) return { index: null, n: null };
    if (!m) return { index: n - 1, n };
    // Map the line number back to its position in the filtered view.
    let lo = 0;
    let hi = m.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (m[mid]! === n) return { index: mid, n };
      if (m[mid]! < n) lo = mid + 1;
      else hi = mid - 1;
    }
    // The line matches the search but not the regex filter of the view: report it without a view position.
    return { index: null, n };
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
