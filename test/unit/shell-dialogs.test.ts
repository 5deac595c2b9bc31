// Native file dialogs (app/shell/dialogs.ts): what each dialog shows, and what the page gets back for the file
// chosen, read from real files (a real `aio-tuner dump` archive among the fixtures, real lscpu output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MAX_TOPOLOGY_TEXT_BYTES,
  chosenFile,
  isOpenPurpose,
  openDialogOptions,
  saveDialogOptions,
} from '../../app/shell/dialogs';
import { MAX_TOPOLOGY_ARCHIVE_BYTES } from '../../app/shared/contract';
import { Engine } from '../../app/api/engine';

const dir = () => mkdtempSync(join(tmpdir(), 'aio-dialogs-'));
const DUMP = 'test/fixtures/x86-2p-4c-2node.tar.gz';

test('each dialog has its title and filters; only the two known purposes are answered', () => {
  assert.equal(openDialogOptions('log').title, 'Open log');
  assert.deepEqual(openDialogOptions('log').properties, ['openFile']);
  assert.equal(openDialogOptions('topology').title, 'Import topology');
  assert.ok(openDialogOptions('topology').filters?.some((f) => f.extensions.includes('gz')));
  assert.ok(openDialogOptions('topology').filters?.some((f) => f.extensions.includes('*')));
  const save = saveDialogOptions('/home/u/Documents/aio-tuner-profiles.json');
  assert.equal(save.defaultPath, '/home/u/Documents/aio-tuner-profiles.json');
  assert.ok(save.properties?.includes('showOverwriteConfirmation'));
  assert.ok(isOpenPurpose('log') && isOpenPurpose('topology'));
  for (const bad of ['profiles', '', null, 3, '../log']) assert.equal(isOpenPurpose(bad), false);
});

test('a log comes back as its path (the engine opens it where it is)', async () => {
  const file = join(dir(), 'run 1.log');
  writeFileSync(file, 'line\n');
  assert.deepEqual(await chosenFile('log', file), { purpose: 'log', path: file, name: 'run 1.log' });
});

test('a topology text and a dump archive come back in the shapes topology.load takes, and load', async () => {
  const d = dir();
  const text = join(d, 'lscpu-p.txt');
  const lscpu = readFileSync('test/fixtures/lscpu/arm64-altra-2p-160c-2node.lscpu.txt', 'utf8');
  writeFileSync(text, lscpu);
  const t = await chosenFile('topology', text);
  assert.ok(t.purpose === 'topology' && t.kind === 'text');
  assert.equal(t.text, lscpu);
  const a = await chosenFile('topology', DUMP);
  assert.ok(a.purpose === 'topology' && a.kind === 'archive');
  assert.deepEqual(Buffer.from(a.data, 'base64'), readFileSync(DUMP));
  // What the page then sends: the engine reads both machines.
  const engine = new Engine({
    shell: 'electron',
    dataDir: dir(),
    fromFile: 'test/fixtures/lscpu/x86-1p-4c-smt.lscpu.txt',
  });
  try {
    const fromText = await engine.handle('topology.load', { kind: 'text', text: t.text, name: t.name });
    assert.equal((fromText as { cpus: unknown[] }).cpus.length, 160);
    const fromDump = await engine.handle('topology.load', { kind: 'archive', data: a.data, name: a.name });
    assert.equal((fromDump as { cpus: unknown[] }).cpus.length, 4);
  } finally {
    await engine.dispose();
  }
});

test('a file too large to be a topology, or that cannot be read, is refused with its name', async () => {
  const d = dir();
  const huge = join(d, 'huge.txt');
  writeFileSync(huge, '');
  truncateSync(huge, MAX_TOPOLOGY_TEXT_BYTES + 1);
  await assert.rejects(
    chosenFile('topology', huge),
    /huge\.txt is 16 MiB, larger than 16 MiB: not a topology listing/,
  );
  const big = join(d, 'big.tar.gz');
  writeFileSync(big, '');
  truncateSync(big, MAX_TOPOLOGY_ARCHIVE_BYTES + 1);
  await assert.rejects(
    chosenFile('topology', big),
    /big\.tar\.gz is 64 MiB, larger than 64 MiB: not a dump or support bundle/,
  );
  await assert.rejects(chosenFile('topology', join(d, 'gone.txt')), /cannot read .*gone\.txt.*ENOENT/);
});
