/**
 * Run log file format (one file per run), version 2.
 *
 *   # aio-tuner log v2 <ISO start time> (fields: t_ms<TAB>O|E|o|e<TAB>original bytes; …)\n  ← header, one line
 *   <t_ms>\t<O|E|o|e>\t<original line bytes>\n                                             ← one per record
 *
 * - t_ms: integer milliseconds since the run started, when the line's newline arrived (for a line written in
 *   pieces, when its first piece was written).
 * - O = stdout, E = stderr: the original bytes ended with `\n` there. Lowercase o / e: the original had NO
 *   newline after these bytes; either the output ended there (an unterminated last line) or the same stream's
 *   next record continues the line (the other stream wrote in the middle of a line longer than MAX_LINE_BYTES).
 *   Records are in arrival order across both streams; the record number is the line number.
 * - The bytes after the second TAB are exactly what the process wrote, minus the `\n` (ANSI escapes, invalid
 *   UTF-8, CRs and TABs included), so `cut -f3-` restores the output and the file stays readable in a pager.
 *   A line of any length is one record: past MAX_LINE_BYTES it is written to the file as it arrives instead of
 *   being held in memory, so it is not split (unless the other stream interrupts it, see o / e).
 *
 * Version 1 (`# aio-tuner log v1`) is the same without o / e: an unterminated last line was stored as if it had
 * a newline, and a line over MAX_LINE_BYTES was split into several O/E records. Every reader reads both.
 * Readers (readLogFile, LogIndex) also accept a plain log without header (e.g. `prog > out.log` sent by a
 * colleague): every line is then a stdout line with unknown time.
 */
import { open } from 'node:fs/promises';
import { displayText } from './ansi';

/** The header this version writes; LOG_MAGIC_V1 (same length) is still read. */
export const LOG_MAGIC = '# aio-tuner log v2';
export const LOG_MAGIC_V1 = '# aio-tuner log v1';
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Display text is cut here so a 10 MB line cannot freeze a renderer. */
export const DISPLAY_MAX_CHARS = 4096;
/** Bytes decoded for display: enough for DISPLAY_MAX_CHARS of 4-byte characters plus escape sequences. */
export const DISPLAY_MAX_BYTES = 64 * 1024;

export type Stream = 'stdout' | 'stderr';
export type LogFormat = 'tuner' | 'plain';

export function logHeader(start: Date = new Date()): string {
  return `${LOG_MAGIC} ${start.toISOString()} (fields: t_ms<TAB>O|E|o|e<TAB>original bytes; o/e: no newline after these bytes)\n`;
}

const TAB = 9;
const NL = 10;

/** The stream letter of a record: O/E when the original line ended with a newline, o/e when it did not. */
export function streamLetter(stream: Stream, newline: boolean): string {
  const c = stream === 'stderr' ? 'E' : 'O';
  return newline ? c : c.toLowerCase();
}

/**
 * Where the payload of a record starts and what its prefix says; null if the bytes are not a tuner record.
 * `newline` is false for o/e records (v2): the original had no newline after the payload. `letter` is the
 * offset of the stream letter (the writer turns O into o there when a line it started is interrupted).
 */
export function parsePrefix(
  buf: Uint8Array,
  start: number,
  end: number,
): { t: number; stream: Stream; body: number; newline: boolean } | null {
  let i = start;
  let t = 0;
  while (i < end && buf[i]! >= 48 && buf[i]! <= 57) t = t * 10 + (buf[i++]! - 48);
  // An empty line's record ends right after the second TAB: body === end is allowed.
  if (i === start || i + 2 >= end || buf[i] !== TAB) return null;
  const s = buf[i + 1];
  // 'O' | 'E' | 'o' | 'e'
  if ((s !== 79 && s !== 69 && s !== 111 && s !== 101) || buf[i + 2] !== TAB) return null;
  return { t, stream: s === 69 || s === 101 ? 'stderr' : 'stdout', body: i + 3, newline: s < 97 };
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
  const head = firstBytes.subarray(0, LOG_MAGIC.length).toString('latin1');
  return head === LOG_MAGIC || head === LOG_MAGIC_V1 ? 'tuner' : 'plain';
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
  /**
   * The original had a newline after `raw` (false for a v2 o/e record: an unterminated last line, or a piece
   * continued by the same stream's next record). A plain log's unterminated last line is false too. So the
   * output is every record's `raw` followed by `\n` where `newline` is true, byte for byte.
   */
  newline: boolean;
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
  // scanLines reports the file's last line alike with or without its newline: tell them apart by offset.
  let fileEndsWithNewline = true;
  if (size > 0) {
    const last = Buffer.alloc(1);
    const f = await open(path, 'r');
    try {
      await f.read(last, 0, 1, size - 1);
    } finally {
      await f.close();
    }
    fileEndsWithNewline = last[0] === NL;
  }
  const take = (buf: Buffer, s: number, e: number, off: number): void => {
    if (skipHeader) {
      skipHeader = false;
      return;
    }
    const p = format === 'tuner' ? parsePrefix(buf, s, e) : null;
    const raw = Buffer.from(buf.subarray(p ? p.body : s, e));
    const atEnd = off + (e - s) >= size;
    batch.push({
      n: ++n,
      stream: p?.stream ?? 'stdout',
      t: p ? p.t : null,
      raw,
      text: displayText(raw.toString('utf8')),
      newline: (p ? p.newline : true) && !(atEnd && !fileEndsWithNewline && !p),
    });
  };
  while (pos < size) {
    const end = Math.min(size, pos + (4 << 20));
    let next = await scanLines(path, pos, end, take, { includePartial: end === size });
    if (next === pos) {
      // One line longer than the window: read just that line, whatever its size.
      next = await scanLines(path, pos, size, (b, s, e, o) => (take(b, s, e, o), false), {
        includePartial: true,
      });
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
