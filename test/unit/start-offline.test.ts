// `npm start` without internet: the Electron download fails for real (a .invalid host never resolves, RFC 6761)
// and the user gets two plain lines, not the installer's stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const electronDir = dirname(createRequire(__filename).resolve('electron/package.json'));

test('npm start offline: one line saying why, one saying what to do, no stack trace', (t) => {
  // With the binary in place start.mjs would open the window instead of downloading.
  if (existsSync(join(electronDir, 'path.txt'))) return t.skip('the Electron binary is already installed');
  const r = spawnSync(process.execPath, ['scripts/start.mjs'], {
    encoding: 'utf8',
    env: {
      ...process.env,
      // What .ci/run and offline installs set: it must not turn a start into a silent no-download.
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
      ELECTRON_MIRROR: 'https://electron-mirror.invalid/',
      electron_config_cache: mkdtempSync(join(tmpdir(), 'aio-tuner-electron-cache-')),
    },
  });
  assert.equal(r.status, 1);
  assert.doesNotMatch(r.stderr, /^\s+at /m, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 2, r.stderr);
  // ENOTFOUND, or EAI_AGAIN where no DNS server answers at all.
  assert.match(lines[0]!, /^Electron could not be downloaded: getaddrinfo [A-Z_]+ electron-mirror\.invalid$/);
  assert.equal(lines[1], 'No internet here? Use browser mode instead: npx aio-tuner serve');
});
