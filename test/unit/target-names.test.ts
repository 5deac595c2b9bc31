// Target names (targets.json, app/remote/target-store.ts): one Unicode form, no control characters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetStore } from '../../app/remote/target-store';
import { Engine } from '../../app/api/engine';

test('a target name is kept in NFC, and a name with control characters is refused', async () => {
  const home = mkdtempSync(join(tmpdir(), 'aio-target-names-'));
  try {
    const s = new TargetStore(home);
    await s.load();
    await s.add('ssh://me@server:22', 'cafe\u0301 rack');
    const again = new TargetStore(home);
    await again.load();
    assert.equal(again.list().targets[1]?.name, 'caf\u00e9 rack');
    for (const bad of ['a\nb', 'x\u001b[2Jy', 'z\u0085'])
      await assert.rejects(s.add('ssh://me@server:22', bad), /control characters/, JSON.stringify(bad));
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      await assert.rejects(
        e.handle('targets.add', { url: 'ssh://other', name: 'evil\r\nname' }),
        (err: { code?: string }) => err.code === 'bad-request',
      );
    } finally {
      await e.dispose();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
