/**
 * Runs one workload: argv executed directly (no shell, so nothing is re-quoted), in its own process group so
 * Stop reaches every process it started, with output captured line by line into the run log before anyone
 * sees it.
 */
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  LineClassifier,
  LogIndex,
  MAX_LINE_BYTES,
  decodeDisplay,
  logHeader,
  type Level,
  type Stream,
} from '../logs';
import { groupMembers, groupRssBytes } from './proctree';

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
}

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
  /** Max over time of the summed VmRSS of all processes of the run's group. */
  peakRssBytes: number;
  logFile: string;
  lines: number;
  counts: Record<Level, number>;
  /** Set when the process never started; exitCode and signal are then null. */
  startError?: string;
  timedOut: boolean;
  /** Stop was requested (by the user, stopAllRuns or the timeout). */
  stopped: boolean;
}

export interface RunEvents {
  lines: [RunLine[]];
  exit: [RunResult];
}

export interface RunHandle {
  events: EventEmitter<RunEvents>;
  /** Leader pid = process group id; null when the start failed. */
  pid: number | null;
  done: Promise<RunResult>;
  /** SIGTERM to the whole group, SIGKILL after graceMs. Resolves when everything has ended. */
  stop(): Promise<RunResult>;
  /** Index of the run's log, fed as lines are written: windows, filters, whole lines. */
  log: LogIndex;
}

const BATCH_MS = 50;
const BATCH_LINES = 1000;
const RSS_SAMPLE_MS = 200;
// After the leader exits, remaining group members get this long before being stopped like on Stop.
const ORPHAN_WAIT_MS = 200;

const active = new Set<RunController>();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// execa is ESM-only; a dynamic import keeps this module loadable from CommonJS (tsx tests, the Electron main
// bundle) where a static import would be turned into a failing require().
let execaModule: Promise<typeof import('execa')> | null = null;
const loadExeca = (): Promise<typeof import('execa')> => (execaModule ??= import('execa'));

/** Shell-style status: the exit code, 128 + signal number for a signal, 127 when it could not start. */
export function exitStatusCode(r: Pick<RunResult, 'exitCode' | 'signal' | 'startError'>): number | null {
  if (r.exitCode !== null) return r.exitCode;
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
  const how = r.timedOut ? 'timed out and was stopped' : r.stopped ? 'stopped' : null;
  if (r.signal) {
    const hint = SIGNAL_HINTS[r.signal];
    return `${how ? how + ', ' : ''}ended by ${r.signal} (status ${exitStatusCode(r)})${hint ? ': ' + hint : ''}`;
  }
  if (r.exitCode === 0) return how ? `${how} (exit code 0)` : 'finished successfully (exit code 0)';
  return `${how ? how + ', ' : ''}failed with exit code ${r.exitCode}`;
}

function startErrorMessage(argv0: string, code: string | undefined, message: string): string {
  switch (code) {
    case 'ENOENT':
      if (argv0.includes('/'))
        return existsSync(argv0)
          ? `cannot start: \`${argv0}\` exists but its interpreter (the #! line) was not found`
          : `cannot start: \`${argv0}\` does not exist`;
      return `cannot start: \`${argv0}\` not found on PATH`;
    case 'EACCES':
      return `cannot start: \`${argv0}\` is not executable (permission denied)`;
    case 'ENOEXEC':
      return `cannot start: \`${argv0}\` is not a program this system can run (missing #! line?)`;
    default:
      return `cannot start \`${argv0}\`: ${message.split('\n').pop() ?? message}`;
  }
}

function checkCwd(cwd: string): string | null {
  try {
    if (!statSync(cwd).isDirectory()) return `working directory ${cwd} is not a directory`;
  } catch {
    return `working directory ${cwd} does not exist`;
  }
  return null;
}

/** Pending bytes of a line not yet terminated, kept as pieces so a huge line is joined once. */
class Partial {
  parts: Buffer[] = [];
  len = 0;
}

class RunController {
  readonly events = new EventEmitter<RunEvents>();
  pid: number | null = null;
  readonly log: LogIndex;
  readonly done: Promise<RunResult>;
  private resolveDone!: (r: RunResult) => void;
  // Reset at spawn so t and durationMs measure the workload, not module loading.
  private t0 = performance.now();
  private fd: number | null = null;
  private fileOffset = 0;
  private lineNo = 0;
  private batch: RunLine[] = [];
  private batchTimer: NodeJS.Timeout | null = null;
  private readonly partial = [new Partial(), new Partial()];
  private readonly classifiers = [new LineClassifier(), new LineClassifier()];
  private peakRss = 0;
  private rssTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private stopped = false;
  private timedOut = false;
  private finished = false;
  private leaderExit: { code: number | null; signal: string | null } | null = null;
  private closeStreams: () => void = () => {};

  constructor(private readonly spec: RunSpec) {
    this.log = new LogIndex(spec.logFile, { fedByWriter: true });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  async start(): Promise<void> {
    const { spec } = this;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    this.fd = openSync(spec.logFile, 'w');
    this.write(Buffer.from(logHeader()));

    const argv0 = spec.argv[0];
    if (argv0 === undefined || argv0 === '') return this.failStart('nothing to run: the command is empty');
    const cwd = spec.cwd ?? undefined;
    const cwdProblem = cwd ? checkCwd(cwd) : null;
    if (cwdProblem) return this.failStart(cwdProblem);

    const env: Record<string, string | undefined> = { ...process.env, ...spec.env };
    for (const name of spec.unset ?? []) delete env[name];

    active.add(this);
    const { execa } = await loadExeca();
    if (this.stopped) {
      active.delete(this);
      return this.failStart('stopped before it started');
    }
    this.t0 = performance.now();
    const sub = execa(argv0, spec.argv.slice(1), {
      env,
      extendEnv: false,
      cwd,
      detached: true,
      cleanup: false,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      encoding: 'buffer',
    });
    this.pid = sub.pid ?? null;
    sub.stdout?.on('data', (chunk: Buffer) => this.onData(0, chunk));
    sub.stderr?.on('data', (chunk: Buffer) => this.onData(1, chunk));
    sub.on('exit', (code, signal) => this.onLeaderExit(code, signal));

    if (this.pid !== null) {
      const sample = (): void => {
        const rss = groupRssBytes(this.pid!);
        if (rss > this.peakRss) this.peakRss = rss;
      };
      // A first early sample so short runs still report something.
      setTimeout(sample, 20).unref();
      this.rssTimer = setInterval(sample, RSS_SAMPLE_MS);
      this.rssTimer.unref();
    }
    if (spec.timeoutMs !== undefined && spec.timeoutMs > 0) {
      this.timeoutTimer = setTimeout(() => {
        this.timedOut = true;
        void this.stop();
      }, spec.timeoutMs);
    }

    this.closeStreams = () => {
      sub.stdout?.destroy();
      sub.stderr?.destroy();
    };
    void sub.then((r) => {
      // Never ran: spawn failed (execa reports the errno as `code`).
      if (this.pid === null && this.leaderExit === null)
        return this.failStart(startErrorMessage(argv0, r.code, r.message ?? ''));
      this.finish(this.leaderExit?.code ?? r.exitCode ?? null, this.leaderExit?.signal ?? r.signal ?? null);
    });
  }

  private write(buf: Buffer): void {
    // Synchronous on purpose: a line is on disk (in the page cache) before any listener can see it.
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd!, buf, off, buf.length - off);
    this.fileOffset += buf.length;
  }

  private onData(stream: 0 | 1, chunk: Buffer): void {
    const t = Math.round(performance.now() - this.t0);
    const p = this.partial[stream]!;
    const lines: Buffer[] = [];
    let s = 0;
    let nl = chunk.indexOf(10);
    while (nl !== -1) {
      if (p.len > 0) {
        p.parts.push(chunk.subarray(s, nl));
        lines.push(Buffer.concat(p.parts));
        p.parts = [];
        p.len = 0;
      } else {
        lines.push(chunk.subarray(s, nl));
      }
      s = nl + 1;
      nl = chunk.indexOf(10, s);
    }
    if (s < chunk.length) {
      p.parts.push(chunk.subarray(s));
      p.len += chunk.length - s;
      if (p.len >= MAX_LINE_BYTES) {
        // A runaway line without newline: record what we have so memory stays bounded.
        lines.push(Buffer.concat(p.parts));
        p.parts = [];
        p.len = 0;
      }
    }
    if (lines.length > 0) this.record(stream, t, lines);
  }

  private record(stream: 0 | 1, t: number, lines: Buffer[]): void {
    const prefix = Buffer.from(`${t}\t${stream === 0 ? 'O' : 'E'}\t`);
    const pieces: Buffer[] = [];
    const nl = Buffer.from('\n');
    const starts: number[] = [];
    let off = this.fileOffset;
    for (const line of lines) {
      starts.push(off);
      pieces.push(prefix, line, nl);
      off += prefix.length + line.length + 1;
    }
    this.write(Buffer.concat(pieces, off - this.fileOffset));
    const streamName: Stream = stream === 0 ? 'stdout' : 'stderr';
    for (let i = 0; i < lines.length; i++) {
      const d = decodeDisplay(lines[i]!);
      const level = this.classifiers[stream]!.classify(d.text);
      const start = starts[i]!;
      this.log.appendWritten(start, start + prefix.length + lines[i]!.length + 1, level, streamName);
      const ev: RunLine = { n: ++this.lineNo, stream: streamName, t, text: d.text, level };
      if (d.truncated) ev.truncated = true;
      this.batch.push(ev);
      if (this.batch.length >= BATCH_LINES) this.flushBatch();
    }
    if (this.batch.length > 0 && this.batchTimer === null) {
      this.batchTimer = setTimeout(() => this.flushBatch(), BATCH_MS);
    }
  }

  private flushBatch(): void {
    if (this.batchTimer !== null) {
      clearTimeout(this.batchTimer);
      this.batchTimer = null;
    }
    if (this.batch.length === 0) return;
    const out = this.batch;
    this.batch = [];
    this.events.emit('lines', out);
  }

  private signalGroup(sig: NodeJS.Signals): void {
    if (this.pid === null) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  private onLeaderExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.leaderExit = { code, signal };
    // Background children the workload left behind would skew the next measurement and can hold our pipes
    // open: treat them like a Stop once the leader is gone.
    setTimeout(() => {
      if (this.finished || this.pid === null) return;
      if (groupMembers(this.pid).length > 0) this.terminate();
    }, ORPHAN_WAIT_MS).unref();
    // A process that left the group (setsid) can still hold our pipes; stop waiting for it eventually.
    setTimeout(() => this.closeStreams(), ORPHAN_WAIT_MS + (this.spec.graceMs ?? 3000) + 1000).unref();
  }

  private terminate(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.signalGroup('SIGTERM');
    this.killTimer = setTimeout(() => this.signalGroup('SIGKILL'), this.spec.graceMs ?? 3000);
  }

  stop(): Promise<RunResult> {
    if (!this.finished) {
      this.stopped = true;
      this.terminate();
    }
    return this.done;
  }

  /** Synchronous last resort for process exit handlers. */
  killNow(): void {
    this.stopped = true;
    this.signalGroup('SIGKILL');
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
    const pid = this.pid;
    if (pid === null || groupMembers(pid).length === 0) return;
    this.signalGroup('SIGTERM');
    const deadline = performance.now() + (this.spec.graceMs ?? 3000);
    while (groupMembers(pid).length > 0 && performance.now() < deadline) await sleep(25);
    if (groupMembers(pid).length > 0) {
      this.signalGroup('SIGKILL');
      await sleep(25);
    }
  }

  private finish(exitCode: number | null, signal: string | null, startError?: string): void {
    if (this.finished) return;
    this.finished = true;
    const durationMs = Math.round(performance.now() - this.t0);
    const t = durationMs;
    for (const stream of [0, 1] as const) {
      const p = this.partial[stream]!;
      if (p.len > 0) this.record(stream, t, [Buffer.concat(p.parts)]);
      p.parts = [];
      p.len = 0;
    }
    this.flushBatch();
    for (const timer of [this.rssTimer, this.timeoutTimer]) if (timer) clearTimeout(timer);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const result: RunResult = {
      exitCode,
      signal,
      durationMs,
      peakRssBytes: this.peakRss,
      logFile: this.spec.logFile,
      lines: this.lineNo,
      counts: this.log.counts(),
      timedOut: this.timedOut,
      stopped: this.stopped,
    };
    if (startError !== undefined) result.startError = startError;
    void this.reapGroup().finally(() => {
      if (this.killTimer) clearTimeout(this.killTimer);
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
    done: c.done,
    stop: () => c.stop(),
    log: c.log,
  };
}

/** Stop every run still going (app quit, CLI Ctrl-C) and wait until all have ended. */
export async function stopAllRuns(): Promise<RunResult[]> {
  return Promise.all([...active].map((c) => c.stop()));
}

/** For `process.on('exit')`, where nothing asynchronous can run: SIGKILL every run's process group. */
export function killAllRunsSync(): void {
  for (const c of active) c.killNow();
}
