/**
 * A remote run's processes: its process group on the target, reached through the wrapper that app/remote/
 * launch.ts puts around the workload, and the local ssh/docker client that carries it. The wrapper speaks on
 * the workload's stdout in control lines (`@@AIO_TUNER_…`): the group's id first, the exit status last; they
 * are taken out of the output here and never logged.
 */
import { constants as osConstants } from 'node:os';
import { kill, type ProcGroup } from './procgroup';
import type { RemoteProofStream } from './proof/remote';

/** A line the remote wrapper printed on stdout for the runner, not part of the workload's output. */
export type RemoteControl =
  | { kind: 'pgid'; value: number; before: string }
  | { kind: 'exit'; value: number; before: string }
  | { kind: 'missing'; program: string; before: string };

/** How a run reaches its remote process group; see app/remote/launch.ts. */
export interface RemoteLaunch {
  /** Local argv (ssh …, docker exec …) that starts the wrapped workload on the target. */
  argv: string[];
  /** Recognise the wrapper's control lines on stdout (process group id first, exit status last). */
  control(line: string): RemoteControl | null;
  /** Signal the remote process group; failures (target unreachable) are swallowed. */
  signal(pgid: number, sig: 'TERM' | 'KILL'): Promise<void>;
  /** End what is left of the group (TERM, then KILL after graceMs); resolves when done or unreachable. */
  reap(pgid: number, graceMs: number): Promise<void>;
  /** Summed resident memory of the group's processes, or null when it cannot be read. */
  rss(pgid: number): Promise<number | null>;
  /** Proof of placement: the target's samples of the group's threads and memory (absent = none taken). */
  proof?: RemoteProofStream;
  /**
   * Why the run ended the way it did when it was not simply the workload's exit: the connection dropped (the
   * wrapper's exit report never came) or the target could not start it (no numactl, no python, ssh refused…).
   */
  explain(e: RemoteEnd): Promise<{ startError?: string; connectionLost?: string }>;
}

export interface RemoteEnd {
  pgid: number | null;
  /** The wrapper's exit report (the workload's status, 128+n for signal n), or null when none arrived. */
  exitStatus: number | null;
  /** How the local ssh/docker client ended. */
  clientStatus: number | null;
  /** A program the wrapper could not find on the target. */
  missing: string | null;
  /** Last bytes of stderr (the client's own messages end up there too). */
  stderr: string;
}

/** How a remote run ended, as the runner records it. */
export interface RemoteEnding {
  exitCode: number | null;
  signal: string | null;
  startError?: string;
  connectionLost?: string;
}

/** SIGTERM for 15, … (null for numbers that are no signal here). */
function signalName(n: number): string | null {
  for (const [name, num] of Object.entries(osConstants.signals as Record<string, number>))
    if (num === n) return name;
  return null;
}

const NEWLINE = Buffer.from('\n');

export class RemoteGroup implements ProcGroup {
  /** The workload's process group on the target, once the wrapper reported it. */
  pgid: number | null = null;
  private exitStatus: number | null = null;
  private missing: string | null = null;
  private lastSignal: 'TERM' | 'KILL' | null = null;
  private stderrTail = '';
  private lost = false;

  /** `client`: the local ssh/docker client's pid (= its process group); `over`: the run has finished. */
  constructor(
    private readonly remote: RemoteLaunch,
    private readonly client: number,
    private readonly graceMs: number,
    private readonly over: () => boolean,
  ) {}

  signal(sig: NodeJS.Signals): void {
    // The remote wrapper knows TERM and KILL; a hang-up is passed on as TERM there.
    this.lastSignal = sig === 'SIGKILL' ? 'KILL' : 'TERM';
    if (this.pgid !== null) void this.remote.signal(this.pgid, this.lastSignal);
    // Without a reported group (not started yet, or the connection hangs) only the local client can be ended;
    // after SIGKILL the local client goes too, so a dead connection cannot keep the run "running" forever.
    if (this.pgid === null || sig === 'SIGKILL') {
      const grace = this.pgid === null ? 0 : this.graceMs;
      setTimeout(() => !this.over() && kill(-this.client, 'SIGKILL'), grace).unref();
    }
  }

  killNow(): void {
    // Nothing asynchronous can run: the remote group cannot be reached, so at least end the client.
    kill(-this.client, 'SIGKILL');
  }

  leftovers(): number {
    return 0;
  }

  async reap(): Promise<void> {
    // Background processes the workload left in its group on the target; unreachable after a lost connection.
    if (this.pgid !== null && !this.lost) await this.remote.reap(this.pgid, this.graceMs);
  }

  sampleMemory(peak: (bytes: number) => void): () => void {
    let busy = false;
    // Each sample is one command over the shared connection: once a second is plenty for a peak.
    const timer = setInterval(() => {
      if (busy || this.pgid === null || this.over()) return;
      busy = true;
      void this.remote
        .rss(this.pgid)
        .then((rss) => {
          if (rss !== null) peak(rss);
        })
        .finally(() => (busy = false));
    }, 1000).unref();
    return () => clearInterval(timer);
  }

  close(): void {}

  /** The client's stderr, whose end explains a failure (ssh's own messages are there). */
  noteStderr(chunk: Buffer): void {
    this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-8192);
  }

  /** Complete stdout lines minus the wrapper's control lines (the common case: none, and no copy). */
  withoutControl(bytes: Buffer): Buffer {
    if (bytes.indexOf('@@AIO_TUNER_') === -1) return bytes;
    const kept: Buffer[] = [];
    for (let s = 0; s < bytes.length;) {
      const nl = bytes.indexOf(10, s);
      const k = this.control(bytes.subarray(s, nl));
      if (k !== null) kept.push(k, NEWLINE);
      s = nl + 1;
    }
    return Buffer.concat(kept);
  }

  /** A control line: consumed here. Returns the text to keep, or null. */
  private control(line: Buffer): Buffer | null {
    // Cheap pre-check so ordinary output is not decoded twice.
    if (line.indexOf('@@AIO_TUNER_') === -1) return line;
    const c = this.remote.control(line.toString('utf8'));
    if (c === null) return line;
    if (c.kind === 'pgid') {
      this.pgid = c.value;
      // Stop pressed before the target reported the group: deliver it now.
      if (this.lastSignal !== null) void this.remote.signal(c.value, this.lastSignal);
    } else if (c.kind === 'exit') this.exitStatus = c.value;
    else this.missing = c.program;
    // Output the workload left without a final newline arrives glued to the report: keep it as its own line.
    return c.before === '' ? null : Buffer.from(c.before);
  }

  /** How the run ended, once the local client is gone: the wrapper's report, or why there was none. */
  async ending(clientStatus: number | null, stopped: boolean): Promise<RemoteEnding> {
    const status = this.exitStatus;
    const needsExplaining = status === null ? !stopped : status !== 0;
    const why = needsExplaining
      ? await this.remote.explain({
          pgid: this.pgid,
          exitStatus: status,
          clientStatus,
          missing: this.missing,
          stderr: this.stderrTail,
        })
      : {};
    if (why.startError) return { exitCode: null, signal: null, startError: why.startError };
    if (status !== null) {
      // The wrapper reports a shell status: 128+n is how sh says "killed by signal n".
      const sig = status > 128 ? signalName(status - 128) : null;
      return { exitCode: sig ? null : status, signal: sig };
    }
    if (stopped) return { exitCode: null, signal: this.lastSignal === 'KILL' ? 'SIGKILL' : 'SIGTERM' };
    this.lost = true;
    return {
      exitCode: null,
      signal: null,
      connectionLost: why.connectionLost ?? 'the connection to the target was lost',
    };
  }
}
