/** Support bundles through the API: a fresh level-4 run of the current settings, or a finished run's log. */
import { resolve } from 'node:path';
import type { RunSettings } from '../command/types';
import { createBundle, previewBundle, remoteInherited } from '../bundle';
import { numactlStatus } from '../system/numactl';
import { ApiError, type ApiEvents, type BundleInfo, type BundlePreview } from './contract';
import type { Engine } from './engine';

type Emit = (event: 'bundle.progress', data: ApiEvents['bundle.progress']) => void;

export class BundleService {
  private readonly produced = new Set<string>();
  private busy = false;

  constructor(
    private readonly engine: Engine,
    private readonly emit: Emit,
    private readonly sysroot?: string,
  ) {}

  async preview(p: { settings: RunSettings; redact?: string[] }): Promise<BundlePreview> {
    const topology = await this.engine.getTopology();
    const remote = this.engine.targets.bundleRemote();
    // On a target, the variables a run there inherits: this machine's would preview the wrong ones.
    return previewBundle(
      p.settings,
      topology,
      p.redact ?? [],
      remote ? await remoteInherited(remote) : undefined,
    );
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
      let fromRun;
      if (p.fromRunId) {
        const info = this.engine.runs.get(p.fromRunId);
        if (info.state !== 'exited')
          throw new ApiError('that run is still going: stop it or wait for it to end first', 'busy');
        fromRun = {
          logFile: info.logFile,
          settings: info.settings,
          result: info.outcome,
          startedAt: info.startedAt,
          debugMode: info.env.AIO_DEBUG_MODE !== undefined ? Number(info.env.AIO_DEBUG_MODE) : null,
        };
      }
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
