/**
 * Run log file format (one file per run).
 *
 *   # aio-tuner log v1 <ISO start time> (fields: t_ms<TAB>O|E<TAB>original bytes)\n      ← header, exactly one line
 *   <t_ms>\t<O|E>\t<original line bytes>\n                                                ← one per output line
 *
 * - t_ms: integer milliseconds since the run started, when the line's newline arrived.
 * - O = stdout, E = stderr. Lines are in arrival order across both streams; the line number is the position.
 * - The bytes after the second TAB are exactly what the process wrote, minus the `\n` (ANSI escapes, invalid
 *   UTF-8, CRs and TABs included), so `cut -f3-` restores the output and the file stays readable in a pager.
 * - A final line the process left without `\n` is stored with one; a line longer than MAX_LINE_BYTES is split
 *   into consecutive records (a bound so a runaway writer cannot exhaust memory).
 *
 * Readers (readLogFile, LogIndex) also accept a plain log without header (e.g. `prog > out.log` sent by a
 * colleague): every line is then a stdout line with unknown time.
 */
import { open } from 'node:fs/promises';
import { displayText } from './ansi';

export const LOG_MAGIC = '# aio-tuner log v1';
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Display text is cut here so a 10 MB line cannot freeze a renderer. */
export const DISPLAY_MAX_CHARS = 4096;
/** Bytes decoded for display: enough for DISPLAY_MAX_CHARS of 4-byte characters plus escape sequences. */
export const DISPLAY_MAX_BYTES = 64 * 1024;

export type Stream = 'stdout' | 'stderr';
export type LogFormat = 'tuner' | 'plain';

export function logHeader(start: Date = new Date()): string {
  return `${LOG_MAGIC} ${start.toISOString()} (fields: t_ms<TAB>O|E<TAB>original bytes)\n`;
}

const TAB = 9;
const NL = 10;

/** Where the payload of a record starts and what its prefix says; null if the bytes are not a tuner record. */
export function parsePrefix(
  buf: Uint8Array,
  start: number,
  end: number,
): { t: number; stream: Stream; body: number } | null {
  let i = start;
  let t = 0;
  while (i < end && buf[i]! >= 48 && buf[i]! <= 57) t = t * 10 + (buf[i++]! - 48);
  if (i === start || i + 2 >= end || buf[i] !== TAB) return null;
  const s = buf[i + 1];
  if ((s !== 79 && s !== 69) || buf[i + 2] !== TAB) return null; // 'O' | 'E'
  return { t, stream: s === 69 ? 'stderr' : 'stdout', body: i + 3 };
}

export interface DisplayLine {
  text: string;
  truncated: boolean;
}

/** Decode bytes for display: invalid UTF-8 becomes U+FFFD, escapes are stripped, long text is cut. */
export function decodeDisplay(buf: Buffer, start = 0, end = buf.length): DisplayLine {
  const cutBytes = end - start > DISPLAY_MAX_BYTES;
  const raw = buf.toString('utf8', start, cutBytes ? start + DISPLAY_MAX_BYTES : end);
  const text = displayText(raw);
  if (text.length > DISPLAY_MAX_CHARS) return { text: text.slice(0, DISPLAY_MAX_CHARS), truncated: true };
  return { text, truncated: cutBytes };
}

export function detectFormat(firstBytes: Buffer): LogFormat {
  return firstBytes.subarray(0, LOG_MAGIC.length).toString('latin1') === LOG_MAGIC ? 'tuner' : 'plain';
}

/**
 * Stream the lines of a file between byte offsets without holding it in memory. `onLine` gets the buffer and
 * the line's [start, end) inside it (newline excluded) plus the absolute file offset of the line start; return
 * false to stop early. A trailing line without newline is delivered only when `includePartial`.
 */
export async function scanLines(
  path: string,
  from: number,
  to: number,
  onLine: (buf: Buffer, start: number, end: number, fileOffset: number) => boolean | void,
  opts: { chunkSize?: number; includePartial?: boolean } = {},
): Promise<number> {
  const chunkSize = opts.chunkSize ?? 1 << 20;
  const fh = await open(path, 'r');
  try {
    let pos = from;
    // Pieces of a line that spans chunks; joined once its newline arrives, so a huge line costs one copy.
    let carry: Buffer[] = [];
    let carryLen = 0;
    let carryOffset = from;
    // Reused for every read: onLine must copy what it keeps.
    const chunk = Buffer.allocUnsafe(chunkSize);
    while (pos < to) {
      const { bytesRead } = await fh.read(chunk, 0, Math.min(chunkSize, to - pos), pos);
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      const dataOffset = pos;
      pos += bytesRead;
      let s = 0;
      let nl = data.indexOf(NL);
      if (carryLen > 0 && nl !== -1) {
        const line = Buffer.concat([...carry, data.subarray(0, nl)]);
        const off = carryOffset;
        carry = [];
        carryLen = 0;
        if (onLine(line, 0, line.length, off) === false) return dataOffset + nl + 1;
        s = nl + 1;
        nl = data.indexOf(NL, s);
      }
      while (nl !== -1) {
        if (onLine(data, s, nl, dataOffset + s) === false) return dataOffset + nl + 1;
        s = nl + 1;
        nl = data.indexOf(NL, s);
      }
      if (s < data.length) {
        if (carryLen === 0) carryOffset = dataOffset + s;
        carry.push(Buffer.from(data.subarray(s)));
        carryLen += data.length - s;
      }
    }
    if (carryLen > 0 && opts.includePartial) {
      const line = Buffer.concat(carry);
      onLine(line, 0, line.length, carryOffset);
      return carryOffset + line.length;
    }
    return carryLen > 0 ? carryOffset : pos;
  } finally {
    await fh.close();
  }
}

export interface LogRecord {
  /** 1-based line number. */
  n: number;
  stream: Stream;
  /** ms since the run started; null for a plain log. */
  t: number | null;
  /** The original bytes of the line (no newline). */
  raw: Buffer;
  /** Decoded (U+FFFD for invalid bytes), escapes stripped, full length. */
  text: string;
}

/**
 * Read a run log (or any plain text log) in batches of records, in bounded memory (about 4 MB of text per
 * batch, or one line if a single line is larger).
 */
export async function* readLogBatches(path: string): AsyncGenerator<LogRecord[]> {
  const fh = await open(path, 'r');
  const head = Buffer.alloc(LOG_MAGIC.length);
  let size: number;
  try {
    await fh.read(head, 0, head.length, 0);
    size = (await fh.stat()).size;
  } finally {
    await fh.close();
  }
  const format = detectFormat(head);
  let n = 0;
  let skipHeader = format === 'tuner';
  let pos = 0;
  let batch: LogRecord[] = [];
  const take = (buf: Buffer, s: number, e: number): void => {
    if (skipHeader) {
      skipHeader = false;
      return;
    }
    const p = format === 'tuner' ? parsePrefix(buf, s, e) : null;
    const raw = Buffer.from(buf.subarray(p ? p.body : s, e));
    batch.push({
      n: ++n,
      stream: p?.stream ?? 'stdout',
      t: p ? p.t : null,
      raw,
      text: displayText(raw.toString('utf8')),
    });
  };
  while (pos < size) {
    const end = Math.min(size, pos + (4 << 20));
    let next = await scanLines(path, pos, end, take, { includePartial: end === size });
    if (next === pos) {
      // One line longer than the window: read just that line, whatever its size.
      next = await scanLines(path, pos, size, (b, s, e) => (take(b, s, e), false), { includePartial: true });
    }
    pos = next;
    const out = batch;
    batch = [];
    if (out.length > 0) yield out;
  }
}

/** Record by record view of readLogBatches (convenient; prefer the batches for millions of lines). */
export async function* readLogFile(path: string): AsyncGenerator<LogRecord> {
  for await (const batch of readLogBatches(path)) yield* batch;
}
