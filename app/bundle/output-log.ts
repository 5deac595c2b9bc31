/**
 * run/output.log: the run's log rewritten for people who do not have AIO Tuner, with every line's stream
 * marked, redacted line by line while it streams. The run log can be far larger than memory, so it is read
 * twice (once to learn the redacted size tar needs up front, once to write) rather than held or copied.
 *
 * Lines are handled as latin1 strings cut from one decoded window: byte-exact for any content (invalid UTF-8
 * included) and without a Buffer per line, which matters for logs of millions of lines.
 */
import { open, stat } from 'node:fs/promises';
import { LOG_MAGIC, detectFormat, parsePrefix, scanLines, type Stream } from '../logs';
import type { Redactor } from './redact';

/**
 * `[stdout +1.234s] ` / `[stderr +1.234s] `, or without time for a plain log that has none; `, no newline`
 * before the `]` when the program wrote no newline after that line's bytes.
 */
export function linePrefix(stream: Stream, t: number | null, newline = true): string {
  const time = t === null ? '' : ` +${(t / 1000).toFixed(3)}s`;
  return `[${stream}${time}${newline ? '' : ', no newline'}] `;
}

export const OUTPUT_LOG_FORMAT =
  'One line per output line: "[stdout +S.sss] " or "[stderr +S.sss] " (seconds since the run started), then ' +
  'the bytes exactly as the program wrote them, escape codes included. "[stdout +S.sss, no newline] " marks ' +
  'bytes the program wrote without a newline after them (its last output, or a very long line that the ' +
  'other stream interrupted and the next line of the same stream continues).';

/** Called for every line of the source log: the original bytes are buf[start, end). */
export type LineVisitor = (stream: Stream, buf: Buffer, start: number, end: number) => void;

const WINDOW = 4 << 20;

/** The output.log content in chunks of about WINDOW bytes: prefix + redacted bytes + newline per line. */
export async function* outputLines(
  logFile: string,
  redactor: Redactor,
  onLine?: LineVisitor,
  /** Stop after this many lines: a log still growing between the two passes must not outgrow its tar size. */
  maxLines = Infinity,
): AsyncGenerator<Buffer> {
  const size = (await stat(logFile)).size;
  const head = Buffer.alloc(LOG_MAGIC.length);
  const fh = await open(logFile, 'r');
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  const tuner = detectFormat(head) === 'tuner';
  let skipHeader = tuner;
  let n = 0;
  let full = false;
  // One output buffer per window, filled in place: a string or Buffer per line costs more than the work itself.
  let out = Buffer.allocUnsafe(WINDOW + (WINDOW >> 1));
  let off = 0;
  const room = (bytes: number): void => {
    if (off + bytes <= out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, off + bytes));
    out.copy(bigger, 0, 0, off);
    out = bigger;
  };
  let lastPrefix = '';
  let lastKey = '';
  const take = (buf: Buffer, s: number, e: number): boolean | void => {
    if (skipHeader) {
      skipHeader = false;
      return;
    }
    if (n >= maxLines) {
      full = true;
      return false;
    }
    n++;
    const p = tuner ? parsePrefix(buf, s, e) : null;
    const body = p ? p.body : s;
    const stream: Stream = p?.stream ?? 'stdout';
    onLine?.(stream, buf, body, e);
    // Consecutive lines mostly share their millisecond: reuse the prefix string.
    const newline = p ? p.newline : true;
    const key = `${stream}${p ? p.t : ''}${newline ? '' : '!'}`;
    if (key !== lastKey) {
      lastKey = key;
      lastPrefix = linePrefix(stream, p ? p.t : null, newline);
    }
    const text = buf.toString('latin1', body, e);
    const red = redactor.latin1Line(text);
    room(lastPrefix.length + red.length + 1);
    off += out.write(lastPrefix, off, 'latin1');
    off += red === text ? buf.copy(out, off, body, e) : out.write(red, off, 'latin1');
    out[off++] = 10;
  };
  let pos = 0;
  while (pos < size && !full) {
    const end = Math.min(size, pos + WINDOW);
    let next = await scanLines(logFile, pos, end, take, { includePartial: end === size });
    if (next === pos && !full) {
      // One line longer than the window: read just that line, whatever its size.
      next = await scanLines(logFile, pos, size, (b, s, e) => (take(b, s, e), false), {
        includePartial: true,
      });
    }
    pos = next;
    if (off > 0) {
      // A fresh buffer per chunk: the archive may still hold the previous one in its queue.
      yield out.subarray(0, off);
      out = Buffer.allocUnsafe(out.length);
      off = 0;
    }
  }
}

/** Size the redacted output.log will have and its line count; `onLine` sees every line on the way. */
export async function measureOutput(
  logFile: string,
  redactor: Redactor,
  onLine?: LineVisitor,
): Promise<{ bytes: number; lines: number }> {
  let bytes = 0;
  let lines = 0;
  const count: LineVisitor = (stream, buf, s, e) => {
    lines++;
    onLine?.(stream, buf, s, e);
  };
  for await (const chunk of outputLines(logFile, redactor, count)) bytes += chunk.length;
  return { bytes, lines };
}
