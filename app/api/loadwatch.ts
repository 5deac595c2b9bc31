/**
 * Live per-CPU load for the map. Sampling runs only while a UI asks for it or a run is going, so an idle app
 * does not read /proc for nothing.
 */
import { LoadSampler, outsideSelection } from '../run';
import type { LoadSource } from '../remote/load';
import type { ApiEvents } from './contract';
import type { RunManager } from './runs';

export class LoadWatch {
  private sampler: LoadSource | null = null;
  private wanted = false;

  constructor(
    private readonly runs: RunManager,
    private readonly emit: (event: 'load.sample', data: ApiEvents['load.sample']) => void,
    /** Where load is read: the active target (a remote /proc/stat over ssh), else this host. */
    private readonly source: () => LoadSource = () => new LoadSampler({ root: '/' }),
  ) {
    runs.onActivity(() => this.update());
  }

  /** The active target changed: sample the new one from now on. */
  retarget(): void {
    this.sampler?.stop();
    this.sampler = null;
    this.update();
  }

  setWanted(on: boolean): void {
    this.wanted = on;
    this.update();
  }

  private update(): void {
    const should = this.wanted || this.runs.activeCount() > 0;
    if (should && !this.sampler) {
      // Runs happen on the active target (this host by default), so load comes from its /proc even when the
      // map shows a sysroot.
      this.sampler = this.source();
      this.sampler.start((cpus) => {
        const run = this.runs.latestActive();
        const outside =
          run && run.settingsCpus.length
            ? outsideSelection(cpus, run.settingsCpus, 0.5).map((c) => c.cpu)
            : [];
        this.emit('load.sample', { t: Date.now(), cpus, outside, runId: run?.runId ?? null });
      });
    } else if (!should && this.sampler) {
      this.sampler.stop();
      this.sampler = null;
    }
  }
}
