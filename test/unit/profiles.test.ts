import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { defaultSettings, type RunSettings } from '../../app/command';
import { profileFileBase, profileNameFromFile, ProfileError, ProfileStore } from '../../app/profiles';
import { JsonFileError, readJsonFile, writeFileAtomic } from '../../app/util/atomic';
import { dataDir } from '../../app/util/datadir';
import { isSafeSegment } from '../../app/util/pathsegment';
import { Engine } from '../../app/api/engine';

const roots: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'aio-profiles-'));
  roots.push(d);
  return d;
}
after(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));

const FIXED = new Date('2024-06-11T10:20:30.456Z');
const sample: RunSettings = {
  ...defaultSettings(),
  cpus: [80, 81, 82, 83],
  threads: 2,
  memPolicy: 'interleave',
  memNodes: [1],
  debugMode: 4,
  env: { AIO_MEM_BIND: '0', GONE: null, ODD: "it's $HOME\n" },
  workload: ['python3', 'run.py', '-m', 'resnet50'],
  cwd: '/opt/aml',
};

describe('ProfileStore', () => {
  let dir: string;
  let store: ProfileStore;
  beforeEach(() => {
    dir = join(tmp(), 'profiles');
    store = new ProfileStore(dir, { now: () => FIXED });
  });

  it('saves, lists, loads and deletes', async () => {
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await store.save('ResNet 4 cores', sample), {
      name: 'ResNet 4 cores',
      savedAt: FIXED.toISOString(),
    });
    await store.save('baseline/engine off', { ...sample, env: { AIO_PROCESS_MODE: '0' } });
    assert.deepEqual(
      (await store.list()).map((p) => p.name),
      ['baseline/engine off', 'ResNet 4 cores'],
    );
    assert.deepEqual(await store.load('ResNet 4 cores'), sample);
    assert.deepEqual(readdirSync(dir).sort(), ['ResNet%204%20cores.json', 'baseline%2Fengine%20off.json']);
    const file = JSON.parse(readFileSync(join(dir, 'ResNet%204%20cores.json'), 'utf8'));
    assert.equal(file.format, 'aio-tuner-profile');
    assert.equal(file.name, 'ResNet 4 cores');
    await store.delete('ResNet 4 cores');
    await assert.rejects(store.load('ResNet 4 cores'), (e: ProfileError) => e.kind === 'not-found');
    await assert.rejects(store.delete('ResNet 4 cores'), (e: ProfileError) => e.kind === 'not-found');
  });

  it('overwrites a profile of the same name', async () => {
    await store.save('a', sample);
    await store.save('a', { ...sample, threads: 1 });
    assert.equal((await store.load('a')).threads, 1);
    assert.equal((await store.list()).length, 1);
  });

  it('rejects bad names and invalid settings', async () => {
    await assert.rejects(store.save('', sample), (e: ProfileError) => e.kind === 'invalid-name');
    await assert.rejects(store.save('a\nb', sample), (e: ProfileError) => e.kind === 'invalid-name');
    await assert.rejects(store.save('x'.repeat(201), sample), (e: ProfileError) => e.kind === 'invalid-name');
    await assert.rejects(
      store.save('ok', { ...sample, threads: 0 }),
      (e: ProfileError) => e.kind === 'invalid-settings',
    );
    await store.save('Fast', sample);
    await assert.rejects(store.save('fast', sample), (e: ProfileError) => e.kind === 'exists');
  });

  it('file names are reversible and safe everywhere', () => {
    for (const name of ['a b', '../../etc/passwd', 'CON', 'nul', 'ü日本🚀', 'x.y.', '%41', 'a:b*c?"<>|']) {
      const base = profileFileBase(name);
      assert.match(base, /^[A-Za-z0-9_%-]+$/, name);
      assert.doesNotMatch(base, /^(con|prn|aux|nul|com\d|lpt\d)$/i);
      assert.equal(profileNameFromFile(base), name);
    }
  });

  it('moves a corrupt file aside and reports it, never losing it', async () => {
    await store.save('good', sample);
    writeFileSync(join(dir, 'broken.json'), '{"format": "aio-tuner-profile", "vers');
    writeFileSync(
      join(dir, 'wrong%20shape.json'),
      JSON.stringify({ format: 'aio-tuner-profile', version: 1, name: 'x' }),
    );
    const list = await store.list();
    assert.deepEqual(
      list.map((p) => [p.name, p.error === undefined]),
      [
        ['broken', false],
        ['good', true],
        ['wrong shape', false],
      ],
    );
    const broken = list.find((p) => p.name === 'broken')!;
    assert.match(broken.error!, /not valid JSON/);
    assert.equal(broken.movedTo, join(dir, 'broken.json.corrupt-2024-06-11T10-20-30-456Z'));
    assert.equal(readFileSync(broken.movedTo!, 'utf8'), '{"format": "aio-tuner-profile", "vers');
    assert.match(list.find((p) => p.name === 'wrong shape')!.error!, /unexpected contents/);
    assert.deepEqual(
      (await store.list()).map((p) => p.name),
      ['good'],
      'reported once, then out of the way',
    );
    assert.equal((await store.corruptFiles()).length, 2);
    writeFileSync(join(dir, 'bad.json'), 'nope');
    await assert.rejects(
      store.load('bad'),
      (e: ProfileError) => e.kind === 'corrupt' && /moved to/.test(e.message),
    );
  });

  it('exports and imports bundles, single files and the API shape', async () => {
    await store.save('one', sample);
    await store.save('two', { ...sample, threads: null });
    const file = join(tmp(), 'export.json');
    assert.deepEqual(await store.exportTo(file), ['one', 'two']);
    const other = new ProfileStore(join(tmp(), 'p2'), { now: () => FIXED });
    await other.save('one', defaultSettings());
    const r = await other.importFrom(file);
    assert.deepEqual(
      r.imported.map((p) => p.name),
      ['one (2)', 'two'],
    );
    assert.deepEqual(r.errors, []);
    assert.deepEqual(await other.load('one (2)'), sample);
    const skip = await other.importFrom(file, { onConflict: 'skip' });
    assert.equal(skip.imported.length, 0);
    assert.equal(skip.errors.length, 2);
    await other.importFrom(file, { onConflict: 'overwrite' });
    assert.deepEqual(await other.load('one'), sample);

    const single = readFileSync(join(dir, 'one.json'), 'utf8');
    assert.equal((await other.importJson(single)).name, 'one (3)');
    assert.equal((await other.importJson(JSON.stringify({ name: 'api', settings: sample }))).name, 'api');
    await assert.rejects(other.importJson('{"name":"bad","settings":{"cpus":"x"}}'), ProfileError);
    await assert.rejects(other.importJson('not json'), ProfileError);
  });
});

describe('writeFileAtomic / readJsonFile', () => {
  it('writes whole files and leaves no temporary files behind', async () => {
    const d = join(tmp(), 'nested', 'dir');
    const p = join(d, 'x.json');
    await writeFileAtomic(p, '{"a":1}');
    await writeFileAtomic(p, '{"a":2}');
    assert.deepEqual(await readJsonFile(p), { a: 2 });
    assert.deepEqual(readdirSync(d), ['x.json']);
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(p, JSON.stringify({ i }))));
    const v = (await readJsonFile(p)) as { i: number };
    assert.ok(v.i >= 0 && v.i < 20, 'one complete write won');
    assert.deepEqual(readdirSync(d), ['x.json']);
  });
  it('cleans up the temporary file when the write fails', async () => {
    const d = tmp();
    writeFileSync(join(d, 'plain'), 'x');
    await assert.rejects(writeFileAtomic(join(d, 'plain', 'x.json'), 'a'), 'parent is a file');
    const target = join(d, 'sub');
    await writeFileAtomic(join(target, 'keep'), 'k');
    // The temporary file is created next to the target, then renaming it over a non-empty directory fails.
    await assert.rejects(writeFileAtomic(target, 'a'));
    assert.deepEqual(readdirSync(d).sort(), ['plain', 'sub']);
  });
  it('reports missing, malformed and invalid files distinctly', async () => {
    const d = tmp();
    await assert.rejects(readJsonFile(join(d, 'none.json')), (e: JsonFileError) => e.kind === 'missing');
    writeFileSync(join(d, 'bad.json'), '{');
    await assert.rejects(readJsonFile(join(d, 'bad.json')), (e: JsonFileError) => e.kind === 'syntax');
    writeFileSync(join(d, 'num.json'), '5');
    const isString = (v: unknown): string => {
      if (typeof v !== 'string') throw new Error('not a string');
      return v;
    };
    await assert.rejects(
      readJsonFile(join(d, 'num.json'), isString),
      (e: JsonFileError) => e.kind === 'invalid',
    );
  });
});

describe('dataDir', () => {
  it('honours AIO_TUNER_HOME, then the platform convention', () => {
    assert.equal(dataDir({ AIO_TUNER_HOME: '/x/y' }, 'linux', '/home/u'), '/x/y');
    assert.equal(dataDir({}, 'linux', '/home/u'), '/home/u/.local/share/aio-tuner');
    assert.equal(dataDir({ XDG_DATA_HOME: '/data' }, 'linux', '/home/u'), '/data/aio-tuner');
    assert.equal(
      dataDir({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/u'),
      '/home/u/.local/share/aio-tuner',
    );
    assert.equal(dataDir({}, 'darwin', '/Users/u'), '/Users/u/Library/Application Support/aio-tuner');
    assert.equal(
      dataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u'),
      'C:\\Users\\u\\AppData\\Roaming\\aio-tuner',
    );
  });
});

describe('profile names: one form, one folder', () => {
  const NFC = 'caf\u00e9';
  const NFD = 'cafe\u0301';
  const s = { ...defaultSettings(), workload: ['true'] };

  it('"café" composed and decomposed is one profile (NFC), loaded and deleted by either form', async () => {
    assert.notEqual(NFC, NFD);
    const store = new ProfileStore(join(tmp(), 'profiles'));
    assert.equal((await store.save(NFD, s)).name, NFC);
    await store.save(NFC, { ...s, workload: ['false'] });
    assert.deepEqual(
      (await store.list()).map((p) => p.name),
      [NFC],
    );
    assert.deepEqual((await store.load(NFD)).workload, ['false'], 'the second save replaced the first');
    assert.equal(await store.exists(NFD), true);
    await store.delete(NFD);
    assert.deepEqual(await store.list(), []);
  });

  it('a profile saved under its decomposed name before is listed and loaded under the composed one', async () => {
    const dir = join(tmp(), 'profiles');
    const store = new ProfileStore(dir);
    await store.save('other', s);
    // The file an older version wrote for the NFD name.
    const old = JSON.parse(readFileSync(store.pathFor('other'), 'utf8'));
    writeFileSync(join(dir, `${profileFileBase(NFD)}.json`), JSON.stringify({ ...old, name: NFD }));
    assert.deepEqual(
      (await store.list()).map((p) => p.name),
      [NFC, 'other'],
    );
    assert.deepEqual((await store.load(NFC)).workload, ['true']);
    assert.ok(readdirSync(dir).includes(`${profileFileBase(NFC)}.json`), 'moved to its NFC file');
  });

  it('two look-alike files already on disk are both kept and the clash reported', async () => {
    const dir = join(tmp(), 'profiles');
    const store = new ProfileStore(dir);
    await store.save(NFC, s);
    const text = readFileSync(store.pathFor(NFC), 'utf8');
    writeFileSync(join(dir, `${profileFileBase(NFD)}.json`), text);
    const listed = await store.list();
    assert.equal(listed.filter((p) => !p.error).length, 1);
    assert.match(listed.find((p) => p.error)?.error ?? '', /another Unicode form/);
    assert.equal(readdirSync(dir).length, 2, 'nothing deleted');
  });

  it('through the API: saved as NFD, listed once as NFC', async () => {
    const home = tmp();
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      await e.handle('profiles.save', { name: NFD, settings: s });
      await e.handle('profiles.save', { name: NFC, settings: s });
      const names = ((await e.handle('profiles.list', {})) as { name: string }[]).map((p) => p.name);
      assert.deepEqual(names, [NFC]);
      const exported = (await e.handle('profiles.export', { name: NFD })) as { json: string };
      assert.equal(JSON.parse(exported.json).name, NFC);
      // One exported profile is a record like the rest: stamped, and read back by import.
      assert.equal(JSON.parse(exported.json).schemaVersion, 1);
      await e.handle('profiles.delete', { name: NFC });
      const back = (await e.handle('profiles.import', { json: exported.json })) as { name: string };
      assert.equal(back.name, NFC);
      assert.deepEqual(await e.handle('profiles.load', { name: NFC }), s);
    } finally {
      await e.dispose();
    }
  });

  it('profile files and exported profile file names stay inside their folder', async () => {
    const home = tmp();
    const store = new ProfileStore(join(home, 'profiles'));
    const s = { ...defaultSettings(), workload: ['true'] };
    for (const name of ['..', '../../etc/passwd', 'a/b', 'CON', '%2e%2e']) {
      await store.save(name, s);
      assert.equal(dirname(store.pathFor(name)), join(home, 'profiles'), name);
    }
    assert.deepEqual(readdirSync(home), ['profiles']);
    assert.deepEqual((await store.list()).map((p) => p.name).sort(), [
      '%2e%2e',
      '..',
      '../../etc/passwd',
      'CON',
      'a/b',
    ]);
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      for (const name of ['..', '../../etc/passwd']) {
        const r = (await e.handle('profiles.export', { name })) as { fileName: string };
        assert.ok(isSafeSegment(r.fileName), r.fileName);
      }
    } finally {
      await e.dispose();
    }
  });
});
