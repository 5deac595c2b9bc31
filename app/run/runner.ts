/**
 * Runs one workload: argv executed directly (no shell, so nothing is re-quoted), in its own process group so
 * Stop reaches every process it started, with its output captured into the run log before anyone sees it.
 * Capture works a pipe chunk at a time (splitter.ts, logwriter.ts): one log write per chunk, nothing decoded
 * or classified per line on the way; the display gets the newest lines in batches (see `lines`).
 */
import { EventEmitter } from 'node:events';
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { LineClassifier, LogIndex, decodeDisplay, type Level, type Stream } from '../logs';
import { LineSplitter } from '../logs/splitter';
import { LogWriter, type OpenRecord } from '../logs/logwriter';
import type { ProcGroup } from './procgroup';
import { cwdProblem as cwdProblemOf, startErrorMessage } from './starterrors';
import { LocalGroup } from './procgroup-local';
import { outputFifos } from './fifos';
import { RemoteGroup, type RemoteLaunch } from './procgroup-remote';

export interface RunSpec {
  argv: string[];
  /** Set on top of the inherited environment. */
  env: Record<string, string>;
  /** Removed from the inherited environment (after `env` is applied). */
  unset?: string[];
  cwd?: string | null;
  logFile: string;
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL on stop (default 3000 ms). */
  graceMs?: number;
  /**
   * Index the whole log when the run ends, for `RunResult.counts` (default true). False: nothing per line is
   * kept (counts is null); the index is built from the file when the log is read (RunManager: the app, the CLI).
   */
  levelCounts?: boolean;
  /**
   * Run on another machine instead (app/remote/launch.ts builds this): `argv`, `env`, `unset` and `cwd` are
   * then already part of `remote.argv`, which starts the workload there; capture and the log are the same.
   */
  remote?: RemoteLaunch;
}

export type { RemoteControl, RemoteEnd, RemoteLaunch } from './procgroup-remote';

export interface RunLine {
  /** 1-based line number across both streams, in arrival order (= position in the log file). */
  n: number;
  stream: Stream;
  /** ms since start. */
  t: number;
  /** Escape-stripped display text, cut at DISPLAY_MAX_CHARS. */
  text: string;
  level: Level;
  /** The display text is shorter than the line; fetch it whole with `handle.log.line(n)`. */
  truncated?: boolean;
}

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /**
   * Peak memory of the run's process group, a lower bound: the larger of the summed VmRSS of its processes
   * (sampled every 200 ms) and the largest VmHWM (a process's own high-water mark) seen in those samples.
   * Null when no sample could be taken (the run ended before the first one, or never started).
   */
  peakRssBytes: number | null;
  logFile: string;
  lines: number;
  /** Lines per level; null when the run was started with `levelCounts: false`. */
  counts: Record<Level, number> | null;
  /** Set when the process never started; exitCode and signal are then null. */
  startError?: string;
  timedOut: boolean;
  /** Stop was requested (by the user, stopAllRuns or the timeout). */
  stopped: boolean;
  /** Remote runs: the connection to the target was lost before the workload's end was reported. */
  connectionLost?: string;
  /** Remote runs: the workload's process group on the target. */
  remotePgid?: number;
  /**
   * The log could not be written (disk full…): "log write failed: disk full after N lines". The workload was
   * then stopped (SIGTERM, SIGKILL after the grace time), since what it printed could no longer be kept.
   */
  logError?: string;
}

export interface RunEvents {
  /**
   * For display, every BATCH_MS: the newest lines written since the last batch, at most DISPLAY_LINES of them.
   * Lines in between are skipped here (their numbers leave a gap; the log and `handle.log` have them all).
   */
  lines: [RunLine[]];
  /**
   * Every byte of the output, as written to the log and right after (remote runs: without the wrapper's control
   * lines), one event per chunk: echo it, or feed it to a parser that must see every line.
   */
  output: [Stream, Buffer];
  exit: [RunResult];
}

export interface RunHandle {
  events: EventEmitter<RunEvents>;
  /** Leader pid = process group id; null when the start failed. Remote runs: the local ssh/docker client. */
  pid: number | null;
  /** Remote runs: the workload's process group id on the target, once the target reported it. */
  remotePgid: number | null;
  done: Promise<RunResult>;
  /**
   * SIGTERM (or `first`) to every process of the run, SIGKILL after graceMs. Resolves when everything has ended.
   */
  stop(first?: NodeJS.Signals): Promise<RunResult>;
  /** Index of the run's log (windows, filters, whole lines), built from the file as it is read. */
  log: LogIndex;
}

const BATCH_MS = 50;
const DISPLAY_LINES = 1000;
const NEWLINE = Buffer.from('\n');
// After the leader exits, remaining group members get this long before being stopped like on Stop.
const ORPHAN_WAIT_MS = 200;

const active = new Set<RunController>();

// execa is ESM-only; a dynamic import keeps this module loadable from CommonJS (tsx tests, the Electron main
// bundle) where a static import would be turned into a failing require().
let execaModule: Promise<typeof import('execa')> | null = null;
const loadExeca = (): Promise<typeof import('execa')> => (execaModule ??= import('execa'));

/** Shell-style status: the exit code, 128 + signal number for a signal, 127 when it could not start. */
export function exitStatusCode(
  r: Pick<RunResult, 'exitCode' | 'signal' | 'startError'> & { connectionLost?: string },
): number | null {
  if (r.exitCode !== null) return r.exitCode;
  // ssh's own status for "the connection failed": scripts already know it.
  if (r.connectionLost) return 255;
  if (r.signal) {
    const num = (osConstants.signals as Record<string, number | undefined>)[r.signal];
    return num === undefined ? null : 128 + num;
  }
  return r.startError ? 127 : null;
}

const SIGNAL_HINTS: Record<string, string> = {
  SIGSEGV: 'segmentation fault: the program crashed',
  SIGKILL: 'killed: stopped forcibly, or by the kernel out-of-memory killer',
  SIGPIPE: 'broken pipe: it wrote to a pipe whose reader had gone',
  SIGABRT: 'aborted',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction: built for a different CPU?',
  SIGTERM: 'terminated',
  SIGINT: 'interrupted',
};

/** One-line human summary of how a run ended. */
export function describeExit(r: RunResult): string {
  if (r.startError) return r.startError;
  if (r.connectionLost) return r.connectionLost;
  const how = r.timedOut ? 'timed out and was stopped' : r.stopped ? 'stopped' : null;
  if (r.signal) {
    const hint = SIGNAL_HINTS[r.signal];
    return `${how ? how + ', ' : ''}ended by ${r.signal} (status ${exitStatusCode(r)})${hint ? ': ' + hint : ''}`;
  }
  if (r.exitCode === 0) return how ? `${how} (exit code 0)` : 'finished successfully (exit code 0)';
  return `${how ? how + ', ' : ''}failed with exit code ${r.exitCode}`;
}

/** Lines written and not yet shown: complete lines (`bytes`) or a long line's record (`head`). */
interface Shown {
  stream: Stream;
  t: number;
  /** Line number of the last line. */
  last: number;
  count: number;
  bytes: Buffer | null;
  head: Buffer | null;
}

class RunController {
  readonly events = new EventEmitter<RunEvents>();
  pid: number | null = null;
  readonly log: LogIndex;
  readonly done: Promise<RunResult>;
  private resolveDone!: (r: RunResult) => void;
  // Reset at spawn so t and durationMs measure the workload, not module loading.
  private t0 = performance.now();
  private readonly writer: LogWriter;
  private shown: Shown[] = [];
  private shownLines = 0;
  private batchTimer: NodeJS.Timeout | null = null;
  private readonly splitters: LineSplitter[];
  private readonly classifiers = [new LineClassifier(), new LineClassifier()];
  private peakRss: number | null = null;
  private stopSampling: () => void = () => {};
  private killTimer: NodeJS.Timeout | null = null;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private stopped = false;
  private timedOut = false;
  private finished = false;
  private leaderExit: { code: number | null; signal: string | null } | null = null;
  // When the leader ended: the run's duration, whatever its leftovers then take to be ended.
  private leaderExitAt: number | null = null;
  // Every process the run started; null until it has started.
  private group: ProcGroup | null = null;
  private remoteGroup: RemoteGroup | null = null;
  private closeStreams: () => void = () => {};
  private logError: string | null = null;

  get remotePgid(): number | null {
    return this.remoteGroup?.pgid ?? null;
  }

  constructor(private readonly spec: RunSpec) {
    this.writer = new LogWriter(spec.logFile, (error) => {
      this.logError = error;
      // Output that cannot be kept must not be produced unseen: stop the workload (no-op before it started).
      if (this.pid !== null) {
        this.stopped = true;
        this.terminate();
      }
    });
    // Remote stdout carries the wrapper's control lines: line semantics kept there, an over-long line cut as v1.
    const overLong = spec.remote ? 'cut' : 'spill';
    this.splitters = [new LineSplitter(undefined, overLong), new LineSplitter(undefined, overLong)];
    this.writer.closed = (r: OpenRecord) => {
      // Ended by its newline, or interrupted by the other stream: either way the next bytes start a new line.
      this.splitters[r.stream === 'stdout' ? 0 : 1]!.interrupt();
      this.show({ stream: r.stream, t: r.t, last: this.writer.records, count: 1, bytes: null, head: r.head });
    };
    this.log = new LogIndex(spec.logFile, { written: () => this.writer.records });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  async start(): Promise<void> {
    const { spec } = this;
    if (!this.writer.start()) return this.failStart(this.logError ?? 'cannot write the log');

    const argv0 = spec.argv[0];
    if (argv0 === undefined || argv0 === '') return this.failStart('nothing to run: the command is empty');
    const remote = spec.remote;
    // A remote run's cwd and environment belong to the target; the wrapper in remote.argv applies them there.
    const cwd = remote ? undefined : (spec.cwd ?? undefined);
    const cwdProblem = cwd ? cwdProblemOf(cwd) : null;
    if (cwdProblem) return this.failStart(cwdProblem);

    const env: Record<string, string | undefined> = remote
      ? { ...process.env }
      : { ...process.env, ...spec.env };
    if (!remote) for (const name of spec.unset ?? []) delete env[name];
    const [file, ...args] = remote ? remote.argv : spec.argv;

    active.add(this);
    const { execa } = await loadExeca();
    if (this.stopped) {
      active.delete(this);
      return this.failStart('stopped before it started');
    }
    // Real pipes for a local run's output (see fifos.ts); a remote run's output is its ssh/docker client's.
    const fifos = remote ? null : outputFifos();
    this.t0 = performance.now();
    const sub = execa(file!, args, {
      env,
      extendEnv: false,
      cwd,
      detached: true,
      cleanup: false,
      // A remote client's stdin stays open and empty: the lifeline that ends the wrapper there when this
      // client goes (app/remote/lifeline.ts).
      stdin: remote ? 'pipe' : 'ignore',
      // execa's types name only fds 3-9 here; at run time any open fd is passed to the child as is.
      ...(fifos ? { stdout: fifos.write[0] as 3, stderr: fifos.write[1] as 3 } : {}),
      buffer: false,
      reject: false,
      encoding: 'buffer',
    });
    this.pid = sub.pid ?? null;
    sub.stdin?.on('error', () => undefined);
    // The child has its copies now; ours would keep the pipes open (no end of output) after it exits.
    fifos?.closeWriteEnds();
    const stdout = fifos ? fifos.stdout : sub.stdout;
    const stderr = fifos ? fifos.stderr : sub.stderr;
    stdout?.on('data', (chunk: Buffer) => this.onData(0, chunk));
    stderr?.on('data', (chunk: Buffer) => this.onData(1, chunk));
    stdout?.on('error', () => undefined);
    stderr?.on('error', () => undefined);
    sub.on('exit', (code, signal) => this.onLeaderExit(code, signal));

    if (this.pid !== null) {
      const grace = spec.graceMs ?? 3000;
      this.group = remote
        ? (this.remoteGroup = new RemoteGroup(remote, this.pid, grace, () => this.finished))
        : new LocalGroup(this.pid, grace, fifos?.links);
      this.stopSampling = this.group.sampleMemory((bytes) => this.notePeak(bytes));
    }
    if (spec.timeoutMs !== undefined && spec.timeoutMs > 0) {
      this.timeoutTimer = setTimeout(() => {
        this.timedOut = true;
        void this.stop();
      }, spec.timeoutMs);
    }

    this.closeStreams = () => {
      stdout?.destroy();
      stderr?.destroy();
    };
    // execa waits for the output streams it made; the FIFOs are ours to wait for, so no trailing line is lost.
    const closed = (s: NodeJS.ReadableStream | null | undefined): Promise<void> =>
      s ? new Promise((res) => s.once('close', () => res())) : Promise.resolve();
    const outputDone = fifos ? Promise.all([closed(stdout), closed(stderr)]) : Promise.resolve();
    void Promise.all([sub, outputDone]).then(([r]) => {
      // Never ran: spawn failed (execa reports the errno as `code`).
      if (this.pid === null && this.leaderExit === null)
        return this.failStart(startErrorMessage(remote ? file! : argv0, r.code, r.message ?? ''));
      const code = this.leaderExit?.code ?? r.exitCode ?? null;
      const signal = this.leaderExit?.signal ?? r.signal ?? null;
      const rg = this.remoteGroup;
      if (rg)
        void rg
          .ending(code, this.stopped)
          .then((e) => this.finish(e.exitCode, e.signal, e.startError, e.connectionLost))
          .catch((e: unknown) => this.crash(e));
      else this.finish(code, signal);
    });
  }

  private notePeak(bytes: number): void {
    if (this.peakRss === null || bytes > this.peakRss) this.peakRss = bytes;
  }

  private onData(stream: 0 | 1, data: Buffer): void {
    const t = Math.round(performance.now() - this.t0);
    const name: Stream = stream === 0 ? 'stdout' : 'stderr';
    const remote = this.remoteGroup;
    if (remote && stream === 1) remote.noteStderr(data);
    for (const part of this.splitters[stream]!.push(data)) {
      if (part.kind === 'lines') {
        // Remote stdout carries the wrapper's control lines: consumed there, never logged.
        const bytes = remote && stream === 0 ? remote.withoutControl(part.bytes) : part.bytes;
        if (bytes.length > 0) this.writeLines(name, t, bytes);
      } else if (part.kind === 'open') {
        if (this.writer.openLine(name, t, part.bytes)) this.events.emit('output', name, part.bytes);
      } else if (this.writer.openRecord?.stream === name) {
        if (this.writer.more(part.bytes)) this.events.emit('output', name, part.bytes);
        if (part.end && this.writer.closeOpen(true)) this.events.emit('output', name, NEWLINE);
      }
    }
  }

  /** Complete lines into the log (one write), then out to listeners. */
  private writeLines(stream: Stream, t: number, bytes: Buffer, unterminated = false): void {
    // Lines the log could not take are not shown either: the viewer reads what it shows from the file.
    const count = unterminated
      ? Number(this.writer.unterminated(stream, t, bytes))
      : this.writer.lines(stream, t, bytes);
    if (count === 0) return;
    this.events.emit('output', stream, bytes);
    this.show({ stream, t, last: this.writer.records, count, bytes, head: null });
  }

  /**
   * Lines written, for the display: only the newest DISPLAY_LINES are kept until the next batch. Output faster
   * than anyone can read skips display lines (their numbers show the gap, the file has them all), so the cost
   * of showing stays bounded whatever the workload's rate.
   */
  private show(s: Shown): void {
    this.shown.push(s);
    this.shownLines += s.count;
    while (this.shown.length > 1 && this.shownLines - this.shown[0]!.count >= DISPLAY_LINES)
      this.shownLines -= this.shown.shift()!.count;
    this.batchTimer ??= setTimeout(() => this.flushBatch(), BATCH_MS);
  }

  private flushBatch(): void {
    if (this.batchTimer !== null) {
      clearTimeout(this.batchTimer);
      this.batchTimer = null;
    }
    if (this.shown.length === 0) return;
    // The newest DISPLAY_LINES, found from the end of each entry backwards; decoded and classified in order.
    const picked: { s: Shown; n: number; from: number; to: number }[] = [];
    for (let i = this.shown.length - 1; i >= 0 && picked.length < DISPLAY_LINES; i--) {
      const s = this.shown[i]!;
      if (s.head) {
        picked.push({ s, n: s.last, from: 0, to: s.head.length });
        continue;
      }
      const b = s.bytes!;
      // An unterminated record's bytes have no newline of their own.
      let end = b.length > 0 && b[b.length - 1] === 10 ? b.length - 1 : b.length;
      for (let n = s.last; n > s.last - s.count && picked.length < DISPLAY_LINES; n--) {
        const start = end === 0 ? 0 : b.lastIndexOf(10, end - 1) + 1;
        picked.push({ s, n, from: start, to: end });
        end = start - 1;
      }
    }
    this.shown = [];
    this.shownLines = 0;
    const out: RunLine[] = [];
    for (let i = picked.length - 1; i >= 0; i--) {
      const { s, n, from, to } = picked[i]!;
      const d = decodeDisplay(s.head ?? s.bytes!, from, to);
      const level = this.classifiers[s.stream === 'stdout' ? 0 : 1]!.classify(d.text);
      const ev: RunLine = { n, stream: s.stream, t: s.t, text: d.text, level };
      if (d.truncated) ev.truncated = true;
      out.push(ev);
    }
    this.events.emit('lines', out);
  }

  private signalGroup(sig: NodeJS.Signals): void {
    this.group?.signal(sig);
  }

  /** Processes of the run still alive here (remote runs: none known locally). */
  private leftovers(): number {
    return this.group?.leftovers() ?? 0;
  }

  private onLeaderExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.leaderExit = { code, signal };
    this.leaderExitAt = performance.now();
    // Background children the workload left behind would skew the next measurement and can hold our pipes
    // open: treat them like a Stop once the leader is gone (setsid children included: they are tracked).
    setTimeout(() => {
      if (this.finished || this.pid === null) return;
      if (this.leftovers() > 0) this.terminate();
    }, ORPHAN_WAIT_MS).unref();
    // A process that left the group (setsid) can still hold our pipes; stop waiting for it eventually.
    setTimeout(() => this.closeStreams(), ORPHAN_WAIT_MS + (this.spec.graceMs ?? 3000) + 1000).unref();
  }

  private terminate(first: NodeJS.Signals = 'SIGTERM'): void {
    if (this.stopping) return;
    this.stopping = true;
    this.signalGroup(first);
    this.killTimer = setTimeout(() => this.signalGroup('SIGKILL'), this.spec.graceMs ?? 3000);
  }

  /**
   * `first` is what the run gets before SIGKILL: SIGTERM, or SIGHUP when the tool itself was hung up on, so
   * the run ends as a job of a closed terminal would (and records SIGHUP).
   */
  stop(first: NodeJS.Signals = 'SIGTERM'): Promise<RunResult> {
    if (!this.finished) {
      this.stopped = true;
      this.terminate(first);
    }
    return this.done;
  }

  /** Synchronous last resort for process exit handlers. */
  killNow(): void {
    this.stopped = true;
    this.group?.killNow();
  }

  /** A bug or I/O failure in the runner itself (e.g. the log file cannot be created): still resolve `done`. */
  crash(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    if (this.pid !== null) this.signalGroup('SIGKILL');
    this.failStart(`cannot run: ${msg}`);
  }

  private failStart(message: string): void {
    // Deferred so listeners attached right after startRun() returns still get the exit event.
    setImmediate(() => this.finish(null, null, message));
  }

  /**
   * Processes of the group still alive once the output has ended (e.g. a daemon with its output redirected)
   * are ended before the run counts as done: a finished run leaves nothing behind.
   */
  private async reapGroup(): Promise<void> {
    await this.group?.reap();
  }

  private finish(
    exitCode: number | null,
    signal: string | null,
    startError?: string,
    connectionLost?: string,
  ): void {
    if (this.finished) return;
    this.finished = true;
    // Leftovers of the run (ended below) do not count: the run is the leader's lifetime.
    const durationMs = Math.round((this.leaderExitAt ?? performance.now()) - this.t0);
    const t = durationMs;
    // The output's last bytes, left without a newline: kept as o/e records, so nothing gains a newline.
    this.writer.closeOpen(false);
    for (const stream of [0, 1] as const) {
      const rest = this.splitters[stream]!.end();
      if (rest) this.writeLines(stream === 0 ? 'stdout' : 'stderr', t, rest, true);
    }
    this.flushBatch();
    // A failure's last words on stderr show at the default level (app/logs/classify.ts).
    const failed = !this.stopped && (exitCode !== null ? exitCode !== 0 : signal !== null);
    if (failed && startError === undefined) this.log.raiseFailureTail();
    this.stopSampling();
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer);
    this.writer.close();
    const result: RunResult = {
      exitCode,
      signal,
      durationMs,
      peakRssBytes: this.peakRss,
      logFile: this.spec.logFile,
      lines: this.writer.records,
      counts: null,
      timedOut: this.timedOut,
      stopped: this.stopped,
    };
    if (startError !== undefined) result.startError = startError;
    if (this.logError !== null && startError !== this.logError) result.logError = this.logError;
    if (connectionLost !== undefined) result.connectionLost = connectionLost;
    if (this.remotePgid !== null) result.remotePgid = this.remotePgid;
    void this.reapGroup()
      .then(async () => {
        // Read back from the file: the log was written without indexing anything on the way.
        if (this.spec.levelCounts !== false) {
          await this.log.refresh();
          result.counts = this.log.counts();
        }
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.killTimer) clearTimeout(this.killTimer);
        this.group?.close();
        active.delete(this);
        this.events.emit('exit', result);
        this.resolveDone(result);
      });
  }
}

/** Start a run. Never throws for workload problems: a failed start resolves `done` with `startError`. */
export function startRun(spec: RunSpec): RunHandle {
  const c = new RunController(spec);
  c.start().catch((e: unknown) => c.crash(e));
  return {
    events: c.events,
    get pid() {
      return c.pid;
    },
    get remotePgid() {
      return c.remotePgid;
    },
    done: c.done,
    stop: (first?: NodeJS.Signals) => c.stop(first),
    log: c.log,
  };
}

/** Stop every run still going (app quit, CLI Ctrl-C) and wait until all have ended. */
export async function stopAllRuns(first?: NodeJS.Signals): Promise<RunResult[]> {
  return Promise.all([...active].map((c) => c.stop(first)));
}

/** For `process.on('exit')`, where nothing asynchronous can run: SIGKILL every run's process group. */
export function killAllRunsSync(): void {
  for (const c of active) c.killNow();
}
