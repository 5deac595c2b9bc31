/**
 * Runs one workload: argv executed directly (no shell, so nothing is re-quoted), in its own process group so
 * Stop reaches every process it started, with its output captured into the run log before anyone sees it.
 * Capture works a pipe chunk at a time (splitter.ts, logwriter.ts): one log write per chunk, nothing decoded
 * or classified per line on the way; the display gets the newest lines in batches (see `lines`).
 */
import { EventEmitter } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { LineClassifier, LogIndex, decodeDisplay, type Level, type Stream } from '../logs';
import { LineSplitter } from '../logs/splitter';
import { LogWriter, type OpenRecord } from '../logs/logwriter';
import { pipeInode, processesMemory, RunProcesses } from './proctree';
import { unwatchRun, watchRun } from './reaper';

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
const RSS_SAMPLE_MS = 200;
// After the leader exits, remaining group members get this long before being stopped like on Stop.
const ORPHAN_WAIT_MS = 200;

const active = new Set<RunController>();

/** SIGTERM for 15, … (null for numbers that are no signal here). */
function signalName(n: number): string | null {
  for (const [name, num] of Object.entries(osConstants.signals as Record<string, number>))
    if (num === n) return name;
  return null;
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

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
  private rssTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private timeoutTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private stopped = false;
  private timedOut = false;
  private finished = false;
  private leaderExit: { code: number | null; signal: string | null } | null = null;
  // When the leader ended: the run's duration, whatever its leftovers then take to be ended.
  private leaderExitAt: number | null = null;
  // Local runs: everything the run started, beyond its process group (see RunProcesses).
  private procs: RunProcesses | null = null;
  private closeStreams: () => void = () => {};
  private logError: string | null = null;
  // Remote runs only.
  remotePgid: number | null = null;
  private remoteExit: number | null = null;
  private remoteMissing: string | null = null;
  private lastRemoteSignal: 'TERM' | 'KILL' | null = null;
  private stderrTail = '';
  private connectionLost = false;

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
    const cwdProblem = cwd ? checkCwd(cwd) : null;
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
      buffer: false,
      reject: false,
      encoding: 'buffer',
    });
    this.pid = sub.pid ?? null;
    sub.stdin?.on('error', () => undefined);
    sub.stdout?.on('data', (chunk: Buffer) => this.onData(0, chunk));
    sub.stderr?.on('data', (chunk: Buffer) => this.onData(1, chunk));
    sub.on('exit', (code, signal) => this.onLeaderExit(code, signal));

    if (remote) {
      this.startRemoteRssSampling(remote);
    } else if (this.pid !== null) {
      // The leader's stdout/stderr are our pipes right after spawn (the program has only just been exec'd).
      const pipes = new Set([pipeInode(this.pid, 1), pipeInode(this.pid, 2)].filter((n) => n !== null));
      const procs = (this.procs = new RunProcesses(this.pid, pipes));
      watchRun(this.pid, pipes, spec.graceMs ?? 3000);
      const sample = (): void => {
        const m = processesMemory(procs.scan(false));
        if (m) this.notePeak(Math.max(m.rssBytes, m.maxHwmBytes));
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
        return this.failStart(startErrorMessage(remote ? file! : argv0, r.code, r.message ?? ''));
      const code = this.leaderExit?.code ?? r.exitCode ?? null;
      const signal = this.leaderExit?.signal ?? r.signal ?? null;
      if (remote) void this.finishRemote(remote, code).catch((e: unknown) => this.crash(e));
      else this.finish(code, signal);
    });
  }

  private startRemoteRssSampling(remote: RemoteLaunch): void {
    let busy = false;
    // Each sample is one command over the shared connection: once a second is plenty for a peak.
    this.rssTimer = setInterval(() => {
      if (busy || this.remotePgid === null || this.finished) return;
      busy = true;
      void remote
        .rss(this.remotePgid)
        .then((rss) => {
          if (rss !== null) this.notePeak(rss);
        })
        .finally(() => (busy = false));
    }, 1000);
    this.rssTimer.unref();
  }

  private notePeak(bytes: number): void {
    if (this.peakRss === null || bytes > this.peakRss) this.peakRss = bytes;
  }

  /** A remote control line on stdout: consumed here, never logged. Returns the text to keep, or null. */
  private remoteControl(remote: RemoteLaunch, line: Buffer): Buffer | null {
    // Cheap pre-check so ordinary output is not decoded twice.
    if (line.indexOf('@@AIO_TUNER_') === -1) return line;
    const c = remote.control(line.toString('utf8'));
    if (c === null) return line;
    if (c.kind === 'pgid') {
      this.remotePgid = c.value;
      // Stop pressed before the target reported the group: deliver it now.
      if (this.stopping) void remote.signal(c.value, this.lastRemoteSignal ?? 'TERM');
    } else if (c.kind === 'exit') this.remoteExit = c.value;
    else this.remoteMissing = c.program;
    // Output the workload left without a final newline arrives glued to the report: keep it as its own line.
    return c.before === '' ? null : Buffer.from(c.before);
  }

  /** Decide how a remote run ended, once the local client is gone. */
  private async finishRemote(remote: RemoteLaunch, clientStatus: number | null): Promise<void> {
    const status = this.remoteExit;
    const needsExplaining = status === null ? !this.stopped : status !== 0;
    const why = needsExplaining
      ? await remote.explain({
          pgid: this.remotePgid,
          exitStatus: status,
          clientStatus,
          missing: this.remoteMissing,
          stderr: this.stderrTail,
        })
      : {};
    if (why.startError) return this.finish(null, null, why.startError);
    if (status !== null) {
      // The wrapper reports a shell status: 128+n is how sh says "killed by signal n".
      const sig = status > 128 ? signalName(status - 128) : null;
      return this.finish(sig ? null : status, sig);
    }
    if (this.stopped) return this.finish(null, this.lastRemoteSignal === 'KILL' ? 'SIGKILL' : 'SIGTERM');
    this.finish(null, null, undefined, why.connectionLost ?? 'the connection to the target was lost');
  }

  private onData(stream: 0 | 1, data: Buffer): void {
    const t = Math.round(performance.now() - this.t0);
    const name: Stream = stream === 0 ? 'stdout' : 'stderr';
    const remote = this.spec.remote;
    if (remote && stream === 1) this.stderrTail = (this.stderrTail + data.toString('utf8')).slice(-8192);
    for (const part of this.splitters[stream]!.push(data)) {
      if (part.kind === 'lines') {
        // Remote stdout carries the wrapper's control lines: consumed here, never logged.
        const bytes = remote && stream === 0 ? this.withoutControl(remote, part.bytes) : part.bytes;
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

  /** The region's lines minus the remote wrapper's control lines (the common case: none, no copy). */
  private withoutControl(remote: RemoteLaunch, bytes: Buffer): Buffer {
    if (bytes.indexOf('@@AIO_TUNER_') === -1) return bytes;
    const kept: Buffer[] = [];
    for (let s = 0; s < bytes.length;) {
      const nl = bytes.indexOf(10, s);
      const k = this.remoteControl(remote, bytes.subarray(s, nl));
      if (k !== null) kept.push(k, NEWLINE);
      s = nl + 1;
    }
    return Buffer.concat(kept);
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
    const remote = this.spec.remote;
    if (remote) {
      // The remote wrapper knows TERM and KILL; a hang-up is passed on as TERM there.
      this.lastRemoteSignal = sig === 'SIGKILL' ? 'KILL' : 'TERM';
      if (this.remotePgid !== null) void remote.signal(this.remotePgid, this.lastRemoteSignal);
      // Without a reported group (not started yet, or the connection hangs) only the local client can be ended;
      // after SIGKILL the local client goes too, so a dead connection cannot keep the run "running" forever.
      if (this.remotePgid === null || sig === 'SIGKILL') {
        const grace = this.remotePgid === null ? 0 : (this.spec.graceMs ?? 3000);
        setTimeout(() => !this.finished && this.signalLocal('SIGKILL'), grace).unref();
      }
      return;
    }
    this.signalLocal(sig);
  }

  private signalLocal(sig: NodeJS.Signals): void {
    if (this.pid === null) return;
    const kill = (target: number): void => {
      try {
        process.kill(target, sig);
      } catch {
        // ESRCH: already gone.
      }
    };
    kill(-this.pid);
    // Those that left the group (setsid) or were started outside it but hold its output.
    for (const p of this.procs?.scan(true) ?? []) if (p.pgrp !== this.pid) kill(p.pid);
  }

  /** Local processes of the run still alive (remote runs: none here). */
  private leftovers(): number {
    return this.procs?.scan(true).length ?? 0;
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
    // Nothing asynchronous can run here: a remote group cannot be reached, so at least end the client.
    if (this.spec.remote) this.signalLocal('SIGKILL');
    else this.signalGroup('SIGKILL');
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
    const remote = this.spec.remote;
    if (remote) {
      // Background processes the workload left in its group on the target; unreachable after a lost connection.
      if (this.remotePgid !== null && !this.connectionLost)
        await remote.reap(this.remotePgid, this.spec.graceMs ?? 3000);
      return;
    }
    if (this.pid === null || this.leftovers() === 0) return;
    this.signalGroup('SIGTERM');
    const deadline = performance.now() + (this.spec.graceMs ?? 3000);
    while (this.leftovers() > 0 && performance.now() < deadline) await sleep(50);
    if (this.leftovers() > 0) {
      this.signalGroup('SIGKILL');
      await sleep(25);
    }
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
    for (const timer of [this.rssTimer, this.timeoutTimer]) if (timer) clearTimeout(timer);
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
    if (connectionLost !== undefined) {
      result.connectionLost = connectionLost;
      this.connectionLost = true;
    }
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
        if (this.procs) unwatchRun(this.procs.leader);
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
