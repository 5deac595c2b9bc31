/**
 * Runs one workload: argv executed directly (no shell, so nothing is re-quoted), in its own process group so
 * Stop reaches every process it started, with output captured line by line into the run log before anyone
 * sees it.
 */
import { EventEmitter } from 'node:events';
import { closeSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  LineClassifier,
  LogIndex,
  MAX_LINE_BYTES,
  DISPLAY_MAX_BYTES,
  decodeDisplay,
  logHeader,
  streamLetter,
  type DisplayLine,
  type Level,
  type Stream,
} from '../logs';
import { pipeInode, processesMemory, RunProcesses } from './proctree';
import { unwatchRun, watchRun } from './reaper';
import { cwdProblem, startErrorMessage } from './starterrors';

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
  counts: Record<Level, number>;
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
  lines: [RunLine[]];
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
  /** Index of the run's log, fed as lines are written: windows, filters, whole lines. */
  log: LogIndex;
}

const BATCH_MS = 50;
const BATCH_LINES = 1000;
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
  // A record started in the file whose line has not ended (see openRecord); at most one, at the file's end.
  private open: { stream: 0 | 1; t: number; start: number; letterAt: number; head: Buffer } | null = null;
  private logError: string | null = null;
  // Remote runs only.
  remotePgid: number | null = null;
  private remoteExit: number | null = null;
  private remoteMissing: string | null = null;
  private lastRemoteSignal: 'TERM' | 'KILL' | null = null;
  private stderrTail = '';
  private connectionLost = false;

  constructor(private readonly spec: RunSpec) {
    this.log = new LogIndex(spec.logFile, { fedByWriter: true });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  async start(): Promise<void> {
    const { spec } = this;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    this.fd = openSync(spec.logFile, 'w');
    this.write(Buffer.from(logHeader()));
    if (this.logError !== null) return this.failStart(this.logError);

    const argv0 = spec.argv[0];
    if (argv0 === undefined || argv0 === '') return this.failStart('nothing to run: the command is empty');
    const remote = spec.remote;
    // A remote run's cwd and environment belong to the target; the wrapper in remote.argv applies them there.
    const cwd = remote ? undefined : (spec.cwd ?? undefined);
    const badCwd = cwd ? cwdProblem(cwd) : null;
    if (badCwd) return this.failStart(badCwd);

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

  /** False when the log cannot take it (then nothing more is written, and the run is being stopped). */
  private write(buf: Buffer): boolean {
    if (this.logError !== null || this.fd === null) return false;
    // Synchronous on purpose: a line is on disk (in the page cache) before any listener can see it.
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === 'ENOSPC' ? 'disk full' : err.code === 'EDQUOT' ? 'disk quota exceeded' : err.message;
      this.logError = `log write failed: ${why} after ${this.lineNo} lines`;
      // Drop a half-written record: the log stays well-formed, and the freed bytes may let run.json be saved.
      try {
        ftruncateSync(this.fd, this.fileOffset);
      } catch {
        // the log keeps the partial record; readers skip a malformed last line
      }
      // Output that cannot be kept must not be produced unseen: stop the workload (no-op before it started).
      if (this.pid !== null) {
        this.stopped = true;
        this.terminate();
      }
      return false;
    }
    this.fileOffset += buf.length;
    return true;
  }

  private onData(stream: 0 | 1, data: Buffer): void {
    const t = Math.round(performance.now() - this.t0);
    const p = this.partial[stream]!;
    let chunk = data;
    if (this.open?.stream === stream) {
      // The rest of a line too long to hold: straight to the file, into the record already started there.
      const end = chunk.indexOf(10);
      this.appendOpen(end === -1 ? chunk : chunk.subarray(0, end));
      if (end === -1) return;
      this.closeOpen(true);
      chunk = chunk.subarray(end + 1);
    }
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
    }
    // A line past MAX_LINE_BYTES without its newline: written to the file from now on rather than held (memory
    // stays bounded and the line stays one record); the complete lines before it go first.
    const huge = p.len >= MAX_LINE_BYTES && !this.spec.remote;
    if (huge) {
      if (lines.length > 0) this.record(stream, t, lines);
      this.openRecord(stream, t, Buffer.concat(p.parts));
      p.parts = [];
      p.len = 0;
      return;
    }
    if (p.len >= MAX_LINE_BYTES) {
      // Remote stdout carries the wrapper's control lines: keep line semantics there, cut as v1 did.
      lines.push(Buffer.concat(p.parts));
      p.parts = [];
      p.len = 0;
    }
    if (this.spec.remote) {
      if (stream === 1) this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-8192);
      else {
        const kept: Buffer[] = [];
        for (const line of lines) {
          const k = this.remoteControl(this.spec.remote, line);
          if (k !== null) kept.push(k);
        }
        if (kept.length > 0) this.record(stream, t, kept);
        return;
      }
    }
    if (lines.length > 0) this.record(stream, t, lines);
  }

  /**
   * Write whole lines as records. `unterminated`: the last one had no newline in the output (the run's final
   * bytes): its record is o/e.
   */
  private record(stream: 0 | 1, t: number, lines: Buffer[], unterminated = false): void {
    // The other stream's unfinished huge line is interrupted here: its record ends, marked "continued".
    if (this.open) this.closeOpen(false);
    const streamName: Stream = stream === 0 ? 'stdout' : 'stderr';
    const prefix = Buffer.from(`${t}\t${streamLetter(streamName, true)}\t`);
    const pieces: Buffer[] = [];
    const nl = Buffer.from('\n');
    const starts: number[] = [];
    let off = this.fileOffset;
    lines.forEach((line, i) => {
      const pre =
        unterminated && i === lines.length - 1
          ? Buffer.from(`${t}\t${streamLetter(streamName, false)}\t`)
          : prefix;
      starts.push(off);
      pieces.push(pre, line, nl);
      off += pre.length + line.length + 1;
    });
    // Lines the log could not take are not shown either: the viewer reads what it shows from the file.
    if (!this.write(Buffer.concat(pieces, off - this.fileOffset))) return;
    for (let i = 0; i < lines.length; i++) {
      const start = starts[i]!;
      const end = i + 1 < lines.length ? starts[i + 1]! : off;
      this.indexed(stream, t, start, end, decodeDisplay(lines[i]!));
    }
  }

  /** A record now complete in the file: into the index, and out to listeners. */
  private indexed(stream: 0 | 1, t: number, start: number, end: number, d: DisplayLine): void {
    const streamName: Stream = stream === 0 ? 'stdout' : 'stderr';
    const level = this.classifiers[stream]!.classify(d.text);
    this.log.appendWritten(start, end, level, streamName);
    const ev: RunLine = { n: ++this.lineNo, stream: streamName, t, text: d.text, level };
    if (d.truncated) ev.truncated = true;
    this.batch.push(ev);
    if (this.batch.length >= BATCH_LINES) this.flushBatch();
    if (this.batch.length > 0 && this.batchTimer === null) {
      this.batchTimer = setTimeout(() => this.flushBatch(), BATCH_MS);
    }
  }

  /** Start a record whose line has not ended yet: prefix and bytes so far, no newline. */
  private openRecord(stream: 0 | 1, t: number, bytes: Buffer): void {
    if (this.open) this.closeOpen(false);
    const start = this.fileOffset;
    const prefix = `${t}\t${streamLetter(stream === 0 ? 'stdout' : 'stderr', true)}\t`;
    if (!this.write(Buffer.concat([Buffer.from(prefix), bytes]))) return;
    // Enough of the start of the line to show and classify it, however long it gets.
    const head = Buffer.from(bytes.subarray(0, DISPLAY_MAX_BYTES + 1));
    this.open = { stream, t, start, letterAt: start + prefix.length - 2, head };
  }

  private appendOpen(bytes: Buffer): void {
    if (bytes.length > 0) this.write(bytes);
  }

  /** End the open record: `newline` when its line ended; otherwise its letter becomes o/e ("continued"). */
  private closeOpen(newline: boolean): void {
    const o = this.open;
    if (!o) return;
    this.open = null;
    if (!this.write(Buffer.from('\n'))) return;
    if (!newline && this.fd !== null) {
      const letter = Buffer.from(streamLetter(o.stream === 0 ? 'stdout' : 'stderr', false));
      try {
        writeSync(this.fd, letter, 0, 1, o.letterAt);
      } catch {
        // An overwrite in place needs no new space; if it still fails the record reads as a complete line.
      }
    }
    this.indexed(o.stream, o.t, o.start, this.fileOffset, decodeDisplay(o.head));
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
    if (this.open) this.closeOpen(false);
    for (const stream of [0, 1] as const) {
      const p = this.partial[stream]!;
      if (p.len > 0) this.record(stream, t, [Buffer.concat(p.parts)], true);
      p.parts = [];
      p.len = 0;
    }
    this.flushBatch();
    // A failure's last words on stderr show at the default level (app/logs/classify.ts).
    const failed = !this.stopped && (exitCode !== null ? exitCode !== 0 : signal !== null);
    if (failed && startError === undefined) this.log.raiseFailureTail();
    for (const timer of [this.rssTimer, this.timeoutTimer]) if (timer) clearTimeout(timer);
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Data already written stays; a late error (full disk) is already in logError.
      }
    }
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
    if (this.logError !== null && startError !== this.logError) result.logError = this.logError;
    if (connectionLost !== undefined) {
      result.connectionLost = connectionLost;
      this.connectionLost = true;
    }
    if (this.remotePgid !== null) result.remotePgid = this.remotePgid;
    void this.reapGroup().finally(() => {
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
