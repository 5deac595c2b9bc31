/**
 * Runs started from the UI: each gets a folder under <data>/runs/<id>/ with its log (written by the runner
 * before anything is shown) and run.json (settings, command, outcome), so history survives restarts and a
 * crash of the UI loses nothing.
 */
import { mkdirSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BuiltCommand, RunSettings } from '../shared/command';
import type { LaunchSpec } from './launch';
import type { RemoteLaunch } from './runner';
import type { Stream } from '../logs';
import {
  startRun,
  OutputResults,
  type CpuLoadSummary,
  type RunHandle,
  type RunResult,
  type RunMetrics,
} from './';
import { whyNotWritten, writeFileAtomic } from '../util/atomic';
import { recordText } from '../util/records';
import { childPath, isSafeSegment } from '../util/pathsegment';
import type { ApiEvents } from '../shared/contract';
import type { RunInfo, RunOutcome, ResultSummary } from '../shared/run';
import type { EngineInfo, Finding } from '../shared/findings';
import type { ToolHost } from '../util/tool';
import { probeInterpreter, pythonInterpreterOf } from '../system/engineprobe';
import { HeldRegistry, sharedCpus, type HeldEntry } from './held';
import { busyMachineFinding, cpusInUseFinding, engineAbsentFinding } from './runfindings';
import { RunError } from './errors';
import { runRecordOf } from './store';
import { hostBindingProblem, preflightProblem } from './preflight';
import { resultSummaryOf, runResultsDir, sampleFindings, userResultsDir, type RunDumps } from './summary';
import type { Topology } from '../shared/topology';
import { collectorFor, whenStarted, type ProofOptions } from './proof';
import { startRemoteProof } from './proof/remote';
import type { RunProof } from '../shared/proof';
import { placementFindings } from './proof/findings';
import { KnownFailureScanner } from '../logs/known-failures';
import { kernelOomEvidence } from './oomevidence';
import { runDoctor, type DoctorOptions } from '../doctor';
import type { DoctorReport } from '../shared/doctor';

/**
 * run.json, atomically; on a full disk (no room for the temporary copy) over the old record in place, which
 * usually fits in the blocks it already has, so a run that filled the disk still records how it ended.
 */
async function writeRecord(path: string, json: string): Promise<void> {
  try {
    await writeFileAtomic(path, json);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC' || !existsSync(path)) throw e;
    const fh = await open(path, 'r+');
    try {
      const buf = Buffer.from(json);
      await fh.write(buf, 0, buf.length, 0);
      await fh.truncate(buf.length);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

type Emit = <E extends 'run.started' | 'run.lines' | 'run.exit' | 'record.unsaved' | 'run.proof'>(
  event: E,
  data: ApiEvents[E],
) => void;

/** Where a run's log is served from while it grows (the engine's log views): the manager only registers it. */
export interface RunLogs {
  register(log: RunHandle['log'], growing: () => boolean, id: string): string;
}

interface Live {
  info: RunInfo;
  handle: RunHandle;
  parser: OutputResults;
}

export function summarize(m: RunMetrics | null, dumps: RunDumps | null = null): ResultSummary | null {
  return resultSummaryOf(m, dumps);
}

/** `dumps`: the RESULTS_DIR dumps of a run whose user set RESULTS_DIR (app/run/summary.ts). */
export function outcomeOf(
  r: RunResult,
  metrics: RunMetrics | null,
  dumps: RunDumps | null = null,
): RunOutcome {
  return {
    exitCode: r.exitCode,
    signal: r.signal,
    durationMs: r.durationMs,
    peakRssBytes: r.peakRssBytes,
    logFile: r.logFile,
    lines: r.lines,
    ...(r.startError ? { startError: r.startError } : {}),
    ...(r.connectionLost ? { connectionLost: r.connectionLost } : {}),
    ...(r.logError ? { logError: r.logError } : {}),
    timedOut: r.timedOut,
    stopped: r.stopped,
    results: summarize(metrics, dumps),
    findings: sampleFindings(metrics, dumps),
  };
}

/** Where runs go (app/remote): the target's URL, and how to launch there (undefined = this machine). */
export interface RunTarget {
  url: string;
  launcher(spec: LaunchSpec): RemoteLaunch | undefined;
  /** Where programs run on the target (the engine probe), or undefined for this machine. */
  tools?(): ToolHost | undefined;
  /**
   * What the host doctor needs to examine the target (app/remote/doctor.ts targetDoctorOptions); absent or
   * rejecting: runs there go on without the doctor's findings.
   */
  doctor?(): Promise<NonNullable<DoctorOptions['target']>>;
}

/** How a run is started beyond its settings; the CLI's echo is the output's own bytes (`onOutput`). */
export interface StartOptions {
  timeoutMs?: number;
  tag?: string;
  logFile?: string;
  /** Every byte of the output as it is logged (the CLI's echo). */
  onOutput?: (stream: Stream, bytes: Buffer) => void;
  /** The engine probe made before the start (`probeEngine`): kept in outcome.engine; absent = not probed. */
  engine?: EngineInfo | null;
  /** The sweep this run is a point of (named to other runs that find its CPUs held). */
  sweepId?: string;
  /**
   * The host doctor's report on the machine the run goes to (`examineHost`), made before the start: its error
   * and warning findings join the run's (`hostFindings` as it starts, `outcome.findings` at its end).
   */
  doctor?: DoctorReport | null;
}

/** What the run-level findings rest on, gathered as the run starts. */
interface StartFacts {
  engine?: EngineInfo | null;
  interpreter: string | null;
  /** Other runs of this tool holding some of the selected CPUs at the start. */
  others: { entry: HeldEntry; shared: number[] }[];
  sweepId?: string;
  /** CPUs of the instances of the same sweep point running beside this one: their load is by design. */
  siblings: Set<number>;
  /** The host doctor's error and warning findings, as the run started. */
  host: Finding[];
}

/**
 * The doctor's findings a run carries: errors and warnings (info is the doctor's own business), without
 * `engine-absent`, which the run raises itself with what its own variables do.
 */
export function hostFindingsOf(report: DoctorReport | null | undefined): Finding[] {
  return (report?.checks ?? []).filter((f) => f.severity !== 'info' && f.code !== 'engine-absent');
}

// Variables that cannot change which torch an interpreter imports: left out of the probe cache's key, so the
// points of a sweep (each with its own thread, binding and engine variables) share one probe.
const NOT_FOR_IMPORT = /^(AIO_|OMP_|DLS_)/;

export class RunManager {
  private target: (() => RunTarget) | null = null;
  private loadOf: ((runId: string) => CpuLoadSummary[] | null) | null = null;
  private topologyOf: (() => Topology | null) | null = null;

  private readonly live = new Map<string, Live & { facts: StartFacts }>();
  private readonly held: HeldRegistry;
  private readonly probes = new Map<
    string,
    Promise<{ engine: EngineInfo | null; interpreter: string | null }>
  >();
  private readonly interpreters = new WeakMap<EngineInfo, string>();
  private readonly finished = new Map<string, RunInfo>();
  private readonly activity = new Set<() => void>();
  private readonly saving = new Map<string, Promise<void>>();
  private readonly settling = new Map<string, Promise<void>>();
  // Runs whose last run.json write failed, with why. The record stays in memory (and in the lists) and is
  // written again when its run writes next, when another run starts, and when the engine stops.
  private readonly unsaved = new Map<string, string>();

  constructor(
    private readonly dir: string,
    private readonly logs: RunLogs,
    private readonly emit: Emit,
  ) {
    mkdirSync(dir, { recursive: true });
    // Beside runs/, in the data home every front of this tool shares.
    this.held = new HeldRegistry(join(dirname(resolve(dir)), 'held'));
    this.loadSaved();
  }

  /** Earlier runs from disk; a corrupt run.json is skipped (and left in place) rather than hiding the others. */
  private loadSaved(): void {
    for (const id of readdirSync(this.dir)) {
      // A folder's name is its run id; the runId written inside run.json is not trusted to name a path.
      if (!isSafeSegment(id)) continue;
      const f = join(childPath(this.dir, 'run id', id), 'run.json');
      if (!existsSync(f)) continue;
      try {
        const info = { ...runRecordOf(JSON.parse(readFileSync(f, 'utf8'))), runId: id };
        if (info.state === 'running') info.state = 'exited'; // the app ended while it ran
        this.finished.set(id, info);
      } catch {
        // reported by history listing (one a newer AIO Tuner wrote too); a broken entry must not block the others
      }
    }
  }

  onActivity(cb: () => void): void {
    this.activity.add(cb);
  }

  activeCount(): number {
    return this.live.size;
  }

  liveIds(): string[] {
    return [...this.live.keys()];
  }

  /** Where each run's CPU load summary comes from as it ends (the load watcher). */
  recordLoadWith(fn: (runId: string) => CpuLoadSummary[] | null): void {
    this.loadOf = fn;
  }

  /** The topology of the machine local runs go on (placement findings judge the proof against it); null = none. */
  judgePlacementWith(fn: () => Topology | null): void {
    this.topologyOf = fn;
  }

  latestActive(): { runId: string; settingsCpus: number[] } | null {
    const last = [...this.live.values()].at(-1);
    return last ? { runId: last.info.runId, settingsCpus: last.info.settings.cpus } : null;
  }

  /** Send every later run (UI, CLI, sweeps, reruns) to the engine's active target and tag it with its URL. */
  useTarget(current: () => RunTarget): void {
    this.target = current;
  }

  /**
   * Whether the workload's interpreter has the Ampere engine (issue 12): `'_aio_profiler_print' in
   * dir(torch._C)` run with the same interpreter, environment and working directory (and target) the run would
   * use. Null when the workload is not Python.
   */
  async probeEngine(settings: RunSettings, built: BuiltCommand): Promise<EngineInfo | null> {
    const target = this.target?.() ?? null;
    const on = target?.tools?.();
    const place = { on, env: built.env, unset: built.unset, cwd: settings.cwd };
    const key = JSON.stringify([
      on ? target!.url : 'here',
      settings.workload[0],
      Object.entries(built.env)
        .filter(([k]) => !NOT_FOR_IMPORT.test(k))
        .sort(),
      [...(built.unset ?? [])].sort(),
      on ? settings.cwd : resolve(settings.cwd ?? process.cwd()),
    ]);
    let probe = this.probes.get(key);
    if (!probe) {
      probe = (async () => {
        const interpreter = await pythonInterpreterOf(settings.workload, place);
        if (interpreter === null) return { engine: null, interpreter };
        return { engine: await probeInterpreter(interpreter, place), interpreter };
      })();
      this.probes.set(key, probe);
    }
    const { engine, interpreter } = await probe;
    // An interpreter that could not be run at all (missing, hung) is asked again next time: it may be fixed.
    if (engine?.python === null) this.probes.delete(key);
    if (engine && interpreter) this.interpreters.set(engine, interpreter);
    return engine;
  }

  /**
   * The host doctor (issue 14) on the machine the run goes to, for these settings: this machine, or the active
   * target when the remote doctor can reach it. Null when it cannot be examined (the run goes on without it, and
   * says nothing). Meant to run beside `probeEngine`, so it adds no time of its own to the start.
   */
  async examineHost(settings: RunSettings, built: BuiltCommand): Promise<DoctorReport | null> {
    const target = this.target?.() ?? null;
    const on = target?.tools?.();
    try {
      const opts: DoctorOptions = { settings };
      if (on) {
        if (!target?.doctor) return null;
        opts.target = await target.doctor();
      } else {
        // What a run inherits from this process: less what its command sets or removes itself.
        const env = { ...process.env };
        for (const k of [...Object.keys(built.env), ...built.unset]) delete env[k];
        opts.env = env;
        const topology = this.topologyOf?.() ?? null;
        if (topology) opts.topology = topology;
      }
      const place = { on, env: built.env, unset: built.unset, cwd: settings.cwd };
      const python = await pythonInterpreterOf(settings.workload, place);
      if (python) opts.python = python;
      return await runDoctor(opts);
    } catch {
      return null;
    }
  }

  /** Runs of this tool, from every front and process, holding CPUs on the active target now. */
  heldCpus(): HeldEntry[] {
    return this.held.on(this.target?.()?.url);
  }

  /** Run-level findings (engine, busy machine, held CPUs), appended to what the outcome already has. */
  private addRunFindings(
    outcome: RunOutcome,
    settings: RunSettings,
    built: BuiltCommand,
    f: StartFacts,
  ): void {
    if (f.engine !== undefined) outcome.engine = f.engine;
    const found = [
      engineAbsentFinding(f.engine, f.interpreter, built.env, settings.engine),
      busyMachineFinding(
        outcome.cpuLoad?.filter((c) => !f.siblings.has(c.cpu)),
        settings.cpus,
      ),
      cpusInUseFinding(f.others),
    ].filter((x): x is Finding => x !== null);
    found.unshift(...f.host);
    if (found.length) outcome.findings = [...(outcome.findings ?? []), ...found];
  }

  /**
   * The proof collector of a run (issue 13): none when the start failed or its target has no collector. A local
   * run's starts on its leader's pid, a remote one's on the process group id its target reports.
   */
  private startProof(
    runId: string,
    handle: RunHandle,
    settings: RunSettings,
    remote: RemoteLaunch | undefined,
  ): { stop(): Promise<RunProof | null> } | null {
    const stream = remote?.proof;
    const start = stream
      ? (pgid: number, o: ProofOptions) => startRemoteProof(stream, pgid, o)
      : collectorFor({ remote: !!remote });
    if (!start) return null;
    return whenStarted(() => (remote ? handle.remotePgid : handle.pid), handle.done, start, {
      cpus: settings.cpus,
      onLive: (live) => this.emit('run.proof', { runId, ...live }),
    });
  }

  /** outcome.proof, and the placement findings judged from it against the run's plan. */
  private async addProof(
    outcome: RunOutcome,
    settings: RunSettings,
    collector: { stop(): Promise<RunProof | null> },
  ): Promise<void> {
    outcome.proof = await collector.stop();
    const topology = this.topologyOf?.() ?? null;
    if (!outcome.proof || !topology) return;
    // Memory was meant for the bound nodes, else for the nodes of the bound CPUs; an unbound run meant none.
    const memNodes =
      settings.memNodes ??
      (settings.cpus.length
        ? [...new Set(topology.cpus.filter((c) => settings.cpus.includes(c.id)).map((c) => c.node))]
            .filter((n): n is number => n !== null)
            .sort((a, b) => a - b)
        : null);
    const found = placementFindings(outcome.proof, { cpus: settings.cpus, memNodes, topology });
    if (found.length) outcome.findings = [...(outcome.findings ?? []), ...found];
  }

  /** Known failures its output showed (or its ending, for an OOM kill), after the other findings. */
  private async addKnownFailures(
    outcome: RunOutcome,
    known: KnownFailureScanner,
    r: RunResult,
    localPid: number | null,
    info: RunInfo,
  ): Promise<void> {
    const endedByTool = !!(r.stopped || r.timedOut);
    // The kernel log is read only for the one ending it explains, and only here: a target's is not ours to read.
    const kernelOom =
      localPid !== null && r.signal === 'SIGKILL' && !endedByTool
        ? await kernelOomEvidence([localPid], Date.parse(info.startedAt))
        : null;
    const found = known.finish({ exitCode: r.exitCode, signal: r.signal, endedByTool, kernelOom });
    if (found.length) outcome.findings = [...(outcome.findings ?? []), ...found];
  }

  /**
   * Register the run's CPUs (other fronts and processes see them) and gather what its findings will rest on: who
   * else held them as it started, and the probe made before it.
   */
  private holdCpus(info: RunInfo, opts: StartOptions, where: string): StartFacts {
    const cpus = info.settings.cpus;
    const others = this.held.on(where).flatMap((entry) => {
      const shared = sharedCpus(cpus, entry.cpus);
      return shared ? [{ entry, shared }] : [];
    });
    const sweepId = opts.sweepId;
    this.held.hold({
      runId: info.runId,
      cpus,
      startedAt: info.startedAt,
      target: where,
      ...(sweepId ? { sweepId } : {}),
    });
    const facts: StartFacts = {
      ...(opts.engine !== undefined ? { engine: opts.engine } : {}),
      interpreter: (opts.engine && this.interpreters.get(opts.engine)) ?? null,
      others,
      siblings: new Set(),
      ...(sweepId ? { sweepId } : {}),
      host: hostFindingsOf(opts.doctor),
    };
    // The instances of one sweep point start together: each one's CPUs are the others' siblings.
    for (const l of this.live.values())
      if (sweepId && l.facts.sweepId === sweepId) {
        for (const c of l.info.settings.cpus) facts.siblings.add(c);
        for (const c of cpus) l.facts.siblings.add(c);
      }
    return facts;
  }

  start(settings: RunSettings, built: BuiltCommand, opts: StartOptions = {}): RunInfo {
    const errors = built.checks.filter((c) => c.severity === 'error' && c.code === 'numactl-missing');
    if (errors.length) throw new RunError(errors[0]!.message, 'precondition');
    const target = this.target?.() ?? null;
    const remote = target?.launcher({
      argv: built.argv,
      env: built.env,
      unset: built.unset,
      cwd: settings.cwd,
      program: settings.workload[0],
    });
    // Checks of this machine's files mean nothing for a remote run; the target checks for itself.
    const problem = remote ? null : (preflightProblem(settings) ?? hostBindingProblem(built.argv));
    if (problem) throw new RunError(problem, 'start-failed');
    // A run starting is a write to the same disk: a good moment to try again what could not be saved.
    this.retryUnsaved();
    const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomUUID().slice(0, 6)}`;
    const runDir = childPath(this.dir, 'run id', runId);
    mkdirSync(runDir, { recursive: true });
    const logFile = opts.logFile ?? join(runDir, 'output.log');
    // The user's RESULTS_DIR (a remote run's is on the target): its dumps give the run's exact pass times.
    const userDir = remote
      ? null
      : userResultsDir(built.env, built.unset, resolve(settings.cwd ?? process.cwd()));
    // A local run that names none gets one of its own, as every sweep point does: an AML workload then writes its
    // per-pass times there, and the run has samples to state its numbers' uncertainty from. Measurement only: not
    // part of the command (`env`), kept apart in `measurementEnv`; a run that removes RESULTS_DIR gets none.
    const ownDir =
      remote || userDir !== null || built.unset.includes('RESULTS_DIR') ? null : join(runDir, 'passes');
    if (ownDir) mkdirSync(ownDir, { recursive: true });
    const resultsDir = userDir ?? ownDir;
    const handle = startRun({
      argv: built.argv,
      env: ownDir ? { ...built.env, RESULTS_DIR: ownDir } : built.env,
      unset: built.unset,
      cwd: settings.cwd,
      logFile,
      timeoutMs: opts.timeoutMs,
      // Nothing per line is kept while capturing: the viewer's index is built from the file when it opens it.
      levelCounts: false,
      ...(remote ? { remote } : {}),
    });
    const logId = this.logs.register(handle.log, () => this.live.has(runId), `run-${runId}`);
    const info: RunInfo = {
      runId,
      logId,
      logFile,
      startedAt: new Date().toISOString(),
      argv: built.argv,
      env: built.env,
      settings,
      checks: built.checks,
      state: 'running',
      outcome: null,
      // Runs on this machine stay untagged (as before targets existed); remote ones name their target.
      ...(opts.tag || remote ? { target: opts.tag ?? target!.url } : {}),
      // A bundle made later from this run must reproduce it from the same directory.
      ...(remote ? {} : { cwd: resolve(settings.cwd ?? process.cwd()) }),
      ...(ownDir ? { measurementEnv: { RESULTS_DIR: ownDir } } : {}),
    };
    const parser = new OutputResults();
    const facts = this.holdCpus(info, opts, target?.url ?? 'local');
    if (facts.host.length) info.hostFindings = facts.host;
    const known = new KnownFailureScanner();
    const proof = this.startProof(runId, handle, settings, remote);
    this.live.set(runId, { info, handle, parser, facts });
    this.save(info);
    handle.events.on('output', (stream, bytes) => {
      parser.push(stream, bytes);
      known.push(stream, bytes);
      opts.onOutput?.(stream, bytes);
    });
    handle.events.on('lines', (lines) => {
      this.emit('run.lines', { runId, logId, totalLines: handle.log.lineCount, lines });
    });
    const settled = handle.done.then(async (r) => {
      info.state = 'exited';
      // Read while the run still counts as live, so the closing sample is tallied to it.
      const cpuLoad = this.loadOf?.(runId) ?? null;
      const dumps = resultsDir
        ? await runResultsDir(resultsDir, Date.parse(info.startedAt), handle.pid)
        : null;
      info.outcome = { ...outcomeOf(r, parser.result(), dumps), cpuLoad };
      this.held.release(runId);
      this.addRunFindings(info.outcome, settings, built, facts);
      if (proof) await this.addProof(info.outcome, settings, proof);
      else info.outcome.proof = null;
      await this.addKnownFailures(info.outcome, known, r, remote ? null : handle.pid, info);
      this.live.delete(runId);
      this.finished.set(runId, info);
      const saved = this.save(info);
      this.emit('run.exit', info);
      for (const cb of this.activity) cb();
      await saved;
    });
    this.settling.set(runId, settled);
    void settled.finally(() => this.settling.delete(runId));
    this.emit('run.started', info);
    for (const cb of this.activity) cb();
    return info;
  }

  /**
   * Saves of one run are chained: the "running" and "exited" writes must land in that order, or a restart
   * would find a finished run still marked running.
   */
  private save(info: RunInfo): Promise<void> {
    const json = recordText('run', info);
    const prev = this.saving.get(info.runId) ?? Promise.resolve();
    const next = prev
      .then(() => writeRecord(join(childPath(this.dir, 'run id', info.runId), 'run.json'), json))
      .then(
        () => {
          if (this.unsaved.delete(info.runId))
            this.emit('record.unsaved', { kind: 'run', id: info.runId, problem: null });
        },
        (e: unknown) => {
          const problem = `${join(this.dir, info.runId, 'run.json')} could not be saved: ${whyNotWritten(e)}`;
          // Said once when it starts failing (and once when it is saved again), not on every retry.
          const news = !this.unsaved.has(info.runId);
          this.unsaved.set(info.runId, problem);
          if (news) this.emit('record.unsaved', { kind: 'run', id: info.runId, problem });
        },
      )
      .finally(() => {
        if (this.saving.get(info.runId) === next) this.saving.delete(info.runId);
      });
    this.saving.set(info.runId, next);
    return next;
  }

  /** Why the run's latest record is not on disk (kept in memory only), or null when it is saved. */
  saveProblem(runId: string): string | null {
    return this.unsaved.get(runId) ?? null;
  }

  /** Write again every finished run whose record could not be saved (a running one writes at its end anyway). */
  private retryUnsaved(): void {
    for (const id of this.unsaved.keys()) {
      const info = this.finished.get(id);
      if (info && !this.saving.has(id)) void this.save(info);
    }
  }

  /** Wait until every pending run.json write has landed. */
  async flush(): Promise<void> {
    await Promise.all([...this.saving.values()]);
  }

  /** Drop a deleted run from memory (history removed its folder). */
  forget(runId: string): void {
    if (this.live.has(runId)) throw new RunError('that run is still going: stop it first', 'busy');
    this.finished.delete(runId);
    // The user removed it: an unsaved record is not written back.
    if (this.unsaved.delete(runId)) this.emit('record.unsaved', { kind: 'run', id: runId, problem: null });
  }

  /** `first`: the signal before SIGKILL (SIGTERM; SIGHUP when the tool itself was hung up on). */
  async stop(runId: string, first?: NodeJS.Signals): Promise<void> {
    const l = this.live.get(runId);
    if (!l) {
      if (this.finished.has(runId)) return;
      throw new RunError(`no run "${runId}"`, 'not-found');
    }
    await l.handle.stop(first);
  }

  async waitFor(runId: string): Promise<RunInfo> {
    // Resolves once the outcome is recorded in memory and on disk.
    await this.settling.get(runId);
    return this.get(runId);
  }

  list(): RunInfo[] {
    return [...this.finished.values(), ...[...this.live.values()].map((l) => l.info)].sort((a, b) =>
      a.startedAt < b.startedAt ? 1 : -1,
    );
  }

  get(runId: string): RunInfo {
    const info = this.live.get(runId)?.info ?? this.finished.get(runId);
    if (!info) throw new RunError(`no run "${runId}"`, 'not-found');
    return info;
  }

  /** Stop every run, and try once more to save what could not be: what still fails is lost with this process. */
  async stopAll(first?: NodeJS.Signals): Promise<void> {
    await Promise.all([...this.live.values()].map((l) => l.handle.stop(first)));
    await Promise.all([...this.settling.values()]);
    this.retryUnsaved();
    await this.flush();
  }
}
