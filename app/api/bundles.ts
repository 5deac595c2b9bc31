/** Support bundles through the API: a fresh level-4 run of the current settings, or a finished run's log. */
import { resolve } from 'node:path';
import type { RunSettings } from '../shared/command';
import { createBundle, fromRunInfo, previewBundle, remoteInherited, type FromRun } from '../bundle';
import { numactlStatus } from '../system/numactl';
import { ApiError, type ApiEvents, type BundleInfo, type BundlePreview } from './contract';
import type { HistoryStore } from '../history';
import type { TargetService } from '../remote';
import type { Topology } from '../shared/topology';

/** What bundling reads from the engine, passed in by it: importing the engine here would be a cycle. */
export interface BundleEngine {
  readonly home: string;
  readonly targets: Pick<TargetService, 'bundleRemote' | 'isRemote' | 'remoteNumactl'>;
  readonly history: Pick<HistoryStore, 'getRun'>;
  getTopology(): Promise<Topology>;
}

type Emit = (event: 'bundle.progress', data: ApiEvents['bundle.progress']) => void;

export class BundleService {
  private readonly produced = new Set<string>();
  private busy = false;

  constructor(
    private readonly engine: BundleEngine,
    private readonly emit: Emit,
    private readonly sysroot?: string,
  ) {}

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
    const topology = await this.engine.getTopology();
    const remote = this.engine.targets.bundleRemote();
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
    const info = await this.engine.history.getRun(runId);
    if (info.state !== 'exited')
      throw new ApiError('that run is still going: stop it or wait for it to end first', 'busy');
    return fromRunInfo(info);
  }

  async create(p: {
    settings?: RunSettings;
    fromRunId?: string;
    redact?: string[];
    out?: string;
  }): Promise<BundleInfo> {
    if (!p.settings && !p.fromRunId)
      throw new ApiError(
        'bundle.create needs the settings to run or a finished run (fromRunId)',
        'bad-request',
      );
    if (this.busy) throw new ApiError('a bundle is already being gathered; wait for it to finish', 'busy');
    this.busy = true;
    try {
      const topology = await this.engine.getTopology();
      const fromRun = p.fromRunId ? await this.savedRun(p.fromRunId) : undefined;
      const r = await createBundle({
        settings: p.settings,
        topology,
        sysroot: this.sysroot,
        out: p.out ? resolve(p.out) : undefined,
        redact: p.redact,
        dataDir: this.engine.home,
        fromRun,
        numactlAvailable: this.engine.targets.isRemote()
          ? ((await this.engine.targets.remoteNumactl())?.available ?? false)
          : (await numactlStatus()).available,
        remote: this.engine.targets.bundleRemote(),
        onProgress: (stage, detail) => this.emit('bundle.progress', { stage, ...(detail ? { detail } : {}) }),
      });
      this.produced.add(resolve(r.path));
      return { path: r.path, sizeBytes: r.sizeBytes, note: r.note, files: r.files };
    } finally {
      this.busy = false;
    }
  }

  isProduced(path: string): boolean {
    return this.produced.has(resolve(path));
  }
}
