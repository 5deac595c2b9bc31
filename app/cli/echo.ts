/**
 * The CLI's own stdout/stderr may fail (`| head -1` closes the pipe: EPIPE; `> /dev/full`: ENOSPC). That must
 * never crash the tool or stop the run it watches: the stream is given up, one note goes to the other stream
 * (when it still works), and the log file keeps capturing everything.
 */
import type { Writable } from 'node:stream';

export class Echo {
  private broken = false;

  constructor(
    private readonly stream: Writable,
    private readonly name: 'stdout' | 'stderr',
    private readonly onBroken: (message: string) => void = () => {},
  ) {
    // Without a listener an EPIPE/ENOSPC from a later write is an uncaught 'error' that ends the process.
    stream.on('error', (e: NodeJS.ErrnoException) => this.fail(e));
  }

  get ok(): boolean {
    return !this.broken;
  }

  write(text: string | Uint8Array): void {
    if (this.broken || text.length === 0) return;
    try {
      this.stream.write(text);
    } catch (e) {
      // A synchronous stream (file, /dev/full) can throw instead of emitting.
      this.fail(e as NodeJS.ErrnoException);
    }
  }

  private fail(e: NodeJS.ErrnoException): void {
    if (this.broken) return;
    this.broken = true;
    const why =
      e.code === 'EPIPE' ? 'closed by its reader' : e.code === 'ENOSPC' ? 'full' : (e.code ?? e.message);
    this.onBroken(`aio-tuner: ${this.name} ${why}: no longer echoing there; the log keeps every line\n`);
  }
}

/** Both of the process's streams; a broken stdout is announced on stderr. */
let echoes: { stdout: Echo; stderr: Echo } | null = null;
export function processEchoes(): { stdout: Echo; stderr: Echo } {
  if (echoes) return echoes;
  const pair = (echoes = {} as { stdout: Echo; stderr: Echo });
  pair.stdout = new Echo(process.stdout, 'stdout', (m) => pair.stderr.write(m));
  // stdout carries results (the JSON): a broken stderr is not announced there.
  pair.stderr = new Echo(process.stderr, 'stderr');
  return pair;
}
