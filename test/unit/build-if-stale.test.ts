// Tests run what ships: scripts/test.mjs and the test helpers rebuild dist/ when a source changed after the last
// build. Checked on a made-up tree with set times, so no build runs here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OUTPUTS, staleBecause } from '../../scripts/build-if-stale.mjs';

const SOURCES = ['app/api/contract.ts', 'app/cli/main.ts', 'renderer/src/App.tsx', 'package.json'];

/** A tree whose sources date from t=1000 s and whose build outputs from t=2000 s. */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'aio-stale-'));
  const put = (rel: string, at: number) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), '');
    utimesSync(join(root, rel), at, at);
  };
  for (const s of SOURCES) put(s, 1000);
  for (const d of ['app/api', 'app/cli', 'app', 'renderer/src', 'renderer'])
    utimesSync(join(root, d), 1000, 1000);
  for (const o of OUTPUTS) put(o, 2000);
  return root;
}

test('dist/ built after its sources is fresh; an edited, deleted or unbuilt part makes it stale and says which', () => {
  const root = tree();
  try {
    assert.equal(staleBecause(root), null);

    utimesSync(join(root, 'renderer/src/App.tsx'), 3000, 3000);
    assert.equal(staleBecause(root), 'renderer/src/App.tsx changed after the last build');
    utimesSync(join(root, 'renderer/src/App.tsx'), 1000, 1000);

    unlinkSync(join(root, 'app/cli/main.ts'));
    utimesSync(join(root, 'app/cli'), 3000, 3000);
    assert.equal(staleBecause(root), 'app/cli changed after the last build');
    utimesSync(join(root, 'app/cli'), 1000, 1000);

    // A build that stopped half-way: one output older than the sources counts as no build.
    utimesSync(join(root, 'dist/preload.cjs'), 500, 500);
    assert.match(staleBecause(root) ?? '', /^app\b.* changed after the last build$/);
    unlinkSync(join(root, 'dist/preload.cjs'));
    assert.equal(staleBecause(root), 'dist/preload.cjs is missing');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
