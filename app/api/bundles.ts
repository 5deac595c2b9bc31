/** Support bundles through the API: a fresh level-4 run of the current settings, or a finished run's log. */
import { resolve } from 'node:path';
import type { RunSettings } from '../shared/command';
import type { Topology } from '../shared/topology';
import type { NumactlStatus } from '../system/numactl';
import {
  createBundle,
  fromRunInfo,
  previewBundle,
  remoteInherited,
  type BundleResult,
  type FromRun,
} from '../bundle';
import type { BundleRemote } from '../bundle/bundle';
import { ApiError, type ApiEvents, type BundleInfo, type BundlePreview, type RunInfo } from './contract';

type Emit = (event: 'bundle.progress', data: ApiEvents['bundle.progress']) => void;

/** What bundles need from the engine, and nothing more (as SweepDeps): the machine runs go to, and history. */
export interface BundleDeps {
  home: string;
  /** System files come from this dumped root where it has them. */
  sysroot?: string;
  getTopology(): Promise<Topology>;
  /** numactl where runs go (TargetService.numactl). */
  numactl(): Promise<NumactlStatus>;
  /** The active remote target, or undefined for this machine. */
  remote(): BundleRemote | undefined;
  /** A run as history saved it (its run.json). */
  savedRun(runId: string): Promise<RunInfo>;
  emit: Emit;
}

/** More than the API's params: the CLI bundles a run from a log file, with a time limit and Ctrl-C. */
export interface BundleRequest {
  settings?: RunSettings;
  fromRunId?: string;
  /** A saved run read from its files (CLI --from-run PATH) rather than from history by id. */
  fromRun?: FromRun;
  redact?: string[];
  out?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class BundleService {
  private readonly produced = new Set<string>();
  private busy = false;

  constructor(private readonly deps: BundleDeps) {}

  async preview(p: {
    settings?: RunSettings;
    fromRunId?: string;
    redact?: string[];
  }): Promise<BundlePreview> {
    const saved = p.fromRunId ? await this.savedRun(p.fromRunId) : undefined;
    const settings = saved?.settings ?? p.settings;
    if (!settings)
      throw new ApiError(
        'bundle.preview needs the settings to run or a finished run (fromRunId)',
        'bad-request',
      );
    const topology = await this.deps.getTopology();
    const remote = this.deps.remote();
    // On a target, the variables a run there inherits: this machine's would preview the wrong ones.
    return previewBundle(
      settings,
      topology,
      p.redact ?? [],
      remote ? await remoteInherited(remote) : undefined,
      saved,
    );
  }

  /**
   * A finished run, from history (its run.json) rather than this engine's memory: a run made by the CLI or
   * another window after this engine started is bundled as well.
   */
  private async savedRun(runId: string): Promise<FromRun> {
    const info = await this.deps.savedRun(runId);
    if (info.state !== 'exited')
      throw new ApiError('that run is still going: stop it or wait for it to end first', 'busy');
    return fromRunInfo(info);
  }

  async create(p: BundleRequest): Promise<BundleInfo> {
    const { path, sizeBytes, note, files } = await this.make(p);
    return { path, sizeBytes, note, files };
  }

  /** `create` with what the CLI also prints: how the workload ended. */
  async make(p: BundleRequest): Promise<BundleResult> {
    if (!p.settings && !p.fromRunId && !p.fromRun)
      throw new ApiError(
        'bundle.create needs the settings to run or a finished run (fromRunId)',
        'bad-request',
      );
    if (this.busy) throw new ApiError('a bundle is already being gathered; wait for it to finish', 'busy');
    this.busy = true;
    try {
      const topology = await this.deps.getTopology();
      const fromRun = p.fromRun ?? (p.fromRunId ? await this.savedRun(p.fromRunId) : undefined);
      const r = await createBundle({
        settings: p.settings,
        topology,
        sysroot: this.deps.sysroot,
        out: p.out ? resolve(p.out) : undefined,
        redact: p.redact,
        dataDir: this.deps.home,
        fromRun,
        timeoutMs: p.timeoutMs,
        signal: p.signal,
        numactlAvailable: (await this.deps.numactl()).available,
        remote: this.deps.remote(),
        onProgress: (stage, detail) =>
          this.deps.emit('bundle.progress', { stage, ...(detail ? { detail } : {}) }),
      });
      this.produced.add(resolve(r.path));
      return r;
    } finally {
      this.busy = false;
    }
  }

  isProduced(path: string): boolean {
    return this.produced.has(resolve(path));
  }
}
