/**
 * `aio-tuner profiles`: the profiles the app saves (`<data dir>/profiles`), from scripts. Also the two starting
 * points `command`, `run` and `profiles save` share: `--profile NAME` (saved settings) and `--import 'CMDLINE'`
 * (a pasted command line read back by the same parser as the app's Import).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { parse, settingsOptions, settingsFromFlags, sourceOptions, UsageError } from './args';
import { sourceFrom } from './topology';
import { Engine } from '../api/engine';
import type { Topology } from '../shared/topology';
import { parseCommandLine, type RunSettings } from '../command';
import { ProfileError, ProfileStore, profileName, type ConflictPolicy } from '../profiles';
import { parentFolderProblem } from '../util/parentfolder';
import { outputText } from '../util/records';

export const baseOptions = {
  profile: { type: 'string' },
  import: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const MISSING_WORKLOAD = 'missing workload: put it after --, e.g. -- python3 run.py -p fp32';

/**
 * The settings `--profile` or `--import` start from (undefined when neither is given). Notes about what an
 * imported line held that the tool does not model go to stderr, so stdout stays the command itself.
 */
export async function baseSettings(
  v: { profile?: string; import?: string },
  t: Topology,
  store: ProfileStore = ProfileStore.default(),
): Promise<RunSettings | undefined> {
  if (v.profile !== undefined && v.import !== undefined)
    throw new UsageError("use either --profile NAME or --import 'CMDLINE', not both");
  if (v.profile !== undefined) return loadProfile(store, v.profile);
  if (v.import === undefined) return undefined;
  if (v.import.trim() === '') throw new UsageError('--import: the command line is empty');
  const { settings, notes } = parseCommandLine(v.import, t);
  for (const n of notes) process.stderr.write(`aio-tuner: --import: ${n}\n`);
  return settings;
}

async function loadProfile(store: ProfileStore, name: string): Promise<RunSettings> {
  try {
    return await store.load(name);
  } catch (e) {
    throw await asUsage(store, e, '--profile');
  }
}

/** Unknown or malformed names are the user's typo (exit 2, listing what exists); corrupt files stay exit 1. */
async function asUsage(store: ProfileStore, e: unknown, what: string): Promise<unknown> {
  if (!(e instanceof ProfileError)) return e;
  if (e.kind === 'invalid-name') return new UsageError(`${what}: ${e.message}`);
  if (e.kind !== 'not-found') return new Error(oneLine(e.message));
  const names = (await store.list()).filter((p) => !p.error).map((p) => p.name);
  return new UsageError(
    `${what}: ${e.message} (${names.length ? `saved: ${names.map((n) => JSON.stringify(n)).join(', ')}` : `no profiles saved in ${store.dir}`})`,
  );
}

/** Parser messages quote the file's text, newlines included; a report line must stay one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Split at the first `--`: options (and the action's own words) before it, the workload after it. */
function splitWorkload(argv: string[]): { opts: string[]; workload: string[] } {
  const end = argv.indexOf('--');
  return end < 0 ? { opts: argv, workload: [] } : { opts: argv.slice(0, end), workload: argv.slice(end + 1) };
}

export const PROFILES_LIST_OPTIONS = { json: { type: 'boolean' } } as const;
export const PROFILES_SAVE_OPTIONS = { ...sourceOptions, ...baseOptions, ...settingsOptions } as const;
export const PROFILES_EXPORT_OPTIONS = { out: { type: 'string' } } as const;
export const PROFILES_IMPORT_OPTIONS = {
  'on-conflict': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function profilesCommand(argv: string[]): Promise<number> {
  const action = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : 'list';
  const rest = action === argv[0] ? argv.slice(1) : argv;
  const actions: Record<string, (store: ProfileStore, argv: string[]) => Promise<number>> = {
    list,
    export: exportProfiles,
    import: importProfiles,
    delete: remove,
  };
  if (action === 'save') return save(rest);
  const fn = actions[action];
  if (!fn)
    throw new UsageError(`unknown profiles action "${action}" (try: list, save, export, import, delete)`);
  // The engine's store: the profiles the window and `--profile` see.
  const engine = new Engine({ shell: 'browser' });
  try {
    return await fn(engine.profiles, rest);
  } finally {
    await engine.dispose();
  }
}

function noExtra(positionals: string[], what: string): void {
  if (positionals.length > 0) throw new UsageError(`${what}: unexpected argument "${positionals[0]}"`);
}

function reportCorrupt(entries: { name: string; error?: string; movedTo?: string }[]): void {
  for (const p of entries)
    if (p.error)
      process.stderr.write(
        `aio-tuner: profile "${p.name}" could not be read (${oneLine(p.error)})${p.movedTo ? `; moved to ${p.movedTo}` : ''}\n`,
      );
}

async function list(store: ProfileStore, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, PROFILES_LIST_OPTIONS);
  noExtra(positionals, 'profiles list');
  const entries = await store.list();
  reportCorrupt(entries);
  if (values.json) {
    // An array: each entry carries the schemaVersion (app/util/records.ts).
    process.stdout.write(outputText('profiles-list', entries));
    return 0;
  }
  const ok = entries.filter((p) => !p.error);
  if (ok.length === 0) process.stderr.write(`aio-tuner: no profiles saved in ${store.dir}\n`);
  const width = Math.max(0, ...ok.map((p) => p.name.length));
  for (const p of ok) process.stdout.write(`${p.name.padEnd(width)}  ${p.savedAt ?? ''}`.trimEnd() + '\n');
  return 0;
}

async function save(argv: string[]): Promise<number> {
  const { opts, workload } = splitWorkload(argv);
  const { values, positionals } = parse(opts, PROFILES_SAVE_OPTIONS);
  const [given, ...extra] = positionals;
  if (given === undefined) throw new UsageError('profiles save: give a NAME, e.g. profiles save fast-node1');
  // Names are kept in NFC (as the store keeps them), so what is printed is the name that was saved.
  const name = profileName(given);
  if (extra.length > 0)
    throw new UsageError(`profiles save: unexpected argument "${extra[0]}" (the workload goes after --)`);
  if (workload.length === 0 && values.profile === undefined && values.import === undefined)
    throw new UsageError(MISSING_WORKLOAD);
  // The map the settings are read against is the one --target names, as for command and run.
  const engine = new Engine({ shell: 'browser', ...sourceFrom(values) });
  try {
    return await saveOn(engine, name, values, workload);
  } finally {
    await engine.dispose();
  }
}

async function saveOn(
  engine: Engine,
  name: string,
  values: ReturnType<typeof parse<typeof PROFILES_SAVE_OPTIONS>>['values'],
  workload: string[],
): Promise<number> {
  const store = engine.profiles;
  const t = await engine.getTopology();
  const base = await baseSettings(values, t, store);
  const settings = settingsFromFlags(values, workload, t, base);
  if (settings.workload.length === 0) throw new UsageError(MISSING_WORKLOAD);
  const existed = await store.exists(name).catch(() => false);
  try {
    await store.save(name, settings);
  } catch (e) {
    throw await asUsage(store, e, 'profiles save');
  }
  process.stdout.write(`${existed ? 'replaced' : 'saved'} profile "${name}" (${store.pathFor(name)})\n`);
  return 0;
}

async function exportProfiles(store: ProfileStore, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, PROFILES_EXPORT_OPTIONS);
  if (values.out === '') throw new UsageError('--out needs a file name');
  const names = positionals.length > 0 ? positionals.map(profileName) : undefined;
  for (const name of names ?? []) {
    try {
      await store.load(name);
    } catch (e) {
      throw await asUsage(store, e, 'profiles export');
    }
  }
  if (values.out === undefined) {
    process.stdout.write((await store.exportJson(names)).json);
    return 0;
  }
  const problem = parentFolderProblem(values.out);
  if (problem) throw new UsageError(`--out ${values.out}: ${problem}`);
  const file = resolve(values.out);
  const exported = await store.exportTo(file, names);
  process.stdout.write(`exported ${exported.length} profile${exported.length === 1 ? '' : 's'} to ${file}\n`);
  return 0;
}

async function importProfiles(store: ProfileStore, argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, PROFILES_IMPORT_OPTIONS);
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('profiles import: give the FILE to import');
  noExtra(extra, 'profiles import');
  const policy = (values['on-conflict'] ?? 'rename') as ConflictPolicy;
  if (!['rename', 'overwrite', 'skip'].includes(policy))
    throw new UsageError(`--on-conflict must be rename, overwrite or skip, got "${values['on-conflict']}"`);
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`profiles import: ${file} is a directory`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`profiles import: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const r = await store.importFrom(file, { onConflict: policy });
  // With --on-conflict skip, leaving a taken name alone is what was asked for, not a failure.
  const skipped = r.errors.filter((e) => policy === 'skip' && /\(skipped\)$/.test(e.error));
  const failed = r.errors.filter((e) => !skipped.includes(e));
  if (values.json) {
    process.stdout.write(
      outputText('profiles-import', { imported: r.imported.map((p) => p.name), skipped, errors: failed }),
    );
  } else {
    for (const p of r.imported) process.stdout.write(`imported profile "${p.name}"\n`);
    for (const e of skipped) process.stderr.write(`aio-tuner: skipped "${e.name}": the name is taken\n`);
  }
  for (const e of failed) process.stderr.write(`aio-tuner: could not import "${e.name}": ${e.error}\n`);
  return failed.length > 0 ? 1 : 0;
}

async function remove(store: ProfileStore, argv: string[]): Promise<number> {
  const { positionals: given } = parse(argv, {});
  if (given.length === 0) throw new UsageError('profiles delete: give the NAME of a profile');
  const positionals = given.map(profileName);
  // Every name is checked before any is deleted, so a typo in the second name leaves the first one alone.
  for (const name of positionals) {
    try {
      if (!(await store.exists(name))) throw new ProfileError(`no profile named "${name}"`, 'not-found');
    } catch (e) {
      throw await asUsage(store, e, 'profiles delete');
    }
  }
  for (const name of positionals) {
    try {
      await store.delete(name);
    } catch (e) {
      throw await asUsage(store, e, 'profiles delete');
    }
    process.stdout.write(`deleted profile "${name}"\n`);
  }
  return 0;
}
