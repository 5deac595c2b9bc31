// Versioned records (app/util/records.ts) in the stores the user edits: profiles, the target list and the app's
// form. Files from before schemaVersion still read, every write stamps it, and a file a newer AIO Tuner wrote is
// reported and never moved, replaced or rewritten.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileError, ProfileStore } from '../../app/profiles';
import { TargetStore } from '../../app/remote/target-store';
import { DraftStore } from '../../app/api/draft';
import { defaultSettings } from '../../app/command';

const tmp = mkdtempSync(join(tmpdir(), 'aio-records-stores-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const home = () => mkdtempSync(join(tmp, `h${n++}-`));
const settings = { ...defaultSettings(), cpus: [0, 1], workload: ['python3', 'run.py'] };
const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;

describe('profiles', () => {
  test('a profile file from before schemaVersion lists and loads; saving and exporting stamp it', async () => {
    const dir = join(home(), 'profiles');
    mkdirSync(dir);
    const old = { format: 'aio-tuner-profile', version: 1, name: 'old', savedAt: '2026-01-01T00:00:00.000Z' };
    writeFileSync(join(dir, 'old.json'), json({ ...old, settings }));
    const store = new ProfileStore(dir);
    assert.deepEqual(await store.list(), [{ name: 'old', savedAt: old.savedAt }]);
    assert.deepEqual(await store.load('old'), settings);

    await store.save('fresh', settings);
    const file = read(store.pathFor('fresh'));
    assert.deepEqual(Object.keys(file), [
      'schemaVersion',
      'format',
      'version',
      'name',
      'savedAt',
      'settings',
    ]);
    assert.equal(file.schemaVersion, 1);
    assert.equal(file.version, 1, 'the format version stays as it was');
    const bundle = JSON.parse((await store.exportJson()).json) as Record<string, unknown>;
    assert.equal(bundle.schemaVersion, 1);
    assert.equal(bundle.format, 'aio-tuner-profiles');
  });

  test('an export from before schemaVersion imports', async () => {
    const store = new ProfileStore(join(home(), 'profiles'));
    const old = {
      format: 'aio-tuner-profiles',
      version: 1,
      exportedAt: 'x',
      profiles: [{ name: 'a', settings }],
    };
    const r = await store.importText(JSON.stringify(old));
    assert.deepEqual(
      r.imported.map((p) => p.name),
      ['a'],
    );
  });

  test('a profile a newer AIO Tuner wrote is listed with the reason, stays in place, and is never saved over', async () => {
    const dir = join(home(), 'profiles');
    mkdirSync(dir);
    const newer = json({
      schemaVersion: 2,
      format: 'aio-tuner-profile',
      name: 'next',
      settings: { v2: true },
    });
    const path = join(dir, 'next.json');
    writeFileSync(path, newer);
    const store = new ProfileStore(dir);

    const [entry] = await store.list();
    assert.equal(entry?.name, 'next');
    assert.match(
      entry?.error ?? '',
      /^written by a newer AIO Tuner: schemaVersion 2, this version reads up to 1/,
    );
    assert.equal(entry?.movedTo, undefined, 'not moved aside');
    await assert.rejects(
      store.load('next'),
      (e: unknown) => e instanceof ProfileError && e.kind === 'newer' && /newer AIO Tuner/.test(e.message),
    );
    await assert.rejects(store.save('next', settings), (e: unknown) => (e as ProfileError).kind === 'newer');
    const imported = await store.importText(JSON.stringify({ name: 'next', settings }), {
      onConflict: 'overwrite',
    });
    assert.equal(imported.imported.length, 0);
    assert.match(imported.errors[0]?.error ?? '', /not replaced: written by a newer AIO Tuner/);
    assert.equal(readFileSync(path, 'utf8'), newer);
    assert.deepEqual(readdirSync(dir), ['next.json']);
  });

  test('an export a newer AIO Tuner wrote is refused as a whole, naming why', async () => {
    const store = new ProfileStore(join(home(), 'profiles'));
    const text = JSON.stringify({ schemaVersion: 5, format: 'aio-tuner-profiles', profiles: [] });
    await assert.rejects(
      store.importText(text),
      (e: unknown) =>
        (e as ProfileError).kind === 'invalid-import' && /newer AIO Tuner/.test((e as Error).message),
    );
  });
});

describe('target list', () => {
  test('targets.json from before schemaVersion reads; a change stamps it', async () => {
    const dir = home();
    const old = {
      version: 1,
      active: 'local',
      targets: [{ url: 'ssh://me@lab', name: 'lab', addedAt: 'x' }],
    };
    writeFileSync(join(dir, 'targets.json'), json(old));
    const store = new TargetStore(dir);
    await store.load();
    assert.equal(store.list().problem, undefined);
    assert.deepEqual(
      store.list().targets.map((t) => t.name),
      [null, 'lab'],
    );
    await store.add('docker://box');
    const file = read(join(dir, 'targets.json'));
    assert.equal(file.schemaVersion, 1);
    assert.equal(file.version, 1);
    assert.equal((file.targets as unknown[]).length, 2);
  });

  test('a targets.json a newer AIO Tuner wrote is reported and left as it is', async () => {
    const dir = home();
    const newer = json({ schemaVersion: 2, active: 'local', targets: [], groups: [] });
    writeFileSync(join(dir, 'targets.json'), newer);
    const store = new TargetStore(dir);
    await store.load();
    assert.match(
      store.list().problem ?? '',
      /targets\.json was written by a newer AIO Tuner: schemaVersion 2/,
    );
    await assert.rejects(store.add('docker://box'), /not saving targets: .*newer AIO Tuner/);
    await assert.rejects(store.select('docker://box'), /not saving targets/);
    assert.equal(readFileSync(join(dir, 'targets.json'), 'utf8'), newer);
  });
});

describe("the app's form (draft.json)", () => {
  test('a draft from before schemaVersion is restored; a write stamps it', async () => {
    const dir = home();
    writeFileSync(join(dir, 'draft.json'), json(settings));
    assert.deepEqual(await new DraftStore(dir).get(false), { settings, problem: null });
    await new DraftStore(dir).set({ ...settings, threads: 2 });
    const file = read(join(dir, 'draft.json'));
    assert.equal(file.schemaVersion, 1);
    assert.equal(file.threads, 2);
  });

  test('a draft a newer AIO Tuner wrote is reported to every page and never written over', async () => {
    const dir = home();
    const newer = json({ schemaVersion: 4, ...settings, layout: 'v4' });
    writeFileSync(join(dir, 'draft.json'), newer);
    const store = new DraftStore(dir);
    // Edits before any page asked (a fast first edit) must not clobber it either.
    await store.set({ ...settings, threads: 3 });
    const first = await store.get(false);
    assert.match(
      first.problem ?? '',
      /edits here are not kept: .*draft\.json was written by a newer AIO Tuner/,
    );
    assert.equal(first.settings?.threads, 3, 'the edits of this session are kept in memory');
    assert.match((await store.get(false)).problem ?? '', /newer AIO Tuner/, 'a new tab hears it too');
    await store.set({ ...settings, threads: 4 });
    assert.equal(readFileSync(join(dir, 'draft.json'), 'utf8'), newer);
    // A fresh start finds the file as the newer version left it, and says so.
    const again = await new DraftStore(dir).get(false);
    assert.equal(again.settings, null);
    assert.match(again.problem ?? '', /newer AIO Tuner/);
  });
});
