// A run that has just ended is readable from history at once: the engine's run list already says "exited" while
// its run.json writes may still be landing (a bundle made from it right then failed with "run.json does not exist").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../app/api/engine';
import type { RunInfo } from '../../app/api/contract';
import type { HistoryDetail } from '../../app/shared/history';
import { defaultSettings } from '../../app/command';

test('history.get of a run the moment the engine reports it exited', async () => {
  const home = mkdtempSync(join(tmpdir(), 'aio-justfinished-'));
  try {
    const e = new Engine({ shell: 'browser', dataDir: home });
    for (let i = 0; i < 10; i++) {
      const info = (await e.handle('run.start', {
        settings: { ...defaultSettings(), memPolicy: 'none', workload: ['true'] },
      })) as RunInfo;
      while (e.runs.get(info.runId).state !== 'exited') await new Promise((r) => setTimeout(r, 1));
      const d = (await e.handle('history.get', { kind: 'run', id: info.runId })) as HistoryDetail;
      assert.equal(d.kind === 'run' && d.run.state, 'exited');
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
