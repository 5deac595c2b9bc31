/**
 * "Gather logs for support": one run at AIO_DEBUG_MODE=4 (or a saved run), the machine's description and the
 * Python installation, redacted and written as one .tar.gz. The UI, the API and the CLI all come through
 * `createBundle`; `previewBundle` shows the same plan without running or writing anything.
 */
import { outputText } from '../util/records';
import { randomBytes } from 'node:crypto';
import { folderProblem, parentFolderProblem } from '../util/parentfolder';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { BundleInfo, BundlePreview } from '../shared/contract';
import { buildCommand, envFor, memoryNodes, scriptForm, shellForm, type Built } from '../command';
import type { Check, RunSettings } from '../shared/command';
import { LEVELS, type Level } from '../logs';
import {
  ResultsParser,
  describeExit,
  exitStatusCode,
  hasMetrics,
  startRun,
  type RunMetrics,
  type RunResult,
} from '../run';
import type { RunProof } from '../shared/proof';
import type { Topology } from '../shared/topology';
import { formatBytes } from '../shared/units';
import { VERSION } from '../version';
import { BundleArchive } from './archive';
import { collectPython, isPythonWorkload, PYTHON_FILES } from './collect-python';
import { collectSystem, SYSTEM_FILES, type BundleFile, type ToolHost } from './collect-system';
import type { LaunchSpec } from '../run/launch';
import { probeInterpreter, pythonInterpreterOf, type ProbePlace } from '../system/engineprobe';
import { HeldRegistry } from '../run/held';
import type { EngineInfo } from '../shared/findings';
import type { RemoteLaunch } from '../run/runner';
import { effectiveEnv, flatEnv, formatEnvTxt, isPinnedName, processEnv } from './env';
import { measureOutput, outputLines } from './output-log';
import { buildNote, buildReadme } from './readme';
import { Redactor } from './redact';
import { KnownFailureScanner, MATCH_CHARS } from '../logs/known-failures';
import { runDoctor, type DoctorOptions } from '../doctor';
import { openSysroot } from '../topology/sysroot-archive';
import { bundleEntries, dumpLocal, type DumpTree } from './sysdump';
import type { DoctorReport } from '../shared/doctor';

/** What a run on a target starts with: the environment and directory of a new session there. */
export interface TargetSession {
  env: Record<string, string>;
  /** The directory a run without a working directory starts in; null when not known. */
  cwd: string | null;
}

/** How a bundle reaches a remote target: its run launcher and a host for the system/python collectors. */
export interface BundleRemote {
  /** The target's URL, named in README.txt and the note. */
  url: string;
  launch(spec: LaunchSpec): RemoteLaunch;
  host: ToolHost;
  /** The target's session (null when it cannot be read): what a run there inherits, not this process's. */
  session(): Promise<TargetSession | null>;
  /** What the host doctor needs to examine the target (app/remote/doctor.ts); absent: not examinable yet. */
  doctor?(): Promise<NonNullable<DoctorOptions['target']>>;
  /** The target's replayable dump (app/remote/dump.ts) for system/sysfs/; absent: the bundle has none. */
  sysfs?(): Promise<DumpTree>;
}

/** Where a run's inherited environment and default directory come from: this process, or a target session. */
export interface Inherited {
  env: NodeJS.ProcessEnv;
  cwd: string | null;
  /** The target's URL; absent for this machine. */
  from?: string;
}

const LOCAL_INHERITED = (): Inherited => ({ env: process.env, cwd: process.cwd() });

/** The inheritance of a run on `remote`: its session, or nothing when the target did not say. */
export async function remoteInherited(remote: BundleRemote): Promise<Inherited> {
  const s = await remote.session();
  return { env: s?.env ?? {}, cwd: s?.cwd ?? null, from: remote.url };
}

export type BundleStage = 'run' | 'system' | 'python' | 'archive' | 'done';

/** How a saved run ended: both the runner's RunResult and the API's RunOutcome fit. */
export interface SavedRunResult {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  peakRssBytes: number | null;
  startError?: string;
  timedOut?: boolean;
  stopped?: boolean;
  /** Where its threads ran and its memory landed (run.json's outcome.proof); a bundle's own new run has none. */
  proof?: RunProof | null;
}

export interface FromRun {
  /** The run's log file (AIO Tuner's format, or any plain log). */
  logFile: string;
  settings: RunSettings;
  /** null when the outcome was not recorded. */
  result: SavedRunResult | null;
  startedAt: string;
  /** AIO_DEBUG_MODE the run had; default: what its settings set (null = left unset). */
  debugMode?: number | null;
  /** The run's id in the data directory, when it has one (named in README.txt and result.json). */
  runId?: string;
  /** The argv and tool-set environment the run really had (run.json); default: rebuilt from `settings`. */
  argv?: string[];
  env?: Record<string, string>;
  /** The checks raised when it started; default: those of `settings` now. */
  checks?: Check[];
  /** The engine probe made before the run (run.json's outcome.engine); default: probed now. */
  engine?: EngineInfo | null;
}

export interface CreateBundleOptions {
  /** The settings to run; not needed (and ignored) with `fromRun`. */
  settings?: RunSettings;
  topology: Topology;
  /** System files come from this dumped root where it has them. */
  sysroot?: string;
  /** Target file, or an existing directory to put the default name in; default `<dataDir>/bundles/…`. */
  out?: string;
  /** Extra redaction patterns (a name fragment, or `/regex/flags` applied to all text). */
  redact?: string[];
  dataDir: string;
  fromRun?: FromRun;
  onProgress?(stage: BundleStage, detail?: string): void;
  /** Time limit for the run; it is stopped (and the bundle still written) when exceeded. */
  timeoutMs?: number;
  /** Stops the run early; the bundle is still written with what was captured. */
  signal?: AbortSignal;
  /** Whether numactl exists where the run goes (TargetService.numactl): the bundle cannot tell which machine. */
  numactlAvailable: boolean;
  /** Run and collect on a remote target (app/remote/tools.ts); the bundle is still written here. */
  remote?: BundleRemote;
}

/** What the CLI and the API return, plus facts a caller may want to print. */
export interface BundleResult extends BundleInfo {
  /** The run's outcome (new or saved); null when a saved run had none. */
  run: SavedRunResult | null;
  /** One-line description of how the run ended. */
  outcome: string;
  /** Did the workload fail (non-zero exit, signal, could not start)? The bundle is written all the same. */
  workloadFailed: boolean;
  logFile: string;
}

/** The settings a bundle runs: the user's, with AIO_DEBUG_MODE=4 and nothing else changed. */
export function debugRunSettings(s: RunSettings): RunSettings {
  const env = { ...s.env };
  // An explicit AIO_DEBUG_MODE (or an unset of it) would win over the derived value.
  delete env.AIO_DEBUG_MODE;
  return { ...s, cpus: [...s.cpus], workload: [...s.workload], env, debugMode: 4 };
}

/** The files a bundle for this workload holds, in archive order. */
export function plannedFiles(workload: readonly string[]): string[] {
  return [
    'README.txt',
    'run/command.sh',
    'run/env.txt',
    'run/output.log',
    'run/result.json',
    ...SYSTEM_FILES,
    'system/doctor.json',
    'system/sysfs/',
    ...(isPythonWorkload(workload) ? PYTHON_FILES : []),
    'MANIFEST.json',
  ];
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function safeHost(): string {
  return (
    hostname()
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+/, '') || 'host'
  );
}

export function defaultBundleName(d: Date = new Date()): string {
  return `aio-tuner-bundle-${safeHost()}-${stamp(d)}.tar.gz`;
}

/** `--out FILE|DIR` names a folder when it ends with `/` or is an existing folder. */
function outIsFolder(out: string): boolean {
  return out.endsWith('/') || folderProblem(resolve(out)) === null;
}

/** Why the bundle cannot go to `out` (the folder it goes into is missing), or null. Checked before any run. */
export function bundleOutProblem(out: string | undefined): string | null {
  if (out === undefined || out === '') return null;
  return outIsFolder(out) ? folderProblem(resolve(out)) : parentFolderProblem(out);
}

async function targetPath(out: string | undefined, dataDir: string, now: Date): Promise<string> {
  if (out === undefined || out === '') return join(dataDir, 'bundles', defaultBundleName(now));
  const problem = bundleOutProblem(out);
  if (problem) throw new Error(`cannot write the bundle to ${out}: ${problem}`);
  const abs = resolve(out);
  return outIsFolder(out) ? join(abs, defaultBundleName(now)) : abs;
}

/** Folder name inside the archive: the file name without its extension. */
function rootName(path: string): string {
  return basename(path).replace(/(\.tar\.gz|\.tgz|\.tar)$/i, '') || 'aio-tuner-bundle';
}

function machineLine(t: Topology): string {
  const online = t.cpus.filter((c) => c.online).length;
  return `${t.model ?? 'unknown CPU'} (${t.arch ?? 'unknown arch'}), ${online} CPU${online === 1 ? '' : 's'} online, ${t.packages.length} package(s), ${t.nodes.length} NUMA node(s)`;
}

function settingsLine(s: RunSettings, built: Built, t: Topology): string {
  const nodes = memoryNodes(s, t);
  const parts = [
    s.cpus.length ? `CPUs ${s.cpus.join(',')}` : 'no CPU selection',
    `threads ${built.env.AIO_NUM_THREADS ?? 'unset'}`,
    `memory ${s.memPolicy}${nodes.length && s.memPolicy !== 'none' && s.memPolicy !== 'local' ? ` (node ${nodes.join(',')})` : ''}`,
  ];
  const extra = Object.keys(s.env);
  if (extra.length) parts.push(`variables ${extra.join(', ')}`);
  return parts.join('; ');
}

function resultsLine(m: RunMetrics): string | null {
  if (!hasMetrics(m)) return null;
  const parts: string[] = [];
  const l = m.latencyMs;
  if (l.mean !== null) parts.push(`latency mean ${l.mean} ms`);
  if (l.p90 !== null) parts.push(`p90 ${l.p90} ms`);
  if (m.throughput) parts.push(`throughput ${m.throughput.value} ${m.throughput.unit}`);
  if (m.passes !== undefined) parts.push(`${m.passes} passes`);
  return parts.join(', ');
}

function outcomeOf(r: SavedRunResult | null, logFile: string): string {
  if (r === null) return 'unknown: the saved run has no recorded outcome';
  const counts = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  const full: RunResult = {
    exitCode: r.exitCode,
    signal: r.signal,
    durationMs: r.durationMs,
    peakRssBytes: r.peakRssBytes ?? null,
    logFile,
    lines: 0,
    counts,
    timedOut: r.timedOut ?? false,
    stopped: r.stopped ?? false,
  };
  if (r.startError !== undefined) full.startError = r.startError;
  return describeExit(full);
}

function failed(r: SavedRunResult | null): boolean {
  return r === null || r.startError !== undefined || r.signal !== null || r.exitCode !== 0;
}

function effectiveDebugMode(s: RunSettings): number | null {
  const v = envFor(s).env.AIO_DEBUG_MODE;
  return v === undefined || !/^\d+$/.test(v) ? null : Number(v);
}

interface Plan {
  settings: RunSettings;
  built: Built;
  redactor: Redactor;
  /** Null on a target whose login directory is unknown. */
  cwd: string | null;
  inherited: Inherited;
  /** The command as the tool runs it, one line, redacted. */
  command: string;
  /** One line that reproduces the run elsewhere: also sets the inherited variables that steer the engine. */
  reproduce: string;
  /** run/command.sh, redacted. */
  script: string;
}

/** Everything both preview and create derive from the settings, redaction included. */
function plan(
  settings: RunSettings,
  topology: Topology,
  patterns: readonly string[],
  numactlAvailable?: boolean,
  from: Inherited = LOCAL_INHERITED(),
  saved?: FromRun | null,
): Plan {
  const rebuilt = buildCommand(settings, topology, { numactlAvailable });
  // A saved run's own command wins: rebuilding on today's machine (numactl, topology) could describe another one.
  const built =
    saved?.argv && saved.env ? { ...rebuilt, argv: [...saved.argv], env: { ...saved.env } } : rebuilt;
  // A target's secrets are hidden like this machine's; this machine's still are (they may be in the workload).
  const envs = from.from ? [from.env, process.env] : [process.env];
  const base = { patterns, envs: [...envs, settings.env, built.env] };
  // Two steps: the first redactor finds secrets passed as arguments, the second also hides them as literals.
  const redactor = new Redactor({ ...base, values: new Redactor(base).secretArgs(built.argv) });
  // A relative workload path only works from the directory the run used: the script records it.
  const cwd = settings.cwd ?? from.cwd;
  const redactEnv = (env: Record<string, string>) =>
    Object.fromEntries(Object.entries(env).map(([k, v]) => [k, redactor.envValue(k, v)]));
  const toolPlan = { env: redactEnv(built.env), unset: built.unset };
  const inherited = effectiveEnv(built, from.env).inherited;
  const pinned = Object.fromEntries(Object.entries(inherited).filter(([k]) => isPinnedName(k)));
  const fullPlan = { env: { ...toolPlan.env, ...redactEnv(pinned) }, unset: built.unset };
  const argv = redactor.argv(built.argv);
  let script = scriptForm(fullPlan, argv, cwd);
  const names = Object.keys(pinned);
  if (names.length) {
    const note = `# Also exported: ${names.join(' ')} (inherited by the run from the environment it was started in).`;
    // Next to the builder's header comment; after the shebang whatever the header says.
    script = /^set -euo pipefail$/m.test(script)
      ? script.replace(/^set -euo pipefail$/m, `${note}\nset -euo pipefail`)
      : script.replace(/^(#!.*\n)?/, (shebang) => `${shebang}${note}\n`);
  }
  return {
    settings,
    built,
    redactor,
    cwd,
    inherited: from,
    command: shellForm(toolPlan, argv, settings.cwd),
    reproduce: shellForm(fullPlan, argv, settings.cwd),
    script,
  };
}

/**
 * What a bundle of these settings would contain, without running or writing anything (the UI shows it first).
 * With `saved`, the bundle of that finished run: its own command and level, nothing re-run.
 */
export function previewBundle(
  settings: RunSettings,
  topology: Topology,
  redact: readonly string[] = [],
  inherited?: Inherited,
  saved?: FromRun,
): BundlePreview {
  const p = saved
    ? plan(saved.settings, topology, redact, undefined, inherited, saved)
    : plan(debugRunSettings(settings), topology, redact, undefined, inherited);
  const env = flatEnv(effectiveEnv(p.built, p.inherited.env), p.redactor);
  return {
    files: plannedFiles(p.settings.workload),
    env,
    command: p.command,
    redacted: [...p.redactor.redactedNames].sort(),
    debugMode: saved ? savedLevel(saved) : 4,
    ...(saved
      ? { fromRun: { runId: saved.runId ?? null, logFile: saved.logFile, startedAt: saved.startedAt } }
      : {}),
  };
}

function savedLevel(from: FromRun): number | null {
  return from.debugMode !== undefined ? from.debugMode : effectiveDebugMode(from.settings);
}

/** Same layout as the app's runs (one folder per run, `output.log` inside), so the log sits with the others. */
function newLogFile(dataDir: string, now: Date): string {
  return join(dataDir, 'runs', `bundle-${stamp(now)}-${randomBytes(3).toString('hex')}`, 'output.log');
}

async function runForBundle(p: Plan, logFile: string, opts: CreateBundleOptions): Promise<RunResult> {
  opts.onProgress?.('run', p.command);
  const handle = startRun({
    argv: p.built.argv,
    env: p.built.env,
    unset: p.built.unset,
    cwd: p.settings.cwd,
    logFile,
    timeoutMs: opts.timeoutMs,
    ...(opts.remote
      ? {
          remote: opts.remote.launch({
            argv: p.built.argv,
            env: p.built.env,
            unset: p.built.unset,
            cwd: p.settings.cwd,
            program: p.settings.workload[0],
          }),
        }
      : {}),
  });
  let last = 0;
  handle.events.on('lines', () => {
    const now = Date.now();
    if (now - last >= 500) {
      last = now;
      // Display batches skip lines when output is fast: the log's own count has them all.
      opts.onProgress?.('run', `${handle.log.lineCount} lines of output`);
    }
  });
  const onAbort = () => void handle.stop();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  // A bundle's run holds its CPUs like any run (cpus.held, the cpus-in-use finding of the others).
  const held = new HeldRegistry(join(opts.dataDir, 'held'));
  const runId = basename(dirname(logFile));
  held.hold({
    runId,
    cpus: p.settings.cpus,
    startedAt: new Date().toISOString(),
    target: opts.remote?.url ?? 'local',
  });
  try {
    return await handle.done;
  } finally {
    held.release(runId);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The host doctor's full report on the bundle's machine (issue 14): this one (its sysroot when the engine reads
 * one), or the target. A target the doctor cannot examine yet gets a report that says so in `skipped`.
 */
async function bundleDoctor(
  settings: RunSettings,
  place: ProbePlace,
  opts: CreateBundleOptions,
  inherited: Inherited,
): Promise<DoctorReport> {
  const python = (await pythonInterpreterOf(settings.workload, place).catch(() => null)) ?? undefined;
  const common = { settings, ...(python ? { python } : {}) };
  if (!opts.remote) {
    return runDoctor(opts.sysroot ? { ...common, sysroot: opts.sysroot } : { ...common, env: inherited.env });
  }
  try {
    if (!opts.remote.doctor) throw new Error('the host doctor cannot examine targets yet');
    return await runDoctor({ ...common, target: await opts.remote.doctor() });
  } catch (e) {
    return {
      source: { kind: 'target', url: opts.remote.url },
      checkedAt: new Date().toISOString(),
      checks: [],
      passed: [],
      skipped: [{ code: '*', reason: `the target could not be examined: ${(e as Error).message}` }],
    };
  }
}

/**
 * system/sysfs/: the replayable dump of the bundle's machine (app/bundle/sysdump.ts), so support replays the
 * user's map with `--sysroot BUNDLE`. A machine that cannot be dumped leaves the bundle without it, not unwritten.
 */
async function bundleSysfs(opts: CreateBundleOptions): Promise<{ name: string; content: Buffer }[]> {
  try {
    if (opts.remote) return opts.remote.sysfs ? bundleEntries(await opts.remote.sysfs()) : [];
    const opened = await openSysroot(opts.sysroot ?? '/');
    try {
      const dump = await dumpLocal(opened.dir);
      return bundleEntries(dump.tree);
    } finally {
      opened.close();
    }
  } catch {
    return [];
  }
}

/** Run (or take a saved run), collect, redact and write the bundle. Throws only when the bundle cannot be written. */
export async function createBundle(opts: CreateBundleOptions): Promise<BundleResult> {
  const now = new Date();
  const from = opts.fromRun ?? null;
  const base = from ? from.settings : opts.settings;
  if (!base) throw new Error('createBundle needs settings or a saved run');
  const settings = from ? base : debugRunSettings(base);
  const numactlAvailable = opts.numactlAvailable;
  const inherited = opts.remote ? await remoteInherited(opts.remote) : LOCAL_INHERITED();
  const p = plan(settings, opts.topology, opts.redact ?? [], numactlAvailable, inherited, from);
  const { redactor, built } = p;
  const patterns = opts.redact ?? [];

  let logFile: string;
  let run: SavedRunResult | null;
  let startedAt: string;
  if (from) {
    logFile = from.logFile;
    run = from.result;
    startedAt = from.startedAt;
  } else {
    logFile = newLogFile(opts.dataDir, now);
    startedAt = now.toISOString();
    run = await runForBundle(p, logFile, opts);
  }
  const debugMode = from ? savedLevel(from) : 4;

  // First pass over the log: redacted size for the tar header, line count, and the results.
  const parser = new ResultsParser();
  const known = new KnownFailureScanner();
  const measured = await measureOutput(logFile, redactor, (_stream, buf, s, e) => {
    parser.feed(buf.toString('utf8', s, e));
    known.pushLine(buf.toString('utf8', s, Math.min(e, s + MATCH_CHARS)));
  });
  const metrics = parser.result();

  opts.onProgress?.('system', 'lscpu, numactl, /proc, kernel, cgroup, OS');
  const env = processEnv(built, process.env);
  const python = isPythonWorkload(settings.workload);
  if (python) opts.onProgress?.('python', `asking ${settings.workload[0]} about torch and pip`);
  // The interpreter the run used, asked where and how the run asked it (RunManager.probeEngine).
  const probePlace: ProbePlace = opts.remote
    ? { on: opts.remote.host, env: built.env, unset: built.unset, cwd: settings.cwd }
    : { env: built.env, unset: built.unset, cwd: settings.cwd };
  const [systemFiles, pythonFiles, engine, doctor] = await Promise.all([
    collectSystem(opts.topology, { sysroot: opts.sysroot, ...(opts.remote ? { on: opts.remote.host } : {}) }),
    python
      ? collectPython(
          settings.workload[0]!,
          // On a target only what the tool sets applies: this machine's environment means nothing there.
          opts.remote
            ? { env: { ...built.env }, cwd: settings.cwd, on: opts.remote.host }
            : { env, cwd: settings.cwd },
        )
      : Promise.resolve<BundleFile[]>([]),
    from?.engine !== undefined
      ? Promise.resolve(from.engine)
      : pythonInterpreterOf(settings.workload, probePlace).then((i) =>
          i === null ? null : probeInterpreter(i, probePlace),
        ),
    bundleDoctor(settings, probePlace, opts, inherited),
  ]);
  const sysfs = await bundleSysfs(opts);
  // Known failures in the log, with how the run ended (the kernel log is not read for a bundle).
  const knownFailures = known.finish({
    exitCode: run?.exitCode ?? null,
    signal: run?.signal ?? null,
    endedByTool: !!(run?.stopped || run?.timedOut),
    kernelOom: null,
  });

  const files = plannedFiles(settings.workload);
  const outcome = outcomeOf(run, logFile);
  const checks: Check[] = from?.checks ?? built.checks;
  const result = redactor.json({
    madeFrom: from ? 'saved run (not re-run)' : 'new run at AIO_DEBUG_MODE=4',
    ...(from?.runId ? { runId: from.runId } : {}),
    startedAt,
    debugMode,
    argv: redactor.argv(built.argv),
    cwd: p.cwd,
    exitCode: run?.exitCode ?? null,
    signal: run?.signal ?? null,
    status: run
      ? exitStatusCode({ exitCode: run.exitCode, signal: run.signal, startError: run.startError })
      : null,
    outcome,
    startError: run?.startError ?? null,
    timedOut: run?.timedOut ?? null,
    stopped: run?.stopped ?? null,
    durationMs: run?.durationMs ?? null,
    peakRssBytes: run?.peakRssBytes ?? null,
    lines: measured.lines,
    results: metrics,
    engine,
    checks,
    proof: run?.proof ?? null,
  });
  const envTxt = formatEnvTxt(
    effectiveEnv(built, inherited.env),
    redactor,
    from
      ? inherited.from
        ? `Inherited variables are those of a new session on ${inherited.from}, read when this bundle was made.`
        : 'Inherited variables are those of the AIO Tuner process that made this bundle.'
      : undefined,
    inherited.from,
  );
  const readme = buildReadme({
    createdAt: now,
    version: VERSION,
    host: opts.remote ? `${opts.remote.url} (bundle made on ${hostname()})` : hostname(),
    machine: machineLine(opts.topology),
    fromRun: from ? { logFile: from.logFile, startedAt: from.startedAt, runId: from.runId ?? null } : null,
    debugMode,
    command: p.reproduce,
    cwd: p.cwd ?? '',
    outcome: redactor.text(outcome),
    durationMs: run?.durationMs ?? null,
    peakRssBytes: run?.peakRssBytes ?? null,
    lines: measured.lines,
    results: resultsLine(metrics),
    engine: redactor.json(engine),
    checks: redactor.json(checks),
    files,
    redactedNames: [...redactor.redactedNames].sort(),
    patterns,
    sysroot: opts.sysroot,
    doctor: redactor.json(doctor),
    doctorNow: from !== null,
    knownFailures: redactor.json(knownFailures),
  });

  opts.onProgress?.('archive', `${measured.lines} lines, ${formatBytes(measured.bytes)} of output`);
  const path = await targetPath(opts.out, opts.dataDir, now);
  const archive = await BundleArchive.create(path, rootName(path));
  let finished;
  try {
    await archive.addText('README.txt', redactor.text(readme));
    await archive.addText('run/command.sh', p.script, 0o755);
    await archive.addText('run/env.txt', envTxt);
    await archive.addStream('run/output.log', measured.bytes, async (sink) => {
      for await (const chunk of outputLines(logFile, redactor, undefined, measured.lines))
        await sink.write(chunk);
    });
    await archive.addText('run/result.json', outputText('bundle-result', result));
    for (const f of systemFiles) await archive.addText(f.name, redactor.text(f.content));
    // As `aio-tuner doctor --json` prints it.
    await archive.addText('system/doctor.json', outputText('doctor', redactor.json(doctor)));
    for (const f of sysfs) {
      // Kernel files hold no secrets as a rule; one that a pattern does match is redacted like every other file.
      const text = f.content.toString('utf8');
      const clean = redactor.text(text);
      await archive.addText(f.name, clean === text ? f.content : clean);
    }
    for (const f of pythonFiles) await archive.addText(f.name, redactor.text(f.content));
    finished = await archive.finish();
  } catch (e) {
    await archive.abort();
    throw e;
  }
  opts.onProgress?.('done', `${finished.path} (${formatBytes(finished.sizeBytes)})`);

  const note = buildNote({
    fileName: basename(finished.path),
    sizeBytes: finished.sizeBytes,
    version: VERSION,
    host: opts.remote ? `${opts.remote.url} (bundle made on ${hostname()})` : hostname(),
    machine: machineLine(opts.topology),
    command: p.command,
    outcome: redactor.text(outcome),
    settings: redactor.text(settingsLine(settings, built, opts.topology)),
    fromRun: from !== null,
    debugMode,
  });
  return {
    path: finished.path,
    sizeBytes: finished.sizeBytes,
    note,
    // The dump's hundreds of files are one entry, as plannedFiles and README.txt list it.
    files: [
      ...new Set(
        finished.manifest.files.map((f) => (f.path.startsWith('system/sysfs/') ? 'system/sysfs/' : f.path)),
      ),
      'MANIFEST.json',
    ],
    run,
    outcome,
    workloadFailed: failed(run),
    logFile,
  };
}
