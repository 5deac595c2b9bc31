/**
 * A long run behind a CLI command that does not echo it (`bundle`) still shows it is alive: lines captured and
 * time elapsed, as a status line redrawn in place on a terminal, or one plain line every few seconds otherwise
 * (a log file or CI gets a readable trail, not a wall of carriage returns).
 */
import type { Writable } from 'node:stream';

export const TICK_PLAIN_MS = 5000;
const TICK_TTY_MS = 1000;

export class RunTicker {
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private count = 0;
  private drawn = false;

  constructor(private readonly out: Writable & { isTTY?: boolean }) {}

  start(): void {
    this.end();
    this.t0 = Date.now();
    this.count = 0;
    this.timer = setInterval(() => this.tick(), this.out.isTTY ? TICK_TTY_MS : TICK_PLAIN_MS);
    this.timer.unref();
  }

  lines(n: number): void {
    this.count = n;
  }

  /** Stop ticking and leave the terminal's cursor on a fresh line. */
  end(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.drawn) this.write('\r\x1b[K');
    this.drawn = false;
  }

  private tick(): void {
    const s = Math.round((Date.now() - this.t0) / 1000);
    const text = `[run] ${this.count} line${this.count === 1 ? '' : 's'} captured, ${s} s elapsed`;
    if (this.out.isTTY) {
      this.write(`\r\x1b[K${text}`);
      this.drawn = true;
    } else this.write(text + '\n');
  }

  private write(text: string): void {
    try {
      this.out.write(text);
    } catch {
      // A broken stderr must not end the run being bundled.
    }
  }
}
