/**
 * Writes a run log (format: logfile.ts) as the output arrives: one `write()` per chunk of lines, each line given
 * its `t<TAB>O|E<TAB>` prefix on the way. Synchronous on purpose: a line is in the file (the page cache) before
 * anyone is told about it, and the viewer reads what it shows from the file (logindex.ts).
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DISPLAY_MAX_BYTES, logHeader, streamLetter, type Stream } from './logfile';

const NL = 10;
// Lines up to this long are copied byte by byte with their prefix; longer ones are found with indexOf and
// copied natively. Measured on 5,000,000 `seq` lines: a native indexOf + copy per short line costs ~4x more.
const SHORT_LINE = 128;

/** A record begun in the file whose line has not ended (a line past MAX_LINE_BYTES, written as it comes). */
export interface OpenRecord {
  stream: Stream;
  t: number;
  /** The line's first bytes, enough to show and classify it however long it gets. */
  head: Buffer;
}

export class LogWriter {
  private fd: number | null = null;
  /** Bytes in the file. */
  offset = 0;
  /** Records written (= lines, the line number of the last one). */
  records = 0;
  /** Why the log can take no more ("log write failed: disk full after N lines"), once a write failed. */
  error: string | null = null;
  private scratch = Buffer.allocUnsafe(1 << 16);
  private open: (OpenRecord & { letterAt: number }) | null = null;

  /** `onFail`: called once when a write fails; nothing more is written after that. */
  constructor(
    readonly path: string,
    private readonly onFail: (error: string) => void = () => {},
  ) {}

  /** Create the file (and its folder) and write the header; false when that failed (see `error`). */
  start(start: Date = new Date()): boolean {
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'w');
    return this.write(Buffer.from(logHeader(start)));
  }

  get openRecord(): OpenRecord | null {
    return this.open;
  }

  /** False when the log cannot take it (then nothing more is written). */
  private write(buf: Buffer, length = buf.length): boolean {
    if (this.error !== null || this.fd === null) return false;
    let off = 0;
    try {
      while (off < length) off += writeSync(this.fd, buf, off, length - off);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'ENOSPC' ? 'disk full' : err.code === 'EDQUOT' ? 'disk quota exceeded' : err.message;
      this.error = `log write failed: ${why} after ${this.records} lines`;
      // Drop a half-written record: the log stays well-formed, and the freed bytes may let run.json be saved.
      try {
        ftruncateSync(this.fd, this.offset);
      } catch {
        // the log keeps the partial record; readers skip a malformed last line
      }
      this.onFail(this.error);
      return false;
    }
    this.offset += length;
    return true;
  }

  /**
   * Complete lines (each ending with `\n`) as records, in one write. Returns how many were written (0 when the
   * log could not take them). An open record of the other stream is ended first, marked "continued".
   */
  lines(stream: Stream, t: number, bytes: Buffer): number {
    if (this.open) this.closeOpen(false);
    const prefix = Buffer.from(`${t}\t${streamLetter(stream, true)}\t`);
    const pl = prefix.length;
    const end = bytes.length;
    // Worst case: every byte a newline, each then a record with a prefix.
    const need = end * (pl + 1);
    if (this.scratch.length < need)
      this.scratch = Buffer.allocUnsafe(Math.max(need, this.scratch.length * 2));
    const out = this.scratch;
    let o = 0;
    let s = 0;
    let n = 0;
    while (s < end) {
      for (let k = 0; k < pl; k++) out[o++] = prefix[k]!;
      const stop = Math.min(end, s + SHORT_LINE);
      let c = 0;
      while (s < stop && (c = bytes[s]!) !== NL) out[o++] = bytes[s++]!;
      if (s < stop) {
        out[o++] = c;
        s++;
      } else {
        const nl = bytes.indexOf(NL, s);
        const stopAt = nl === -1 ? end : nl + 1;
        o += bytes.copy(out, o, s, stopAt);
        s = stopAt;
      }
      n++;
    }
    if (!this.write(out, o)) return 0;
    this.records += n;
    return n;
  }

  /** One record for a line whose output ended without a newline: letter o/e, so nothing gains a newline. */
  unterminated(stream: Stream, t: number, bytes: Buffer): boolean {
    if (this.open) this.closeOpen(false);
    const rec = Buffer.concat([
      Buffer.from(`${t}\t${streamLetter(stream, false)}\t`),
      bytes,
      Buffer.from('\n'),
    ]);
    if (!this.write(rec)) return false;
    this.records++;
    return true;
  }

  /** Start a record whose line has not ended yet: prefix and bytes so far, no newline. */
  openLine(stream: Stream, t: number, bytes: Buffer): boolean {
    if (this.open) this.closeOpen(false);
    const start = this.offset;
    const prefix = `${t}\t${streamLetter(stream, true)}\t`;
    if (!this.write(Buffer.concat([Buffer.from(prefix), bytes]))) return false;
    const head = Buffer.from(bytes.subarray(0, DISPLAY_MAX_BYTES + 1));
    this.open = { stream, t, head, letterAt: start + prefix.length - 2 };
    return true;
  }

  /** More bytes of the open record's line. */
  more(bytes: Buffer): boolean {
    return bytes.length === 0 || this.write(bytes);
  }

  /**
   * End the open record: `newline` when its line ended; otherwise its letter becomes o/e ("continued").
   * Returns the record (now complete in the file, counted), or null when there was none.
   */
  closeOpen(newline: boolean): OpenRecord | null {
    const o = this.open;
    if (!o) return null;
    this.open = null;
    if (!this.write(Buffer.from('\n'))) return null;
    if (!newline && this.fd !== null) {
      try {
        writeSync(this.fd, Buffer.from(streamLetter(o.stream, false)), 0, 1, o.letterAt);
      } catch {
        // An overwrite in place needs no new space; if it still fails the record reads as a complete line.
      }
    }
    this.records++;
    this.closed?.(o);
    return { stream: o.stream, t: o.t, head: o.head };
  }

  /** Told of every open record as it completes (whoever ended it). */
  closed: ((r: OpenRecord) => void) | null = null;

  close(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Data already written stays; a late error (full disk) is already in `error`.
    }
    this.fd = null;
  }
}
