/**
 * Saved runs straight from disk (<home>/runs/<id>/run.json, written by the RunManager). Reading the files
 * rather than the manager's memory lets history report a corrupt entry by name, and see deletions at once.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { RunSettingsSchema } from '../command/schema';
import type { RunInfo } from '../shared/run';
import { readJsonFile } from '../util/atomic';
import { readRecord } from '../util/records';
import { childPath, isSafeSegment } from '../util/pathsegment';
import type { Problem } from '../shared/history';

const RunInfoSchema = z.looseObject({
  runId: z.string().min(1),
  logFile: z.string(),
  startedAt: z.string(),
  argv: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  settings: RunSettingsSchema,
  state: z.enum(['running', 'exited']),
  outcome: z.looseObject({ exitCode: z.number().nullable(), logFile: z.string() }).nullable(),
});

/**
 * run.json's content brought to today's shape, otherwise as written so fields added later survive. The one
 * reader of run records: the manager's startup takes them like this (a run history cannot show in full is still
 * listed, as before), history validates them further with `parseRunRecord`.
 */
export function runRecordOf(data: unknown): RunInfo {
  return readRecord('run', data) as RunInfo;
}

/** `runRecordOf`, validated for the fields history relies on; throws naming what is wrong. */
export function parseRunRecord(data: unknown): RunInfo {
  const run = runRecordOf(data);
  RunInfoSchema.parse(run);
  return run;
}

export class RunFiles {
  constructor(readonly dir: string) {}

  dirOf(id: string): string {
    return childPath(this.dir, 'run id', id);
  }

  async load(id: string): Promise<RunInfo> {
    return readJsonFile(join(this.dirOf(id), 'run.json'), parseRunRecord);
  }

  async list(): Promise<{ runs: RunInfo[]; problems: Problem[] }> {
    let ids: string[];
    try {
      ids = await readdir(this.dir);
    } catch {
      return { runs: [], problems: [] };
    }
    const runs: RunInfo[] = [];
    const problems: Problem[] = [];
    for (const id of ids) {
      if (!isSafeSegment(id)) continue;
      try {
        runs.push(await this.load(id));
      } catch (e) {
        // A folder still being created by a starting run has no run.json yet: not a problem.
        if ((e as { kind?: string }).kind === 'missing') continue;
        problems.push({
          kind: 'run',
          id,
          path: join(this.dir, id, 'run.json'),
          message: (e as Error).message,
        });
      }
    }
    return { runs, problems };
  }

  async remove(id: string): Promise<void> {
    // Retries cover a last run.json write still landing in the folder while it is removed.
    await rm(this.dirOf(id), { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}
