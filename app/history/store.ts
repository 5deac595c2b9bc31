/**
 * History of everything run with this data directory: single runs (<home>/runs/<id>/run.json, kept by the
 * RunManager) and sweeps (<home>/sweeps/<id>.json). Everything is read from disk on demand, so a new Engine on
 * the same home sees it all, and one unreadable file is reported while the rest still shows.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RunManager } from '../run/manager';
import type { RunInfo } from '../shared/run';
import { HistoryError } from './errors';
import type { SweepService } from '../sweep/service';
import { rowsToCsv } from '../sweep/csv';
import type { SweepRecord } from '../shared/sweep';
import { recordText } from '../util/records';
import { RunFiles } from '../run/store';
import { compareRuns } from './compare';
import { entriesToCsv, matches, runEntry, sweepEntry, sweepOfRuns } from './entries';
import type {
  ExportFile,
  HistoryDetail,
  HistoryEntry,
  HistoryFilter,
  HistoryList,
  Problem,
  RunComparison,
} from '../shared/history';

export class HistoryStore {
  private readonly runFiles: RunFiles;
  private readonly host = hostname();

  constructor(
    home: string,
    private readonly runs: RunManager,
    private readonly sweeps: SweepService,
  ) {
    this.runFiles = new RunFiles(join(home, 'runs'));
  }

  private isLiveRun(id: string): boolean {
    try {
      return this.runs.get(id).state === 'running';
    } catch {
      return false;
    }
  }

  /**
   * Saved runs, with this process's in-memory state where it is fresher: run.json is written without waiting,
   * so right after a run ends the file can still say "running". Live runs whose file is not written yet count,
   * and so do runs whose record could not be saved (memory holds the only copy).
   */
  private async allRuns(): Promise<{ runs: RunInfo[]; problems: Problem[] }> {
    const { runs, problems } = await this.runFiles.list();
    const byId = new Map(runs.map((r) => [r.runId, r]));
    for (const r of this.runs.list()) {
      const saved = byId.get(r.runId);
      if (r.state === 'running' || saved?.state === 'running' || this.runs.saveProblem(r.runId))
        byId.set(r.runId, r);
    }
    return { runs: [...byId.values()], problems };
  }

  private async allSweeps(): Promise<{ sweeps: SweepRecord[]; problems: Problem[] }> {
    const { sweeps, problems } = await this.sweeps.files.list();
    const listed = new Set(sweeps.map((s) => s.sweepId));
    // A record that could not be saved shows from memory, even when its file is missing or unreadable.
    const unsaved = this.sweeps.unsavedRecords().filter((s) => !listed.has(s.sweepId));
    return {
      sweeps: [...sweeps.map((s) => this.sweeps.live(s.sweepId) ?? s), ...unsaved],
      // Its file being unreadable is the write problem the user has been told of; the entry is not skipped.
      problems: problems.filter((p) => !this.sweeps.saveProblem(p.id)),
    };
  }

  async list(filter: HistoryFilter = {}): Promise<HistoryList> {
    const [r, s] = await Promise.all([this.allRuns(), this.allSweeps()]);
    const owner = sweepOfRuns(s.sweeps);
    const all: HistoryEntry[] = [
      ...r.runs.map((x) => runEntry(x, this.host, owner.get(x.runId) ?? null, this.isLiveRun(x.runId))),
      ...s.sweeps.map((x) => sweepEntry(x, this.sweeps.isRunning(x.sweepId))),
    ].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
    const hits = all.filter((e) => matches(e, filter));
    return {
      entries: filter.limit ? hits.slice(0, filter.limit) : hits,
      problems: [...r.problems, ...s.problems],
      total: hits.length,
    };
  }

  async getRun(id: string): Promise<RunInfo> {
    if (this.isLiveRun(id)) return this.runs.get(id);
    // A run this engine has just finished may still be writing its run.json (even its first one, for a run
    // that ended at once): read the file once those writes have landed, not before.
    await this.runs.waitFor(id).catch(() => undefined);
    // Not on disk as it ended (the write failed): memory holds the only copy.
    if (this.runs.saveProblem(id)) return this.runs.get(id);
    let saved: RunInfo;
    try {
      saved = await this.runFiles.load(id);
    } catch (e) {
      throw new HistoryError((e as Error).message, 'not-found');
    }
    if (saved.state !== 'running') return saved;
    try {
      return this.runs.get(id); // fresher than a file whose final write has not landed yet
    } catch {
      return saved;
    }
  }

  async get(kind: 'run' | 'sweep', id: string): Promise<HistoryDetail> {
    if (kind === 'sweep') return { kind, sweep: await this.sweeps.get(id) };
    const run = await this.getRun(id);
    const { sweeps } = await this.allSweeps();
    return { kind, run, sweepId: sweepOfRuns(sweeps).get(id) ?? null };
  }

  async delete(kind: 'run' | 'sweep', id: string): Promise<void> {
    if (kind === 'run') {
      if (this.isLiveRun(id)) throw new HistoryError(`run ${id} is still running: stop it first`, 'busy');
      // Its final run.json write must land before the folder goes, or that write would bring it back.
      await this.runs.waitFor(id).catch(() => undefined);
      await this.runFiles.remove(id);
      this.runs.forget(id);
    } else {
      if (this.sweeps.isRunning(id))
        throw new HistoryError(`sweep ${id} is still running: cancel it first`, 'busy');
      await this.sweeps.files.remove(id);
      this.sweeps.forget(id);
    }
  }

  async compare(a: string, b: string): Promise<RunComparison> {
    const [ra, rb] = await Promise.all([this.getRun(a), this.getRun(b)]);
    const { sweeps } = await this.allSweeps();
    const owner = sweepOfRuns(sweeps);
    const entry = (r: RunInfo) => runEntry(r, this.host, owner.get(r.runId) ?? null, this.isLiveRun(r.runId));
    return compareRuns(ra, rb, entry(ra), entry(rb));
  }

  /**
   * CSV: one line per entry, or per row for one sweep. JSON: the full saved records (settings, host, times,
   * results, log paths) so another tool, or a later AIO Tuner, can read everything back.
   */
  async export(p: {
    format: 'csv' | 'json';
    ids?: string[];
    sweepId?: string;
    filter?: HistoryFilter;
  }): Promise<ExportFile> {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    if (p.sweepId) {
      const s = await this.sweeps.get(p.sweepId);
      return p.format === 'csv'
        ? { fileName: `aio-sweep-${s.sweepId}.csv`, mime: 'text/csv', text: rowsToCsv(s.rows) }
        : {
            fileName: `aio-sweep-${s.sweepId}.json`,
            mime: 'application/json',
            // The sweep's record as its file holds it (stamped with its schemaVersion).
            text: recordText('sweep', s),
          };
    }
    const { entries } = await this.list(p.filter ?? {});
    const chosen = p.ids ? entries.filter((e) => p.ids!.includes(e.id)) : entries;
    if (p.format === 'csv')
      return { fileName: `aio-history-${stamp}.csv`, mime: 'text/csv', text: entriesToCsv(chosen) };
    const runs = await Promise.all(chosen.filter((e) => e.kind === 'run').map((e) => this.getRun(e.id)));
    const sweeps = await Promise.all(
      chosen.filter((e) => e.kind === 'sweep').map((e) => this.sweeps.get(e.id)),
    );
    const doc = { exportedAt: new Date().toISOString(), host: this.host, runs, sweeps };
    return {
      fileName: `aio-history-${stamp}.json`,
      mime: 'application/json',
      text: recordText('history-export', doc),
    };
  }
}
