/**
 * The engine behind the API contract: plain Node, no Electron. The Electron IPC bridge and the browser-mode
 * WebSocket both call `handle()` and forward `subscribe()` events, so every capability has one implementation.
 */
import { runDoctor } from '../doctor';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Topology } from '../shared/topology';
import type { BuiltCommand, RunSettings } from '../shared/command';
import type { RunCpuSpelling } from '../command/launchers';
import {
  knownRunCpuSpelling,
  probeRunCpuSpelling,
  runCpuInterpreter,
} from '../command/launchers/runcpu-probe';
import {
  ApiError,
  validateParams,
  type ApiEvent,
  type ApiEvents,
  type ApiHandlers,
  type ApiMethod,
  type ApiParamsOut,
  type ApiResults,
  type RunInfo,
} from './contract';
import {
  importTopology,
  loadTopology,
  readSysfsTopology,
  readSysroot,
  SysrootArchiveError,
  unpackSysroot,
} from '../topology';
import {
  buildCommand,
  parseCommandLine,
  offeredVariables,
  firstPhysicalCores,
  coresOnNode,
  wholeNode,
  spread,
  allAvailable,
  fastestType,
} from '../command';
import { expandSelection } from '../shared/selection';
import { ProfileStore, profileName } from '../profiles';
import { segmentFrom } from '../util/pathsegment';
import { dataDir } from '../util/datadir';
import { recordText } from '../util/records';
import type { NumactlStatus } from '../system/numactl';
import { VERSION } from '../version';
import { RunManager, type StartOptions } from '../run/manager';
import { RunError } from '../run/errors';
import { SweepError } from '../sweep/errors';
import { HistoryError } from '../history/errors';
import { LogViews } from './logviews';
import { LoadWatch } from './loadwatch';
import { readNodeFree } from '../topology/node-free';
import { exampleWorkload, remoteExampleWorkload } from './example';
import { DraftStore } from './draft';
import { BundleService } from './bundles';
import { SweepService } from '../sweep';
import { HistoryStore } from '../history';
import { parseTarget, RemoteError, TargetService, TargetUrlError, targetUrl } from '../remote';
import { targetDoctorOptions } from '../remote/doctor';
import { analyzeModel, OpsError } from '../ops';
import { findTorchPython } from './example';

export interface EngineOptions {
  shell: 'electron' | 'browser';
  sysroot?: string;
  fromFile?: string;
  /** Data directory override (tests); defaults to AIO_TUNER_HOME or the platform's user data directory. */
  dataDir?: string;
  /** Target URL to start on (CLI --target); see app/remote/url.ts. */
  target?: string;
  /** Start on the target remembered in targets.json (default: in the Electron app only; the CLI stays local). */
  restoreTarget?: boolean;
}

/**
 * Domain modules throw their own errors (run/, sweep/, history/ know nothing of the API): the reply keeps their
 * message and code. Anything else is "failed".
 */
function apiErrorOf(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof RunError || e instanceof SweepError || e instanceof HistoryError)
    return new ApiError(e.message, e.code);
  return new ApiError((e as Error).message ?? String(e), 'failed');
}

/**
 * "Import topology…" with a dump archive or support bundle (topology.load kind "archive"): unpacked, read as a
 * sysroot, named by the file's name. A corrupt archive is bad input from the caller, said in one line.
 */
async function readUploadedArchive(data: string, name: string): Promise<Topology> {
  let opened;
  try {
    opened = await unpackSysroot(Buffer.from(data, 'base64'), name);
  } catch (e) {
    if (e instanceof SysrootArchiveError) throw new ApiError(e.message, 'bad-request');
    throw e;
  }
  try {
    const t = await readSysfsTopology(opened.dir);
    t.origin = name;
    return t;
  } catch (e) {
    throw new ApiError(
      `${name}: ${(e as Error).message.split(opened.dir).join('the archive')}`,
      'bad-request',
    );
  } finally {
    opened.close();
  }
}

/** The client of requests that name none (the CLI, tests, in-process callers). */
export const LOCAL_CLIENT = 'local';

export interface EngineClient {
  id: string;
  handle(method: string, params: unknown): Promise<unknown>;
  /** The client went away: what it held ends. */
  close(): void;
}

export class Engine {
  private topology: Topology | null = null;
  /** Is `topology` the machine whose load is sampled (this host or the active target), not an import? */
  private topologySampled = false;
  private readonly events = new EventEmitter();
  readonly home: string;
  readonly profiles: ProfileStore;
  private readonly draft: DraftStore;
  readonly runs: RunManager;
  readonly logs: LogViews;
  private readonly load: LoadWatch;
  private clients = 0;
  readonly bundles: BundleService;
  readonly sweeps: SweepService;
  readonly history: HistoryStore;
  private readonly cwd = process.cwd();
  readonly targets: TargetService;
  private readonly ready: Promise<void>;

  constructor(private readonly opts: EngineOptions) {
    this.home = opts.dataDir ?? dataDir();
    mkdirSync(this.home, { recursive: true });
    this.profiles = new ProfileStore(join(this.home, 'profiles'));
    this.draft = new DraftStore(this.home);
    this.logs = new LogViews();
    this.runs = new RunManager(join(this.home, 'runs'), this.logs, (e, d) => this.emit(e, d));
    this.targets = new TargetService(this.home);
    if (opts.target !== undefined && (opts.sysroot !== undefined || opts.fromFile !== undefined))
      throw new ApiError('use either a target or a sysroot/imported file, not both', 'bad-request');
    this.ready = this.targets.init(opts.target, opts.restoreTarget ?? opts.shell === 'electron');
    // Awaited by every request; this only keeps an early failure from being an unhandled rejection meanwhile.
    this.ready.catch(() => undefined);
    // Placement proof comes from the machine runs go on: an imported or sysroot topology describes another one.
    this.runs.judgePlacementWith(() => (this.topologySampled ? this.topology : null));
    this.runs.useTarget(() => ({
      url: this.targets.currentUrl(),
      launcher: (spec) => this.targets.launcher(spec),
      tools: () => this.targets.bundleRemote()?.host,
      doctor: () => targetDoctorOptions(this.targets.currentUrl(), this.targets.ctx),
    }));
    this.load = new LoadWatch(
      this.runs,
      (e, d) => this.emit(e, d),
      () => this.targets.loadSource(),
      // Load comes from this host unless a remote target is active; so does the free memory read with it.
      () => (this.targets.isRemote() ? null : readNodeFree()),
    );
    this.bundles = new BundleService({
      home: this.home,
      sysroot: opts.sysroot,
      getTopology: () => this.getTopology(),
      numactl: () => this.numactl(),
      remote: () => this.targets.bundleRemote(),
      savedRun: (id) => this.history.getRun(id),
      emit: (e, d) => this.emit(e, d),
    });
    this.sweeps = new SweepService({
      home: this.home,
      runs: this.runs,
      getTopology: () => this.getTopology(),
      buildFor: (s) => this.buildFor(s),
      emit: (e, d) => this.emit(e, d),
      remote: () => this.remote(() => this.targets.sweepRemote()),
    });
    this.history = new HistoryStore(this.home, this.runs, this.sweeps);
    this.events.setMaxListeners(100);
  }

  async getTopology(): Promise<Topology> {
    await this.ready;
    if (this.topology) return this.topology;
    if (this.targets.isRemote()) this.topology = await this.remote(() => this.targets.topology());
    else this.topology = await loadTopology({ sysroot: this.opts.sysroot, fromFile: this.opts.fromFile });
    this.topologySampled = this.targets.isRemote() || (!this.opts.sysroot && !this.opts.fromFile);
    return this.topology;
  }

  /** The topology as the UI gets it: marked when its CPUs are the ones load samples describe. */
  private async topologyForUi(): Promise<Topology> {
    const t = await this.getTopology();
    return this.topologySampled ? { ...t, loadSampled: true } : t;
  }

  /** Remote failures become API errors with their stable code (auth-refused, unknown-host, …). */
  private async remote<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof RemoteError) throw new ApiError(e.message, e.code);
      if (e instanceof TargetUrlError) throw new ApiError(e.message, 'bad-request');
      throw e;
    }
  }

  /** numactl where runs go: this host's, or what the target's probe found. */
  numactl(): Promise<NumactlStatus> {
    return this.remote(() => this.targets.numactl());
  }

  subscribe(cb: (event: ApiEvent, data: unknown) => void): () => void {
    this.events.on('event', cb);
    return () => this.events.off('event', cb);
  }

  private emit<E extends ApiEvent>(event: E, data: ApiEvents[E]): void {
    this.events.emit('event', event, data);
  }

  /**
   * Validate and dispatch one request. Throws ApiError with a user-readable message. `client` names who asks (a
   * connection of `connect()`); what a client holds, such as load watches, is counted per client.
   */
  async handle(method: string, rawParams: unknown, client: string = LOCAL_CLIENT): Promise<unknown> {
    const valid = validateParams(method, rawParams);
    await this.ready;
    try {
      // Checked on the name as sent, so `valid` keeps the type dispatch() takes.
      if (method === 'load.watch') {
        this.load.watch(client, (valid.params as ApiParamsOut<'load.watch'>).on);
        return { ok: true as const };
      }
      return await this.dispatch(valid.method, valid.params);
    } catch (e) {
      throw apiErrorOf(e);
    }
  }

  /**
   * A client of its own (a WebSocket connection, the Electron window's page): its requests go through `handle`,
   * and `close` ends what it held (its load watches) when it goes away.
   */
  connect(): EngineClient {
    const id = `client-${++this.clients}`;
    return {
      id,
      handle: (method, params) => this.handle(method, params, id),
      close: () => this.load.release(id),
    };
  }

  /** Load watches of every client, and whether load is being sampled now. */
  loadWatchState(): { clients: number; sampling: boolean } {
    return this.load.state();
  }

  /** One handler, typed by its method: the params are what that method's schema produced. */
  private dispatch<M extends ApiMethod>(method: M, params: ApiParamsOut<M>): Promise<ApiResults[M]> {
    const table: ApiHandlers = this.handlers;
    const handler: ApiHandlers[M] = table[method];
    return handler(params);
  }

  async buildFor(settings: RunSettings, container?: string, opts: { askRunCpu?: boolean } = {}) {
    const t = await this.getTopology();
    const n = await this.numactl();
    // run_cpu's spelling: what this machine's interpreter answered, asked only on request (it imports torch).
    let runCpuSpelling: RunCpuSpelling | undefined;
    if (!this.targets.isRemote()) {
      const interpreter = runCpuInterpreter(settings.workload);
      runCpuSpelling = opts.askRunCpu
        ? ((await probeRunCpuSpelling(interpreter)) ?? undefined)
        : knownRunCpuSpelling(interpreter);
    }
    return buildCommand(settings, t, {
      numactlAvailable: n.available,
      container,
      ...(runCpuSpelling !== undefined ? { runCpuSpelling } : {}),
    });
  }

  /**
   * Start a run where runs go: the one way the window (run.start, history.rerun) and the CLI start one. `built`
   * is the command the caller already showed (CLI --format, --check), so what runs is what was shown.
   */
  async startRun(
    settings: RunSettings,
    opts: Omit<StartOptions, 'tag'> & { built?: BuiltCommand } = {},
  ): Promise<RunInfo> {
    const { built: shown, ...start } = opts;
    const built = shown ?? (await this.buildFor(settings));
    // Before the start, never during the run: importing torch beside the workload would disturb what it measures.
    // The host doctor goes beside the probe (the CLI's --check has already made it: `doctor` given).
    const [engine, doctor] = await Promise.all([
      this.runs.probeEngine(settings, built),
      start.doctor !== undefined ? start.doctor : this.runs.examineHost(settings, built),
    ]);
    return this.runs.start(settings, built, { ...start, engine, doctor });
  }

  /**
   * Written without parameter annotations: each handler is typed by its schema's output through `satisfies`, and
   * keeps that exact type, which test/unit/contract-types.test.ts checks (a wider or extra-field annotation
   * would still satisfy `ApiHandlers`).
   */
  private readonly handlers = {
    'system.info': async () => {
      const t = await this.getTopology();
      const example = this.targets.isRemote() ? remoteExampleWorkload() : await exampleWorkload();
      return {
        version: VERSION,
        platform: process.platform,
        shell: this.opts.shell,
        numactl: await this.numactl(),
        dataDir: this.home,
        cwd: this.cwd,
        exampleWorkload: example.argv,
        exampleNote: example.note,
        examplePython: example.python,
        topologyOrigin: t.origin ?? t.source,
        target: this.targets.currentUrl(),
      };
    },
    'topology.get': async () => this.topologyForUi(),
    'topology.load': async (p) => {
      if (p.kind === 'host' && this.targets.isRemote()) {
        // "The machine runs go to": on a remote target that is the target, probed afresh.
        this.targets.refresh();
        this.topology = await this.remote(() => this.targets.topology());
      } else if (p.kind === 'host') this.topology = await loadTopology({ sysroot: this.opts.sysroot });
      else if (p.kind === 'sysroot') this.topology = await readSysroot(resolve(p.path));
      else if (p.kind === 'archive') this.topology = await readUploadedArchive(p.data, p.name);
      else this.topology = importTopology(p.text, p.name ?? 'pasted text');
      this.topologySampled = p.kind === 'host' && (this.targets.isRemote() || !this.opts.sysroot);
      return this.topologyForUi();
    },
    'command.build': async (p) => this.buildFor(p.settings, p.container, { askRunCpu: p.askRunCpu }),
    'command.parse': async (p) => parseCommandLine(p.text, await this.getTopology()),
    'command.variables': async (p) =>
      // The catalogue does not need the machine; only the bf16-only choices do, so a failed read offers them all.
      offeredVariables(p.engine, (await this.getTopology().catch(() => null))?.cpuFlags ?? null),
    'cpus.validate': async (p) => expandSelection(p.text, await this.getTopology()),
    'cpus.preset': async (p) => {
      const t = await this.getTopology();
      const need = (v: number | undefined, what: string): number => {
        if (v === undefined) throw new ApiError(`preset "${p.preset}" needs ${what}`, 'bad-request');
        return v;
      };
      const nodeId = (v: number | undefined): number => {
        const k = need(v, 'a node');
        if (!t.nodes.some((n) => n.id === k))
          throw new ApiError(
            `node ${k} does not exist (nodes: ${t.nodes.map((n) => n.id).join(', ')})`,
            'bad-request',
          );
        return k;
      };
      // Like the CLI's --first/--count/--spread: asking for more than exists is refused, never a smaller pick.
      const atLeast = (want: number, got: number[], where: string): { cpus: number[] } => {
        if (got.length === 0) throw new ApiError(`${where} has no usable cores`, 'bad-request');
        if (got.length < want)
          throw new ApiError(
            `${where} has only ${got.length} usable ${got.length === 1 ? 'core' : 'cores'}`,
            'bad-request',
          );
        return { cpus: got };
      };
      switch (p.preset) {
        case 'first': {
          const n = need(p.count, 'a count');
          return atLeast(n, firstPhysicalCores(t, n), 'this machine');
        }
        case 'node-count': {
          const [k, n] = [nodeId(p.node), need(p.count, 'a count')];
          return atLeast(n, coresOnNode(t, k, n), `node ${k}`);
        }
        case 'node': {
          const k = nodeId(p.node);
          return atLeast(0, wholeNode(t, k), `node ${k}`);
        }
        case 'spread': {
          const n = need(p.count, 'a count');
          return atLeast(n, spread(t, n), 'this machine');
        }
        case 'all':
          return { cpus: allAvailable(t) };
        case 'fastest-type': {
          const fastest = t.coreTypes?.[0];
          if (!fastest) throw new ApiError('the core types of this machine are unknown', 'bad-request');
          return atLeast(0, fastestType(t), `core type ${fastest.name}`);
        }
        case 'clear':
          return { cpus: [] };
      }
    },
    'draft.get': async (p) => this.draft.get(p.reload ?? false),
    'draft.set': async (p) => {
      await this.draft.set(p.settings);
      return { ok: true as const };
    },
    'profiles.list': async () => this.profiles.list(),
    'profiles.save': async (p) => this.profiles.save(p.name, p.settings),
    'profiles.load': async (p) => this.profiles.load(p.name),
    'profiles.delete': async (p) => {
      await this.profiles.delete(p.name);
      return { ok: true as const };
    },
    'profiles.export': async (p) => {
      const name = profileName(p.name);
      const settings = await this.profiles.load(name);
      return {
        // Stamped like every saved record, so a later AIO Tuner importing it knows which shape it holds.
        json: recordText('profile', { name, settings }),
        fileName: `${segmentFrom(name, 'profile')}.aio-profile.json`,
      };
    },
    'profiles.import': async (p) => this.profiles.importJson(p.json),
    'run.start': async (p) => {
      if (p.target !== undefined) {
        const wanted = await this.remote(async () => targetUrl(parseTarget(p.target!)));
        if (wanted !== this.targets.currentUrl())
          throw new ApiError(
            `the active target is now ${this.targets.currentUrl()}, not ${wanted}: reload the map before running`,
            'conflict',
          );
      }
      return this.startRun(p.settings, { timeoutMs: p.timeoutS ? p.timeoutS * 1000 : undefined });
    },
    'run.stop': async (p) => {
      await this.runs.stop(p.runId);
      return { ok: true as const };
    },
    'run.list': async () => this.runs.list(),
    'log.open': async (p) => this.logs.openFile(resolve(p.path)),
    'log.openText': async (p) => {
      const dir = join(this.home, 'opened');
      return this.logs.openText(dir, basename(p.name || 'pasted.log'), p.text);
    },
    'log.query': async (p) => this.logs.query(p),
    'log.search': async (p) => this.logs.search(p),
    'log.line': async (p) => this.logs.line(p.logId, p.n),
    'log.save': async (p) => this.logs.save(p.logId, resolve(p.path)),
    'load.watch': async (p) => {
      // handle() routes this method with its client; a direct dispatch counts as the local client.
      this.load.watch(LOCAL_CLIENT, p.on);
      return { ok: true as const };
    },
    'bundle.create': async (p) => this.bundles.create(p),
    'bundle.preview': async (p) => this.bundles.preview(p),
    'sweep.plan': async (p) => {
      const plan = await this.sweeps.plan(p.spec);
      const points = plan.points.map(({ cpus: _cpus, ...rest }) => rest);
      return { n: points.length, skipped: plan.skipped, notes: plan.notes, threads: plan.threads, points };
    },
    'sweep.start': async (p) => this.sweeps.start(p.spec),
    'sweep.cancel': async (p) => this.sweeps.cancel(p.sweepId),
    'sweep.get': async (p) => this.sweeps.get(p.sweepId),
    'sweep.resume': async (p) => this.sweeps.resume(p.sweepId),
    'cpus.held': async () => ({
      held: this.runs.heldCpus().map(({ runId, pid, cpus, startedAt, sweepId }) => ({
        runId,
        pid,
        cpus,
        startedAt,
        ...(sweepId !== undefined ? { sweepId } : {}),
      })),
    }),
    'history.list': async (p) => this.history.list(p.filter),
    'history.get': async (p) => this.history.get(p.kind, p.id),
    'history.delete': async (p) => {
      await this.history.delete(p.kind, p.id);
      return { ok: true as const };
    },
    'history.rerun': async (p) => {
      const d = await this.history.get(p.kind, p.id);
      if (d.kind === 'sweep') return { kind: 'sweep' as const, sweep: await this.sweeps.start(d.sweep.spec) };
      return { kind: 'run' as const, run: await this.startRun(d.run.settings) };
    },
    'history.compare': async (p) => this.history.compare(p.a, p.b),
    'history.export': async (p) => this.history.export(p),
    'targets.list': async () => this.targets.list(),
    'targets.add': async (p) => {
      await this.remote(() => this.targets.store.add(p.url, p.name ?? null));
      return this.targets.list();
    },
    'targets.remove': async (p) => {
      const url = await this.remote(async () => targetUrl(parseTarget(p.url)));
      if (url === this.targets.currentUrl()) await this.switchTarget('local');
      await this.remote(() => this.targets.store.remove(url));
      return this.targets.list();
    },
    'targets.select': async (p) => {
      await this.switchTarget(p.url);
      return { list: this.targets.list(), topology: await this.topologyForUi() };
    },
    'targets.test': async (p) => this.targets.test(p.url),
    'doctor.run': async (p) => {
      await this.ready;
      // `target` absent: the machine runs go to, the active target when it is remote.
      const target = await this.remote(() => this.targets.doctorTarget(p.target));
      return runDoctor({
        ...(target ? { target } : {}),
        ...(p.python !== undefined ? { python: p.python } : {}),
        ...(p.settings !== undefined ? { settings: p.settings } : {}),
      });
    },
    'ops.report': async (p) => {
      let python = p.python;
      if (python === undefined) {
        const { found } = await findTorchPython();
        if (found === null)
          throw new ApiError('no interpreter with PyTorch found: name one in the Python field', 'ops-python');
        python = found.executable ?? found.command;
      }
      try {
        return await analyzeModel({
          model: p.model,
          python,
          inputShapes: p.inputShapes ?? [],
          ...(p.inputDtypes ? { inputDtypes: p.inputDtypes } : {}),
        });
      } catch (e) {
        if (e instanceof OpsError) throw new ApiError(e.message, `ops-${e.code}`);
        throw e;
      }
    },
  } satisfies ApiHandlers;

  /** Make another target active: its topology replaces the map's, load sampling follows it. */
  private async switchTarget(url: string): Promise<void> {
    // Runs keep their own connection, but the load overlay and Stop-all would follow the new target.
    if (this.runs.activeCount() > 0)
      throw new ApiError('a run is going: stop it before switching targets', 'busy');
    // Between two points no run is going, yet the next point would start on the new target.
    if (this.sweeps.isRunning())
      throw new ApiError('a sweep is going: cancel it or wait for it before switching targets', 'busy');
    await this.remote(() => this.targets.select(url));
    this.topology = null;
    this.load.retarget();
  }

  /** Stop everything this engine started (app quit, CLI Ctrl-C, server shutdown). */
  async dispose(): Promise<void> {
    this.load.releaseAll();
    // Before the runs: a sweep would otherwise start its next point as soon as the current one is stopped.
    await this.sweeps.cancelAll();
    await this.runs.stopAll();
    this.logs.closeAll();
    await this.targets.dispose();
  }

  /** Path helpers for the server's download route: only files the engine itself produced may be served. */
  isServable(path: string): boolean {
    return this.bundles.isProduced(path) || this.logs.isKnownFile(path);
  }
}
