// The page's side of the Electron menu (renderer/src/shell/): what each command does, the hand-off of an opened
// log to the log viewer, and the profiles export file, read back by the real engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MENU_COMMANDS } from '../../app/shared/contract';
import { PROFILES_BUNDLE_VERSION, intentOf, profilesBundle } from '../../renderer/src/shell/commands';
import { recordVersion } from '../../app/util/records';
import { offer, take } from '../../renderer/src/shell/handoff';
import { AREAS } from '../../renderer/src/workspace/areas';
import { Engine } from '../../app/api/engine';
import { defaultSettings } from '../../app/shared/command';

test('every menu command means something in the page: an area, a theme, a file action, help or (About) nothing', () => {
  const ids = AREAS.map((a) => a.id) as string[];
  const seen = new Set<string>();
  for (const c of MENU_COMMANDS) {
    const i = intentOf(c);
    seen.add(i.kind);
    if (i.kind === 'area' || i.kind === 'file') assert.ok(ids.includes(i.area), `${c} → ${i.area}`);
  }
  assert.deepEqual([...seen].sort(), ['area', 'file', 'help', 'none', 'theme']);
  assert.deepEqual(intentOf('area:history'), { kind: 'area', area: 'history' });
  assert.deepEqual(intentOf('theme:dark'), { kind: 'theme', theme: 'dark' });
  assert.deepEqual(intentOf('open-log'), { kind: 'file', action: 'open-log', area: 'run' });
  assert.deepEqual(intentOf('about'), { kind: 'none' });
});

test('an opened log waits for the log viewer when it is not on screen, and goes to it at once when it is', () => {
  const a = { logId: 'a', path: '/tmp/a.log', totalLines: 3 };
  const b = { logId: 'b', path: '/tmp/b.log', totalLines: 5 };
  const c = { logId: 'c', path: '/tmp/c.log', totalLines: 7 };
  // Offered twice before any viewer listens: the newest waits, the older is dropped.
  offer('open-log', a);
  offer('open-log', b);
  const got: string[] = [];
  const stop = take('open-log', (r) => got.push(r.logId));
  assert.deepEqual(got, ['b']);
  offer('open-log', c);
  assert.deepEqual(got, ['b', 'c']);
  stop();
  // Nobody listens any more: the next one waits for the next viewer, and is taken once.
  offer('open-log', a);
  const later: string[] = [];
  take('open-log', (r) => later.push(r.logId))();
  take('open-log', (r) => later.push(r.logId))();
  assert.deepEqual(later, ['a']);
});

test('File › Export Profiles… writes every profile in one file that profiles.import reads back', async () => {
  const from = new Engine({
    shell: 'electron',
    dataDir: mkdtempSync(join(tmpdir(), 'aio-export-')),
    fromFile: 'test/fixtures/lscpu/x86-1p-4c-smt.lscpu.txt',
  });
  const to = new Engine({
    shell: 'electron',
    dataDir: mkdtempSync(join(tmpdir(), 'aio-import-')),
    fromFile: 'test/fixtures/lscpu/x86-1p-4c-smt.lscpu.txt',
  });
  try {
    const one = { ...defaultSettings(), cpus: [0, 1], workload: ['python3', 'a.py'] };
    const two = { ...defaultSettings(), cpus: [2], workload: ['python3', 'b.py', '--bs', '8'] };
    await from.handle('profiles.save', { name: 'bs 1', settings: one });
    await from.handle('profiles.save', { name: 'bs 8', settings: two });
    const exports = await Promise.all(
      ['bs 1', 'bs 8'].map(
        async (name) => ((await from.handle('profiles.export', { name })) as { json: string }).json,
      ),
    );
    const file = profilesBundle(exports, new Date('2026-12-05T12:00:00Z'));
    assert.equal(JSON.parse(file).format, 'aio-tuner-profiles');
    // Stamped like the CLI's `profiles export`, with the version the engine's records give that kind.
    assert.equal(PROFILES_BUNDLE_VERSION, recordVersion('profile-bundle'));
    assert.equal(Object.keys(JSON.parse(file))[0], 'schemaVersion');
    await to.handle('profiles.import', { json: file });
    const list = (await to.handle('profiles.list', {})) as { name: string }[];
    assert.deepEqual(list.map((p) => p.name).sort(), ['bs 1', 'bs 8']);
    const back = (await to.handle('profiles.load', { name: 'bs 8' })) as typeof two;
    assert.deepEqual(back.workload, two.workload);
    assert.deepEqual(back.cpus, [2]);
  } finally {
    await Promise.all([from.dispose(), to.dispose()]);
  }
});
