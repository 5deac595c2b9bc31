/**
 * A finished run as a bundle's source. The RunManager's run.json holds what the run really was (settings, the
 * exact argv and environment, outcome, start time); the API (by run id) and the CLI (by log path) both map it
 * here, so a bundle describes that run and not the settings in front of the user now.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { RunInfo } from '../shared/run';
import { RunSettingsSchema } from '../command/schema';
import { JsonFileError, readJsonFile } from '../util/atomic';
import { readRecord } from '../util/records';
import type { FromRun } from './bundle';

/** The fields of run.json a bundle relies on; the rest is kept as written. */
const SavedRunSchema = z.looseObject({
  runId: z.string().min(1),
  logFile: z.string(),
  startedAt: z.string(),
  argv: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()),
  settings: RunSettingsSchema,
  checks: z.array(z.looseObject({ code: z.string(), severity: z.string(), message: z.string() })).optional(),
  state: z.enum(['running', 'exited']),
  outcome: z
    .looseObject({
      exitCode: z.number().nullable(),
      signal: z.string().nullable(),
      durationMs: z.number(),
      peakRssBytes: z.number().nullable(),
    })
    .nullable(),
});

export type SavedRun = Pick<
  RunInfo,
  | 'runId'
  | 'logFile'
  | 'startedAt'
  | 'argv'
  | 'env'
  | 'settings'
  | 'checks'
  | 'state'
  | 'outcome'
  | 'target'
  | 'cwd'
>;

/** The level the run's engine got: what the tool set (null when it left AIO_DEBUG_MODE alone). */
export function savedDebugMode(env: Record<string, string>): number | null {
  const v = env.AIO_DEBUG_MODE;
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : null;
}

/** What createBundle needs from a saved run; `logFile` overrides run.json's when the log was given by path. */
export function fromRunInfo(info: SavedRun, logFile?: string): FromRun {
  return {
    logFile: logFile ?? info.outcome?.logFile ?? info.logFile,
    // The directory the run really used; runs saved before run.json kept it fall back to the bundle's own.
    settings: { ...info.settings, cwd: info.settings.cwd ?? info.cwd ?? null },
    result: info.outcome,
    startedAt: info.startedAt,
    debugMode: savedDebugMode(info.env),
    runId: info.runId,
    argv: info.argv,
    env: info.env,
    ...(info.checks ? { checks: info.checks } : {}),
    // The probe made before that run: what its interpreter had then, not what it has now.
    ...(info.outcome?.engine !== undefined ? { engine: info.outcome.engine } : {}),
  };
}

/** A saved run given by path: its log and, when the run's folder has one, its run.json. */
export interface SavedRunFiles {
  logFile: string;
  /** Null for a plain log (one sent by a colleague, or written with `run --log` outside the run's folder). */
  run: SavedRun | null;
  /** Set when a run.json was found but does not describe this log. */
  ignored?: string;
}

/** Thrown for a path that is not a readable log, or a run.json that cannot be used: the user's input is wrong. */
export class SavedRunError extends Error {}

/**
 * `--from-run PATH`: PATH is the run's log, or its folder (`runs/<id>/`). run.json next to the log describes the
 * run when it names a log of the same file name (a copied folder keeps its run.json but not its paths).
 */
export async function readSavedRun(path: string): Promise<SavedRunFiles> {
  let logFile = resolve(path);
  const st = await stat(logFile).catch((e: NodeJS.ErrnoException) => {
    throw new SavedRunError(`cannot read ${path}: ${e.code ?? e.message}`);
  });
  if (st.isDirectory()) {
    logFile = join(logFile, 'output.log');
    await stat(logFile).catch(() => {
      throw new SavedRunError(`${path} is a folder without an output.log: give the run's log file`);
    });
  }
  const jsonPath = join(dirname(logFile), 'run.json');
  let run: SavedRun;
  try {
    run = await readJsonFile(jsonPath, (d) => {
      const r = SavedRunSchema.safeParse(readRecord('run', d));
      if (r.success) return r.data as unknown as SavedRun;
      throw new Error(
        r.error.issues.map((i) => `${i.path.join('.') || 'top level'}: ${i.message}`).join('; '),
      );
    });
  } catch (e) {
    if (e instanceof JsonFileError && e.kind === 'missing') return { logFile, run: null };
    throw new SavedRunError((e as Error).message);
  }
  const named = run.outcome?.logFile ?? run.logFile;
  if (basename(named) !== basename(logFile))
    return { logFile, run: null, ignored: `${jsonPath} is about ${named}, not this log` };
  return { logFile, run };
}
