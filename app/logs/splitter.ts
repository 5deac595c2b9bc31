/**
 * Cuts one output stream into lines a chunk at a time. A chunk's complete lines come out as ONE buffer (every
 * line in it ends with `\n`), found with a single `lastIndexOf`, so the capture does per-chunk work, not
 * per-line work, on the path that drains the workload's pipe. Only `\n` ends a line: a CR (CRLF, a progress
 * bar's redraws) stays part of the line's bytes, as the log format wants (display drops it, see ansi.ts).
 *
 * A line that grows past `cap` bytes without its newline is not held: in 'spill' mode its bytes are handed out
 * as they arrive (`open`, then `more` until its newline), so memory stays bounded and the writer keeps it as one
 * record; in 'cut' mode (remote stdout, whose control lines need whole lines) it is ended there as a line.
 */
import { MAX_LINE_BYTES } from './logfile';

export type SplitPart =
  /** Complete lines, each ending with `\n`. */
  | { kind: 'lines'; bytes: Buffer }
  /** The first bytes of a line past the cap that has no newline yet. */
  | { kind: 'open'; bytes: Buffer }
  /** More of the open line; `end`: its newline came (not included in `bytes`), the line is complete. */
  | { kind: 'more'; bytes: Buffer; end: boolean };

const NL = 10;
const NEWLINE = Buffer.from('\n');

export class LineSplitter {
  private carry: Buffer[] = [];
  private carryLen = 0;
  private spilling = false;

  constructor(
    private readonly cap: number = MAX_LINE_BYTES,
    private readonly overLong: 'spill' | 'cut' = 'spill',
  ) {}

  /** Bytes of an unfinished line held so far. */
  get pending(): number {
    return this.carryLen;
  }

  push(chunk: Buffer): SplitPart[] {
    const out: SplitPart[] = [];
    let data = chunk;
    if (this.spilling) {
      const nl = data.indexOf(NL);
      if (nl === -1) {
        if (data.length > 0) out.push({ kind: 'more', bytes: data, end: false });
        return out;
      }
      out.push({ kind: 'more', bytes: data.subarray(0, nl), end: true });
      this.spilling = false;
      data = data.subarray(nl + 1);
    }
    const last = data.lastIndexOf(NL);
    if (last !== -1) {
      const head = data.subarray(0, last + 1);
      // The line begun in an earlier chunk is joined once, with this chunk's lines, into one buffer.
      out.push({ kind: 'lines', bytes: this.carryLen > 0 ? Buffer.concat([...this.carry, head]) : head });
      this.carry = [];
      this.carryLen = 0;
    }
    if (last + 1 < data.length) {
      this.carry.push(data.subarray(last + 1));
      this.carryLen += data.length - last - 1;
    }
    if (this.carryLen >= this.cap) {
      const bytes = this.carry.length === 1 ? this.carry[0]! : Buffer.concat(this.carry);
      this.carry = [];
      this.carryLen = 0;
      if (this.overLong === 'spill') {
        this.spilling = true;
        out.push({ kind: 'open', bytes });
      } else out.push({ kind: 'lines', bytes: Buffer.concat([bytes, NEWLINE]) });
    }
    return out;
  }

  /**
   * The open line's record was ended by the other stream (log format: o/e, "continued"): what this stream
   * sends next up to its newline is the start of a new record, held like any other line.
   */
  interrupt(): void {
    this.spilling = false;
  }

  /** The output ended: the last line's bytes that never got a newline (null when there are none). */
  end(): Buffer | null {
    this.spilling = false;
    if (this.carryLen === 0) return null;
    const rest = Buffer.concat(this.carry);
    this.carry = [];
    this.carryLen = 0;
    return rest;
  }
}
