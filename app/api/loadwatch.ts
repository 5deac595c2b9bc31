/**
 * Live per-CPU load for the map. Sampling runs only while some client watches or a run is going, so an idle app
 * does not read /proc for nothing. Watchers are counted per client (a WebSocket connection, the Electron
 * window): the map and the run panel of one page each ask and each let go, so one letting go does not stop the
 * other's samples, and a client that goes away takes its watches with it.
 */
import { LoadSampler, LoadTally, outsideSelection, type CpuLoad, type CpuLoadSummary } from '../run';
import type { LoadSource } from '../remote/load';
import type { ApiEvents } from './contract';
import type { RunManager } from '../run/manager';
import type { NodeFree } from '../topology/node-free';

export class LoadWatch {
  private sampler: LoadSource | null = null;
  /** Open `load.watch` requests per client id. */
  private readonly watchers = new Map<string, number>();
  /** Each live run's load so far: kept in the engine so the record does not depend on a UI watching. */
  private readonly tallies = new Map<string, LoadTally>();
  private lastAt = 0;

  constructor(
    private readonly runs: RunManager,
    private readonly emit: (event: 'load.sample', data: ApiEvents['load.sample']) => void,
    /** Where load is read: the active target (a remote /proc/stat over ssh), else this host. */
    private readonly source: () => LoadSource = () => new LoadSampler({ root: '/' }),
    /** Free memory per node of the same machine, for the map's node bars; null where it is not read live. */
    private readonly nodeFree: () => NodeFree[] | null = () => null,
  ) {
    runs.onActivity(() => this.update());
    runs.recordLoadWith((runId) => this.finish(runId));
  }

  /** The run is ending: take one closing sample (its last moments count too) and hand over its summary. */
  private finish(runId: string): CpuLoadSummary[] | null {
    const last = this.sampler?.sampleNow?.();
    if (last?.length) this.accept(last);
    const tally = this.tallies.get(runId);
    this.tallies.delete(runId);
    return tally?.summary() ?? null;
  }

  private accept(cpus: CpuLoad[]): void {
    const now = Date.now();
    const ms = now - this.lastAt;
    this.lastAt = now;
    for (const id of this.runs.liveIds()) {
      let t = this.tallies.get(id);
      if (!t) this.tallies.set(id, (t = new LoadTally()));
      t.add(cpus, ms);
    }
    const run = this.runs.latestActive();
    const outside =
      run && run.settingsCpus.length ? outsideSelection(cpus, run.settingsCpus, 0.5).map((c) => c.cpu) : [];
    const nodes = this.nodeFree();
    this.emit('load.sample', {
      t: now,
      cpus,
      outside,
      runId: run?.runId ?? null,
      ...(nodes ? { nodes } : {}),
    });
  }

  /** The active target changed: sample the new one from now on. */
  retarget(): void {
    this.sampler?.stop();
    this.sampler = null;
    this.update();
  }

  /** One watch more (`on`) or less for `client`; an "off" without an open watch is ignored. */
  watch(client: string, on: boolean): void {
    const n = (this.watchers.get(client) ?? 0) + (on ? 1 : -1);
    if (n > 0) this.watchers.set(client, n);
    else this.watchers.delete(client);
    this.update();
  }

  /** The client went away (its connection closed, its page reloaded): its watches end with it. */
  release(client: string): void {
    if (this.watchers.delete(client)) this.update();
  }

  /** Every watch ends (the engine is disposed). */
  releaseAll(): void {
    this.watchers.clear();
    this.update();
  }

  /** Clients watching now, and whether samples are being taken (tests, and `serve`'s shutdown). */
  state(): { clients: number; sampling: boolean } {
    return { clients: this.watchers.size, sampling: this.sampler !== null };
  }

  private update(): void {
    const should = this.watchers.size > 0 || this.runs.activeCount() > 0;
    if (should && !this.sampler) {
      // Runs happen on the active target (this host by default), so load comes from its /proc even when the
      // map shows a sysroot.
      this.sampler = this.source();
      this.lastAt = Date.now();
      this.sampler.start((cpus) => this.accept(cpus));
    } else if (!should && this.sampler) {
      this.sampler.stop();
      this.sampler = null;
    }
  }
}
