/**
 * The settings being edited in the app, kept by the engine so a page reload or an app restart finds the form as
 * it was left (`<data dir>/draft.json`); a new tab opened meanwhile starts fresh. Writes are atomic and coalesced: a burst of edits (typing) costs one
 * write in flight plus the latest one, never a queue. A draft a newer AIO Tuner wrote is reported and never
 * written over: edits are then kept in memory only.
 */
import { join } from 'node:path';
import { JsonFileError, readJsonFile, writeFileAtomic } from '../util/atomic';
import { readRecord, recordText } from '../util/records';
import { RunSettingsSchema } from '../command/schema';
import type { RunSettings } from '../shared/command';

export interface DraftRead {
  /** null: no draft yet, or the file could not be used (then `problem` says why). */
  settings: RunSettings | null;
  problem: string | null;
}

export class DraftStore {
  readonly path: string;
  /** The last draft set in this process: what get() answers even while its write is still going. */
  private current: RunSettings | null = null;
  private pending: RunSettings | null = null;
  private writing: Promise<void> | null = null;
  private handedOut = false;
  /** Why draft.json is left alone (a newer AIO Tuner wrote it); undefined until the file has been looked at. */
  private newer: string | null | undefined;

  constructor(home: string) {
    this.path = join(home, 'draft.json');
  }

  /**
   * The saved form for a page that reloads, and for the first page after the app (re)started; any other page is
   * a new tab and starts with a fresh form.
   */
  async get(reload: boolean): Promise<DraftRead> {
    const first = !this.handedOut;
    this.handedOut = true;
    // Every page hears that its edits are not saved, a new tab too.
    const newer = await this.newerFile();
    if (!reload && !first) return { settings: null, problem: newer };
    if (this.current) return { settings: this.current, problem: newer };
    try {
      return { settings: await readJsonFile(this.path, validDraft), problem: null };
    } catch (e) {
      if (e instanceof JsonFileError && e.kind === 'missing') return { settings: null, problem: null };
      if (e instanceof JsonFileError && e.kind === 'newer') return { settings: null, problem: newer };
      // A draft is a convenience: a damaged one is reported and the form starts fresh (the next edit replaces it).
      return {
        settings: null,
        problem: `the saved form was not used: ${(e as Error).message}`,
      };
    }
  }

  /** Resolves once a write holding these settings (or later ones) is on disk. */
  async set(settings: RunSettings): Promise<void> {
    this.current = settings;
    this.pending = settings;
    this.writing ??= this.flush();
    await this.writing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending) {
        const s = this.pending;
        this.pending = null;
        if (await this.newerFile()) continue;
        await writeFileAtomic(this.path, recordText('draft', s));
      }
    } finally {
      this.writing = null;
    }
  }

  /**
   * Whether draft.json is a newer AIO Tuner's (then the reason, said to the user). Looked at once, before the
   * first write: after that the file holds what this process wrote.
   */
  private async newerFile(): Promise<string | null> {
    if (this.newer !== undefined) return this.newer;
    try {
      await readJsonFile(this.path, (d) => readRecord('draft', d));
      this.newer = null;
    } catch (e) {
      this.newer =
        e instanceof JsonFileError && e.kind === 'newer'
          ? `the saved form is left as it is and edits here are not kept: ${e.message}`
          : null;
    }
    return this.newer;
  }
}

/** RunSettings, or an error naming the first bad field (zod's own message is a JSON dump). */
function validDraft(data: unknown): RunSettings {
  const r = RunSettingsSchema.safeParse(readRecord('draft', data));
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new Error(`${issue?.path.join('.') || 'settings'}: ${issue?.message ?? 'invalid'}`);
}
