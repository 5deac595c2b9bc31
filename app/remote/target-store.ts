/**
 * The targets a user added, and which one is active, remembered in <dataDir>/targets.json. "This machine" is
 * always there and never stored. A damaged file is reported, not silently replaced: it may hold hosts the user
 * wants back. So is one a newer AIO Tuner wrote: it is left as it is until that version is back.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { JsonFileError, readJsonFile, writeFileAtomic } from '../util/atomic';
import { readRecord, recordText } from '../util/records';
import type { TargetEntry, TargetList } from '../shared/targets';
import { LOCAL_URL, parseTarget, TargetUrlError, targetLabel, targetUrl } from './url';

export type { TargetEntry, TargetList } from '../shared/targets';

const FileSchema = z
  .object({
    version: z.literal(1),
    active: z.string(),
    targets: z.array(
      z
        .object({
          url: z.string().min(1).max(4096),
          name: z.string().max(200).nullable(),
          addedAt: z.string(),
        })
        .strict(),
    ),
  })
  .strict();
type StoreFile = z.infer<typeof FileSchema>;

export class TargetStore {
  private data: StoreFile = { version: 1, active: LOCAL_URL, targets: [] };
  private problem: string | undefined;
  readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'targets.json');
  }

  async load(): Promise<void> {
    try {
      this.data = await readJsonFile(this.file, (d) => FileSchema.parse(readRecord('targets', d)));
      this.problem = undefined;
    } catch (e) {
      if (e instanceof JsonFileError && e.kind === 'missing') return;
      this.problem =
        e instanceof JsonFileError && e.kind === 'newer'
          ? `${e.message}; it is left as it is`
          : `${(e as Error).message}; fix or delete it to keep your targets`;
    }
  }

  private async save(): Promise<void> {
    // Never overwrite a file we could not read: the user's hosts would be lost.
    if (this.problem) throw new Error(`not saving targets: ${this.problem}`);
    await writeFileAtomic(this.file, recordText('targets', this.data), { mode: 0o600 });
  }

  activeUrl(): string {
    return this.data.active;
  }

  list(): TargetList {
    const entry = (url: string, name: string | null, addedAt: string | null): TargetEntry => {
      const t = parseTarget(url);
      return { url, label: targetLabel(t), kind: t.kind, active: url === this.data.active, name, addedAt };
    };
    const out: TargetList = {
      active: this.data.active,
      targets: [
        entry(LOCAL_URL, null, null),
        ...this.data.targets.map((t) => entry(t.url, t.name, t.addedAt)),
      ],
    };
    if (this.problem) out.problem = this.problem;
    return out;
  }

  /** Add (or rename) a target; returns its canonical URL. Throws TargetUrlError for a bad URL. */
  async add(url: string, given: string | null = null): Promise<string> {
    const canonical = targetUrl(parseTarget(url));
    const name = given === null ? null : targetName(given);
    if (canonical === LOCAL_URL) return canonical;
    const existing = this.data.targets.find((t) => t.url === canonical);
    if (existing) existing.name = name ?? existing.name;
    else this.data.targets.push({ url: canonical, name, addedAt: new Date().toISOString() });
    await this.save();
    return canonical;
  }

  async remove(url: string): Promise<void> {
    const canonical = targetUrl(parseTarget(url));
    if (canonical === LOCAL_URL) throw new Error('this machine is always a target and cannot be removed');
    this.data.targets = this.data.targets.filter((t) => t.url !== canonical);
    if (this.data.active === canonical) this.data.active = LOCAL_URL;
    await this.save();
  }

  /** Make a target the active one (adding it when new). */
  async select(url: string): Promise<string> {
    const canonical = targetUrl(parseTarget(url));
    if (canonical !== LOCAL_URL && !this.data.targets.some((t) => t.url === canonical))
      this.data.targets.push({ url: canonical, name: null, addedAt: new Date().toISOString() });
    this.data.active = canonical;
    await this.save();
    return canonical;
  }
}

/**
 * A target's display name in one form, NFC, so look-alike names are one name. Control characters are refused:
 * the name is printed in terminals and lists, where they would rewrite the line.
 */
export function targetName(given: string): string {
  const name = given.normalize('NFC');
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name))
    throw new TargetUrlError('a target name cannot contain control characters');
  return name;
}
