/**
 * Regex scans over a log, given a snapshot of its line index. This is the part of filtering and searching that
 * runs user-supplied patterns, so it runs only in the search worker (searchworker.ts), never on the thread that
 * drains workload pipes: a catastrophic pattern there would stall the workload being measured.
 */
import { stripAnsi } from './ansi';
import { parsePrefix, scanLines } from './logfile';

/** What a scan needs of a LogIndex; the typed arrays are shared with the index, not copied. */
export interface LogSnapshot {
  path: string;
  offsets: Float64Array;
  levels: Uint8Array;
  streams: Uint8Array;
  /** Lines indexed when the snapshot was taken; later lines are not scanned. */
  count: number;
  /** Byte offset just past the last indexed line. */
  end: number;
  lastHasNewline: boolean;
  tuner: boolean;
}

/** Which lines take part: by level code and by stream code (1 = take part). */
export interface LineMasks {
  level: Uint8Array;
  stream: Uint8Array;
}

export type ScanJob =
  | {
      op: 'filter';
      regex: string;
      caseSensitive: boolean;
      masks: LineMasks;
      /** 0-based index of the first line to scan (a growing log's view only scans what is new). */
      from: number;
    }
  | {
      op: 'search';
      regex: string;
      caseSensitive: boolean;
      masks: LineMasks;
      fromLine: number;
      direction: 'next' | 'prev';
    };

export type ScanResult = { matches: Uint32Array } | { line: number | null };

// Backward searches read blocks of about this size from the end, so a hit near the end is found quickly.
const SCAN_BLOCK_BYTES = 8 << 20;

export function compilePattern(regex: string, caseSensitive: boolean | undefined): RegExp {
  try {
    return new RegExp(regex, caseSensitive ? 'u' : 'iu');
  } catch {
    // Patterns valid only without the unicode flag (e.g. `\-`) are still accepted.
    return new RegExp(regex, caseSensitive ? '' : 'i');
  }
}

/** Test lines with 0-based index a..b-1 in order; `onHit` returns false to stop. */
async function scanRange(
  s: LogSnapshot,
  re: RegExp,
  masks: LineMasks,
  a: number,
  b: number,
  onHit: (n: number) => boolean | void,
): Promise<void> {
  if (a >= b) return;
  let i = a;
  await scanLines(
    s.path,
    s.offsets[a]!,
    b < s.count ? s.offsets[b]! : s.end,
    (buf, st, e) => {
      const idx = i++;
      if (idx >= b) return false;
      if (!masks.level[s.levels[idx]!] || !masks.stream[s.streams[idx]!]) return;
      const body = s.tuner ? (parsePrefix(buf, st, e)?.body ?? st) : st;
      if (re.test(stripAnsi(buf.toString('utf8', body, e)))) return onHit(idx + 1);
    },
    { includePartial: b >= s.count && !s.lastHasNewline },
  );
}

/** Line numbers (1-based) from line index `from` on that pass the masks and match. */
export async function filterLines(
  s: LogSnapshot,
  job: Extract<ScanJob, { op: 'filter' }>,
): Promise<Uint32Array> {
  const re = compilePattern(job.regex, job.caseSensitive);
  let out = new Uint32Array(1024);
  let k = 0;
  await scanRange(s, re, job.masks, Math.max(0, job.from), s.count, (n) => {
    if (k === out.length) {
      const grown = new Uint32Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[k++] = n;
  });
  return out.slice(0, k);
}

/**
 * The next line after `fromLine` (or the previous one before it) that passes the masks and matches; null when
 * there is none. fromLine 0 with 'next' searches from the top, count + 1 with 'prev' from the bottom.
 */
export async function searchLine(
  s: LogSnapshot,
  job: Extract<ScanJob, { op: 'search' }>,
): Promise<number | null> {
  const re = compilePattern(job.regex, job.caseSensitive);
  let found: number | null = null;
  if (job.direction === 'next') {
    await scanRange(s, re, job.masks, Math.max(0, job.fromLine), s.count, (n) => {
      found = n;
      return false;
    });
    return found;
  }
  let b = Math.min(s.count, job.fromLine - 1);
  while (b > 0) {
    let a = b - 1;
    while (a > 0 && s.offsets[b - 1]! - s.offsets[a - 1]! < SCAN_BLOCK_BYTES) a--;
    await scanRange(s, re, job.masks, a, b, (n) => void (found = n));
    if (found !== null) return found;
    b = a;
  }
  return null;
}

export async function runScan(s: LogSnapshot, job: ScanJob): Promise<ScanResult> {
  if (job.op === 'filter') return { matches: await filterLines(s, job) };
  return { line: await searchLine(s, job) };
}
