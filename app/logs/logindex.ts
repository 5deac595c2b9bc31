/**
 * Line index over a run log for the virtualized viewer: byte offsets of line starts plus per-line level and
 * stream in typed arrays, so any window, filter or search reads only the bytes it needs. No text is kept:
 * memory grows with the number of lines, not with their length — 10 bytes a line (8-byte offset, level byte,
 * stream byte), up to twice that just after the arrays double, so ~10-20 MB per 1,000,000 lines. A filtered
 * view adds 4 bytes per matching line.
 *
 * Line numbers are 1-based everywhere (the viewer shows them, the runner emits them).
 */
import { open, stat } from 'node:fs/promises';
import {
  FAILURE_TAIL_LINES,
  LEVELS,
  LEVEL_CODE,
  LineClassifier,
  raisedAtFailure,
  type Level,
} from './classify';
import { displayText } from './ansi';
import type { LineMasks, LogSnapshot } from './logscan';
import { scanInWorker } from './search';
import {
  DISPLAY_MAX_BYTES,
  LOG_MAGIC,
  decodeDisplay,
  detectFormat,
  parsePrefix,
  scanLines,
  type LogFormat,
  type Stream,
} from './logfile';

export interface LogLine {
  n: number;
  stream: Stream;
  /** ms since run start; null in a plain log. */
  t: number | null;
  level: Level;
  /** Display text: escapes stripped, cut to DISPLAY_MAX_CHARS. */
  text: string;
  truncated: boolean;
}

export interface FullLogLine extends LogLine {
  /** Original bytes of the whole line. */
  raw: Buffer;
}

export interface FilterOptions {
  levels?: Level[];
  streams?: Stream[];
  /** JavaScript regular expression source, matched against the escape-stripped line. */
  regex?: string;
  caseSensitive?: boolean;
}

// Reads for a window of lines are grouped up to this size; lines bigger than the display cap are read capped.
const GROUP_READ_BYTES = 4 << 20;
const PREFIX_ROOM = 32;

// Shared memory, so the search worker reads the index without a copy; lines below `count` never change.
const f64 = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(n * 8));
const u8 = (n: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(n));

export class LogIndex {
  private offsets = f64(1024);
  private levels = u8(1024);
  private streams = u8(1024);
  private count = 0;
  /** Byte offset just past the last indexed line. */
  private end = 0;
  private lastHasNewline = true;
  private fmt: LogFormat | null = null;
  private readonly classifiers = [new LineClassifier(), new LineClassifier()];
  private readonly levelCounts = new Float64Array(LEVELS.length);
  private refreshing: Promise<number> | null = null;
  // raiseFailureTail came before the last lines were indexed: done when they are.
  private raisePending = false;

  /**
   * @param growing the file is still being written: a last line without newline is left for the next refresh.
   * @param written a run's log as its writer writes it (the writer's count of lines so far): the index is built
   *   from the file only when it is read (a window, a filter, a search), so capturing keeps no per-line memory
   *   and classifies nothing; the lines a run writes while nobody looks are indexed in one pass when someone does.
   */
  constructor(
    readonly path: string,
    private readonly opts: { growing?: boolean; written?: () => number } = {},
  ) {
    if (opts.written) this.opts = { ...opts, growing: true };
  }

  /** Open and index an existing file (a finished run's log, or any text log). */
  static async open(path: string, opts: { growing?: boolean } = {}): Promise<LogIndex> {
    const ix = new LogIndex(path, opts);
    await ix.refresh();
    return ix;
  }

  /** Lines in the log: for a run's log, all its writer wrote (the index catches up when read). */
  get lineCount(): number {
    return Math.max(this.count, this.opts.written?.() ?? 0);
  }

  /** Lines indexed so far (a run's log: up to its last read, see lineCount). */
  get indexedLines(): number {
    return this.count;
  }

  /** A run's log: index what its writer wrote since (nothing to do for other logs, whose caller refreshes). */
  private async catchUp(): Promise<void> {
    if (this.opts.written && this.count < this.opts.written()) await this.refresh();
  }

  get format(): LogFormat | null {
    return this.fmt;
  }

  /** Bytes of the file covered by the index. */
  get indexedBytes(): number {
    return this.end;
  }

  /**
   * The run failed: its last FAILURE_TAIL_LINES stderr lines become at least `warning` (classify.ts says why).
   * Call once, when the run has ended; a run's log not yet indexed to its end is raised once it is.
   */
  raiseFailureTail(): void {
    if (this.opts.written && this.count < this.opts.written()) {
      this.raisePending = true;
      return;
    }
    let left = FAILURE_TAIL_LINES;
    for (let i = this.count - 1; i >= 0 && left > 0; i--) {
      if (this.streams[i] !== 1) continue;
      left--;
      const was = this.levels[i]!;
      const now = LEVEL_CODE[raisedAtFailure(LEVELS[was]!)];
      if (now === was) continue;
      this.levels[i] = now;
      this.levelCounts[was]!--;
      this.levelCounts[now]!++;
    }
  }

  private push(offset: number, level: number, stream: number): void {
    if (this.count === this.offsets.length) {
      const cap = this.offsets.length * 2;
      const o = f64(cap);
      o.set(this.offsets);
      this.offsets = o;
      const l = u8(cap);
      l.set(this.levels);
      this.levels = l;
      const s = u8(cap);
      s.set(this.streams);
      this.streams = s;
    }
    this.offsets[this.count] = offset;
    this.levels[this.count] = level;
    this.streams[this.count] = stream;
    this.levelCounts[level]!++;
    this.count++;
  }

  /** Index what was appended to the file since the last call; returns the number of new lines. */
  refresh(): Promise<number> {
    // Concurrent callers share one pass, so a line is never indexed twice.
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<number> {
    const size = (await stat(this.path)).size;
    if (!this.lastHasNewline || size <= this.end) return 0;
    if (this.fmt === null) {
      const fh = await open(this.path, 'r');
      const head = Buffer.alloc(LOG_MAGIC.length);
      try {
        await fh.read(head, 0, head.length, 0);
      } finally {
        await fh.close();
      }
      if (size < LOG_MAGIC.length && this.opts.growing) return 0; // not enough bytes to tell yet
      this.fmt = detectFormat(head);
    }
    const before = this.count;
    let skipHeader = this.fmt === 'tuner' && this.end === 0;
    const tuner = this.fmt === 'tuner';
    const includePartial = !this.opts.growing;
    const next = await scanLines(
      this.path,
      this.end,
      size,
      (buf, s, e, off) => {
        if (skipHeader) {
          skipHeader = false;
          return;
        }
        const p = tuner ? parsePrefix(buf, s, e) : null;
        const body = p ? p.body : s;
        const streamCode = p?.stream === 'stderr' ? 1 : 0;
        // The text the run's live lines were classified by (decodeDisplay), so both agree.
        const text = decodeDisplay(buf, body, e).text;
        this.push(off, LEVEL_CODE[this.classifiers[streamCode]!.classify(text)], streamCode);
      },
      { includePartial },
    );
    if (includePartial && next === size && size > 0) {
      // scanLines consumed everything; the last line lacked a newline if the file does not end with one.
      const fh = await open(this.path, 'r');
      const last = Buffer.alloc(1);
      try {
        await fh.read(last, 0, 1, size - 1);
      } finally {
        await fh.close();
      }
      this.lastHasNewline = last[0] === 10;
    }
    this.end = next;
    if (this.raisePending && this.count >= (this.opts.written?.() ?? 0)) {
      this.raisePending = false;
      this.raiseFailureTail();
    }
    return this.count - before;
  }

  private lineEnd(i: number): number {
    // Exclusive end of line i's bytes, newline excluded.
    if (i + 1 < this.count) return this.offsets[i + 1]! - 1;
    return this.lastHasNewline ? this.end - 1 : this.end;
  }

  levelOf(n: number): Level {
    return LEVELS[this.levels[n - 1]!]!;
  }

  streamOf(n: number): Stream {
    return this.streams[n - 1] === 1 ? 'stderr' : 'stdout';
  }

  counts(): Record<Level, number> {
    const out = {} as Record<Level, number>;
    LEVELS.forEach((l, i) => (out[l] = this.levelCounts[i]!));
    return out;
  }

  private toLine(i: number, buf: Buffer, s: number, e: number): LogLine {
    const p = this.fmt === 'tuner' ? parsePrefix(buf, s, e) : null;
    const d = decodeDisplay(buf, p ? p.body : s, e);
    return {
      n: i + 1,
      stream: this.streams[i] === 1 ? 'stderr' : 'stdout',
      t: p ? p.t : null,
      level: LEVELS[this.levels[i]!]!,
      text: d.text,
      truncated: d.truncated,
    };
  }

  /** Lines from..from+count-1 (1-based), reading only their bytes; huge lines are read only up to the display cap. */
  async getLines(from: number, count: number): Promise<LogLine[]> {
    await this.catchUp();
    const first = Math.max(0, from - 1);
    const last = Math.min(this.count, first + Math.max(0, count));
    const out: LogLine[] = [];
    if (first >= last) return out;
    const cap = DISPLAY_MAX_BYTES + PREFIX_ROOM;
    const fh = await open(this.path, 'r');
    try {
      let i = first;
      while (i < last) {
        let j = i;
        let bytes = 0;
        while (j < last) {
          const len = this.lineEnd(j) - this.offsets[j]!;
          if (len > cap || bytes + len > GROUP_READ_BYTES) break;
          bytes += len + 1;
          j++;
        }
        if (j === i) {
          const buf = Buffer.alloc(cap);
          const { bytesRead } = await fh.read(buf, 0, cap, this.offsets[i]!);
          out.push(this.toLine(i, buf, 0, bytesRead));
          i++;
          continue;
        }
        const start = this.offsets[i]!;
        const buf = Buffer.alloc(this.lineEnd(j - 1) - start);
        await fh.read(buf, 0, buf.length, start);
        for (let k = i; k < j; k++) {
          const s = this.offsets[k]! - start;
          out.push(this.toLine(k, buf, s, this.lineEnd(k) - start));
        }
        i = j;
      }
    } finally {
      await fh.close();
    }
    return out;
  }

  /** One whole line, however long, with its original bytes. */
  async line(n: number): Promise<FullLogLine | null> {
    await this.catchUp();
    if (n < 1 || n > this.count) return null;
    const i = n - 1;
    const start = this.offsets[i]!;
    const buf = Buffer.alloc(this.lineEnd(i) - start);
    const fh = await open(this.path, 'r');
    try {
      await fh.read(buf, 0, buf.length, start);
    } finally {
      await fh.close();
    }
    const p = this.fmt === 'tuner' ? parsePrefix(buf, 0, buf.length) : null;
    const raw = buf.subarray(p ? p.body : 0);
    return {
      ...this.toLine(i, buf, 0, buf.length),
      text: displayText(raw.toString('utf8')),
      truncated: false,
      raw,
    };
  }

  private masks(opts: Omit<FilterOptions, 'regex'>): LineMasks {
    const level = new Uint8Array(LEVELS.length).fill(opts.levels ? 0 : 1);
    for (const l of opts.levels ?? []) level[LEVEL_CODE[l]] = 1;
    const stream = new Uint8Array(2).fill(opts.streams ? 0 : 1);
    for (const s of opts.streams ?? []) stream[s === 'stderr' ? 1 : 0] = 1;
    return { level, stream };
  }

  /** What the search worker needs to scan the lines indexed so far. */
  private snapshot(): LogSnapshot {
    return {
      path: this.path,
      offsets: this.offsets,
      levels: this.levels,
      streams: this.streams,
      count: this.count,
      end: this.end,
      lastHasNewline: this.lastHasNewline,
      tuner: this.fmt === 'tuner',
    };
  }

  /**
   * Line numbers matching all given criteria, from line number `after + 1` on (0: the whole log). Level and
   * stream criteria use the index only, here; a regex runs in the search worker (search.ts) within its time
   * budget, streaming the file in chunks (never the whole file as one string) and testing only lines that
   * passed the cheap criteria. Only lines below number `upTo + 1` are looked at (a growing log's view reads up
   * to what it counted). Rejects with SearchTimeoutError / SearchPatternError.
   */
  async filter(opts: FilterOptions, after = 0, upTo = Infinity): Promise<Uint32Array> {
    await this.catchUp();
    const masks = this.masks(opts);
    const from = Math.max(0, after);
    const to = Math.min(this.count, upTo);
    if (opts.regex) {
      if (from >= to) return new Uint32Array(0);
      const snap = this.snapshot();
      if (to < snap.count) {
        snap.count = to;
        snap.end = this.offsets[to]!;
        snap.lastHasNewline = true;
      }
      const r = await scanInWorker(snap, {
        op: 'filter',
        regex: opts.regex,
        caseSensitive: !!opts.caseSensitive,
        masks,
        from,
      });
      return 'matches' in r ? r.matches : new Uint32Array(0);
    }
    let out = new Uint32Array(1024);
    let k = 0;
    const lv = this.levels;
    const st = this.streams;
    for (let i = from; i < to; i++) {
      if (!masks.level[lv[i]!] || !masks.stream[st[i]!]) continue;
      if (k === out.length) {
        const grown = new Uint32Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      out[k++] = i + 1;
    }
    return out.slice(0, k);
  }

  /**
   * The next (or previous) line after (before) `fromLine` whose text matches; null when there is none.
   * Use fromLine 0 with 'next' to search from the top and lineCount + 1 with 'prev' to search from the bottom.
   * Runs in the search worker, like a regex filter.
   */
  async search(
    regex: string,
    fromLine: number,
    direction: 'next' | 'prev',
    opts: Omit<FilterOptions, 'regex'> = {},
  ): Promise<number | null> {
    await this.catchUp();
    if (this.count === 0) return null;
    const r = await scanInWorker(this.snapshot(), {
      op: 'search',
      regex,
      caseSensitive: !!opts.caseSensitive,
      masks: this.masks(opts),
      fromLine,
      direction,
    });
    return 'line' in r ? r.line : null;
  }
}
