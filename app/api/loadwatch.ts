/**
 * Live per-CPU load for the map. Sampling runs only while a UI asks for it or a run is going, so an idle app
 * does not read /proc for nothing.
 */
import { LoadSampler, outsideSelection } from '../run';
import type { ApiEvents } from './contract';
import type { RunManager } from './runs';

export class LoadWatch {
  private sampler: LoadSampler | null = null;
  private wanted = false;

  constructor(
    private readonly runs: RunManager,
    private readonly emit: (event: 'load.sample', data: ApiEvents['load.sample']) => void,
  ) {
    runs.onActivity(() => this.update());
  }

  setWanted(on: boolean): void {
    this.wanted = on;
    this.update();
  }

  private update(): void {
    const should = this.wanted || this.runs.activeCount() > 0;
    if (should && !this.sampler) {
      // Runs always happen on this host, so load comes from its /proc even when the map shows a sysroot.
      this.sampler = new LoadSampler({ root: '/' });
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
