/**
 * Saved RunSettings ("profiles"), one JSON file per profile in a directory (normally `<dataDir>/profiles`).
 * Files are written atomically and validated on every read. A file that fails to parse is moved aside as
 * `<file>.corrupt-<timestamp>` and reported, so a bad file neither blocks the list nor disappears. A file a newer
 * AIO Tuner wrote is reported and left exactly where it is: never moved aside, never saved over.
 */
import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { RunSettingsSchema } from '../command/schema';
import type { RunSettings } from '../shared/command';
import { writeFileAtomic } from '../util/atomic';
import { NewerRecordError, readRecord, recordText } from '../util/records';
import { dataDir } from '../util/datadir';
import { decodeSegment, encodeSegment, encodedChildPath } from '../util/pathsegment';

export const PROFILE_FORMAT = 'aio-tuner-profile';
export const BUNDLE_FORMAT = 'aio-tuner-profiles';

const ProfileFileSchema = z.object({
  format: z.literal(PROFILE_FORMAT),
  version: z.literal(1),
  name: z.string(),
  savedAt: z.string(),
  settings: RunSettingsSchema,
});

/** Shapes accepted on import: our own file, a bundle, or the API's `{ name, settings }` export. */
const NamedSettingsSchema = z.object({
  name: z.string(),
  settings: z.unknown(),
  savedAt: z.string().optional(),
});
const BundleSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(1),
  profiles: z.array(z.unknown()),
});

export interface ProfileEntry {
  name: string;
  savedAt?: string;
  /** Set when the profile could not be read; the file was moved to `movedTo` (unless a newer AIO Tuner wrote it). */
  error?: string;
  movedTo?: string;
}

export interface ImportResult {
  imported: ProfileEntry[];
  errors: { name: string; error: string }[];
}

export type ConflictPolicy = 'rename' | 'overwrite' | 'skip';

export class ProfileError extends Error {
  constructor(
    message: string,
    readonly kind:
      'not-found' | 'corrupt' | 'newer' | 'invalid-name' | 'invalid-settings' | 'exists' | 'invalid-import',
  ) {
    super(message);
    this.name = 'ProfileError';
  }
}

const MAX_NAME = 200;
const MAX_FILE_BASE = 240;

/**
 * File name for a profile name: the shared reversible encoding of app/util/pathsegment.ts (letters, digits, `_`
 * and `-` stay, every other UTF-8 byte is `%XX`), so no name can reach outside the profiles folder.
 */
export function profileFileBase(name: string): string {
  return encodeSegment(name);
}

export function profileNameFromFile(base: string): string | null {
  return decodeSegment(base);
}

/**
 * The one form a profile name is kept in: Unicode NFC, so "café" typed with a composed é and with e + U+0301
 * (what macOS file names and some keyboards produce) is one profile, not two look-alikes.
 */
export function profileName(name: string): string {
  return name.normalize('NFC');
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

export class ProfileStore {
  private readonly now: () => Date;

  /** `dir` holds the profile files themselves (e.g. `<dataDir>/profiles`). */
  constructor(
    readonly dir: string,
    opts: { now?: () => Date } = {},
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  /** The store at its normal place, `<dataDir>/profiles`. */
  static default(): ProfileStore {
    return new ProfileStore(join(dataDir(), 'profiles'));
  }

  pathFor(name: string): string {
    return encodedChildPath(this.dir, 'profile name', checkName(profileName(name)), '.json');
  }

  /** All profiles, sorted by name. Unreadable files are moved aside and listed with `error` and `movedTo`. */
  async list(): Promise<ProfileEntry[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: ProfileEntry[] = [];
    const present = new Set(files);
    for (let file of files) {
      if (!file.endsWith('.json') || file.startsWith('.')) continue;
      const raw = profileNameFromFile(file.slice(0, -'.json'.length));
      const name = raw === null ? file : profileName(raw);
      if (raw !== null && raw !== name) {
        // Saved before names were normalised: move it to its NFC file, unless a look-alike already holds that.
        const nfcFile = `${profileFileBase(name)}.json`;
        if (present.has(nfcFile)) {
          out.push({
            name: raw,
            error: `same name as profile "${name}" in another Unicode form; rename or delete ${join(this.dir, file)}`,
          });
          continue;
        }
        try {
          await rename(join(this.dir, file), join(this.dir, nfcFile));
          present.add(nfcFile);
          file = nfcFile;
        } catch {
          // left under its old name; it still lists and loads by that file
        }
      }
      const r = await this.readFile(join(this.dir, file));
      if (r.ok) out.push({ name, savedAt: r.savedAt });
      else if (!r.missing) out.push({ name, error: r.error, movedTo: r.movedTo });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Files moved aside earlier because they were corrupt (kept for the user to inspect or delete). */
  async corruptFiles(): Promise<string[]> {
    try {
      return (await readdir(this.dir))
        .filter((f) => /\.json\.corrupt-/.test(f))
        .map((f) => join(this.dir, f));
    } catch {
      return [];
    }
  }

  async save(given: string, settings: RunSettings): Promise<ProfileEntry> {
    const name = profileName(given);
    const path = this.pathFor(name);
    const parsed = RunSettingsSchema.safeParse(settings);
    if (!parsed.success)
      throw new ProfileError(`settings are not valid: ${z.prettifyError(parsed.error)}`, 'invalid-settings');
    // Case-insensitive file systems (macOS, Windows) would make "Fast" overwrite "fast".
    const clash = (await this.list()).find(
      (p) => p.name !== name && p.name.toLowerCase() === name.toLowerCase(),
    );
    if (clash)
      throw new ProfileError(
        `a profile named "${clash.name}" already exists (names differ only in case)`,
        'exists',
      );
    // What a newer AIO Tuner saved under this name may hold more than this version knows: it is not replaced.
    const held = await this.readFile(path, { moveAside: false });
    if (!held.ok && !held.missing && held.newer)
      throw new ProfileError(`profile "${name}" is not replaced: ${held.error}`, 'newer');
    const savedAt = this.now().toISOString();
    const file = { format: PROFILE_FORMAT, version: 1, name, savedAt, settings: parsed.data };
    await writeFileAtomic(path, recordText('profile', file));
    return { name, savedAt };
  }

  async load(given: string): Promise<RunSettings> {
    const name = profileName(given);
    const r = await this.readFile(this.pathFor(name));
    if (r.ok) return r.settings;
    if (r.missing === true) throw new ProfileError(`no profile named "${name}"`, 'not-found');
    if (r.newer) throw new ProfileError(`profile "${name}" cannot be used: ${r.error}`, 'newer');
    throw new ProfileError(
      `profile "${name}" is corrupt (${r.error}); it was moved to ${r.movedTo}`,
      'corrupt',
    );
  }

  async delete(given: string): Promise<void> {
    const name = profileName(given);
    try {
      await unlink(this.pathFor(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new ProfileError(`no profile named "${name}"`, 'not-found');
      throw e;
    }
  }

  async exists(name: string): Promise<boolean> {
    const r = await this.readFile(this.pathFor(name), { moveAside: false });
    return !('missing' in r && r.missing);
  }

  /** The bundle text for `names` (all profiles when omitted). */
  async exportJson(names?: string[]): Promise<{ json: string; exported: string[] }> {
    const wanted = names?.map(profileName) ?? (await this.list()).filter((p) => !p.error).map((p) => p.name);
    const profiles = [];
    for (const name of wanted) profiles.push({ name, settings: await this.load(name) });
    const bundle = { format: BUNDLE_FORMAT, version: 1, exportedAt: this.now().toISOString(), profiles };
    return { json: recordText('profile-bundle', bundle), exported: wanted };
  }

  /** Write a bundle of `names` (all profiles when omitted) to `file`. */
  async exportTo(file: string, names?: string[]): Promise<string[]> {
    const { json, exported } = await this.exportJson(names);
    await writeFileAtomic(file, json);
    return exported;
  }

  async importFrom(file: string, opts: { onConflict?: ConflictPolicy } = {}): Promise<ImportResult> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new ProfileError(`cannot read ${file}: ${(e as Error).message}`, 'invalid-import');
    }
    return this.importText(text, opts);
  }

  /**
   * Import profiles from JSON text: a bundle, one profile file, or `{ name, settings }`. Name clashes are
   * renamed "name (2)" by default, or overwritten/skipped on request.
   */
  async importText(text: string, opts: { onConflict?: ConflictPolicy } = {}): Promise<ImportResult> {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ProfileError(`not valid JSON: ${(e as Error).message}`, 'invalid-import');
    }
    // A bundle, or one profile (our file or the app's `{name, settings}`), brought to today's shape first.
    const isBundle = (data as { format?: unknown } | null)?.format === BUNDLE_FORMAT;
    try {
      data = readRecord(isBundle ? 'profile-bundle' : 'profile', data);
    } catch (e) {
      const why = e instanceof NewerRecordError ? `this file was ${e.message}` : (e as Error).message;
      throw new ProfileError(why, 'invalid-import');
    }
    const bundle = BundleSchema.safeParse(data);
    const items = bundle.success ? bundle.data.profiles : [data];
    const result: ImportResult = { imported: [], errors: [] };
    for (const item of items) {
      const named = NamedSettingsSchema.safeParse(item);
      if (!named.success) {
        result.errors.push({ name: '?', error: 'expected an object with "name" and "settings"' });
        continue;
      }
      const settings = RunSettingsSchema.safeParse(named.data.settings);
      if (!settings.success) {
        result.errors.push({ name: named.data.name, error: z.prettifyError(settings.error) });
        continue;
      }
      try {
        const name = await this.freeName(named.data.name, opts.onConflict ?? 'rename');
        if (name === null) {
          result.errors.push({ name: named.data.name, error: 'a profile with this name exists (skipped)' });
          continue;
        }
        result.imported.push(await this.save(name, settings.data));
      } catch (e) {
        result.errors.push({ name: named.data.name, error: (e as Error).message });
      }
    }
    return result;
  }

  /** Import from text and return the first imported profile (the API imports one at a time). */
  async importJson(text: string): Promise<ProfileEntry> {
    const r = await this.importText(text);
    const first = r.imported[0];
    if (!first)
      throw new ProfileError(
        r.errors.map((e) => `${e.name}: ${e.error}`).join('; ') || 'nothing to import',
        'invalid-import',
      );
    return first;
  }

  private async freeName(given: string, policy: ConflictPolicy): Promise<string | null> {
    const name = checkName(profileName(given));
    const taken = new Set((await this.list()).map((p) => p.name.toLowerCase()));
    if (!taken.has(name.toLowerCase()) || policy === 'overwrite') return name;
    if (policy === 'skip') return null;
    for (let k = 2; ; k++) {
      const candidate = `${name} (${k})`;
      if (!taken.has(candidate.toLowerCase())) return candidate;
    }
  }

  private async readFile(
    path: string,
    opts: { moveAside?: boolean } = {},
  ): Promise<
    | { ok: true; settings: RunSettings; savedAt: string }
    | { ok: false; missing: true }
    | { ok: false; missing?: false; newer?: boolean; error: string; movedTo?: string }
  > {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, missing: true };
      return { ok: false, error: (e as Error).message };
    }
    let error: string;
    try {
      const parsed = ProfileFileSchema.safeParse(readRecord('profile', JSON.parse(text)));
      if (parsed.success) return { ok: true, settings: parsed.data.settings, savedAt: parsed.data.savedAt };
      error = `unexpected contents: ${z.prettifyError(parsed.error)}`;
    } catch (e) {
      // Left where it is: the file is not broken, this version is too old to read it.
      if (e instanceof NewerRecordError) return { ok: false, newer: true, error: e.message };
      error =
        e instanceof SyntaxError
          ? `not valid JSON: ${e.message}`
          : `unexpected contents: ${(e as Error).message}`;
    }
    if (opts.moveAside === false) return { ok: false, error };
    const movedTo = `${path}.corrupt-${timestamp(this.now())}`;
    try {
      await rename(path, movedTo);
      return { ok: false, error, movedTo };
    } catch (e) {
      return { ok: false, error: `${error} (could not move it aside: ${(e as Error).message})` };
    }
  }
}

function checkName(name: string): string {
  if (name.trim() === '') throw new ProfileError('a profile name cannot be empty', 'invalid-name');
  if (name.length > MAX_NAME)
    throw new ProfileError(`a profile name can have at most ${MAX_NAME} characters`, 'invalid-name');
  if (/[\u0000-\u001f\u007f]/.test(name))
    throw new ProfileError('a profile name cannot contain control characters', 'invalid-name');
  if (profileFileBase(name).length > MAX_FILE_BASE)
    throw new ProfileError('this profile name is too long', 'invalid-name');
  return name;
}
