/**
 * Sweep records on disk: <home>/sweeps/<id>.json, written atomically after every row so a crash or a kill
 * loses at most the run in progress. Per-point RESULTS_DIR dumps live next to it in <home>/sweeps/<id>/.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from '../util/atomic';
import { childPath } from '../util/pathsegment';
import { readRecord, recordText } from '../util/records';
import { SweepRecordSchema } from './schema';
import type { Problem } from '../shared/history';
import type { SweepRecord } from '../shared/sweep';

export type { Problem };

export class SweepFiles {
  constructor(readonly dir: string) {}

  fileOf(id: string): string {
    // Ids come from the UI too: never let one escape the directory.
    return `${childPath(this.dir, 'sweep id', id)}.json`;
  }

  /** Folder for the sweep's RESULTS_DIR dumps. */
  dataDirOf(id: string): string {
    return childPath(this.dir, 'sweep id', id);
  }

  async save(r: SweepRecord): Promise<void> {
    await writeFileAtomic(this.fileOf(r.sweepId), recordText('sweep', r));
  }

  async load(id: string): Promise<SweepRecord> {
    return readJsonFile(this.fileOf(id), (d): SweepRecord => {
      const r = readRecord('sweep', d);
      SweepRecordSchema.parse(r);
      return r as SweepRecord;
    });
  }

  /** Every readable record, newest first; unreadable ones are reported, never thrown. */
  async list(): Promise<{ sweeps: SweepRecord[]; problems: Problem[] }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch {
      return { sweeps: [], problems: [] };
    }
    const sweeps: SweepRecord[] = [];
    const problems: Problem[] = [];
    for (const name of names) {
      const id = name.slice(0, -5);
      try {
        sweeps.push(await this.load(id));
      } catch (e) {
        problems.push({ kind: 'sweep', id, path: join(this.dir, name), message: (e as Error).message });
      }
    }
    sweeps.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    return { sweeps, problems };
  }

  async remove(id: string): Promise<void> {
    await rm(this.fileOf(id), { force: true });
    await rm(this.dataDirOf(id), { recursive: true, force: true });
  }
}
