// Ids and names that become paths: one rule, and the API refuses anything else before it touches the disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../app/api/engine';
import { RunFiles } from '../../app/run/store';
import { SweepFiles } from '../../app/sweep/store';
import { childPath, isSafeSegment, segmentProblem } from '../../app/util/pathsegment';

const BAD = [
  '.',
  '..',
  '',
  '.hidden',
  'a/b',
  'a\\b',
  '../x',
  'x\0y',
  'new\nline',
  ' lead',
  'é',
  'x'.repeat(101),
];
const GOOD = ['20261205T055300-abc123', 'a', 'run_1', 'v1.2-rc', 'x'.repeat(100)];

test('only one ordinary path segment is accepted', () => {
  for (const b of BAD) assert.equal(isSafeSegment(b), false, JSON.stringify(b));
  for (const g of GOOD) assert.equal(segmentProblem(g), null, g);
  assert.equal(childPath('/data/runs', 'run id', 'abc'), '/data/runs/abc');
  assert.throws(() => childPath('/data/runs', 'run id', '..'), /invalid run id "\.\."/);
});

test('history.delete and friends refuse "..", "." and separators; the data directory survives', async () => {
  const home = mkdtempSync(join(tmpdir(), 'aio-segment-test-'));
  try {
    mkdirSync(join(home, 'runs', 'r1'), { recursive: true });
    mkdirSync(join(home, 'profiles'), { recursive: true });
    writeFileSync(join(home, 'profiles', 'keep.json'), '{}');
    const e = new Engine({ shell: 'browser', dataDir: home });
    for (const id of ['..', '.', '../runs', 'r1/..', '/etc']) {
      for (const kind of ['run', 'sweep'] as const) {
        await assert.rejects(e.handle('history.delete', { kind, id }), /not a valid id/, `${kind} ${id}`);
        await assert.rejects(e.handle('history.get', { kind, id }), /not a valid id/);
      }
      await assert.rejects(e.handle('run.stop', { runId: id }), /not a valid id/);
      await assert.rejects(e.handle('sweep.get', { sweepId: id }), /not a valid id/);
    }
    assert.ok(existsSync(join(home, 'profiles', 'keep.json')), 'profiles survive');
    assert.ok(existsSync(join(home, 'runs', 'r1')), 'runs survive');
    // The file layers refuse on their own too, whoever calls them.
    await assert.rejects(new RunFiles(join(home, 'runs')).remove('..'), /invalid run id/);
    await assert.rejects(new SweepFiles(join(home, 'sweeps')).remove('.'), /invalid sweep id/);
    assert.ok(existsSync(join(home, 'runs')));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
