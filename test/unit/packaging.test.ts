// electron-builder cannot download Electron or its packaging tools here, so its configuration is proven with
// electron-builder's own loader and schema validator instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(dir: string, path: string | null, extra: unknown): Promise<Record<string, unknown>>;
  validateConfiguration(c: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util/out/DebugLogger') as {
  DebugLogger: new (enabled: boolean) => unknown;
};

test('electron-builder.yml passes electron-builder’s own schema', async () => {
  const config = await getConfig(process.cwd(), 'electron-builder.yml', null);
  await validateConfiguration(config, new DebugLogger(false));
  const linux = config.linux as { target: { target: string; arch: string[] }[] };
  assert.deepEqual(
    linux.target.map((t) => t.target),
    ['AppImage', 'deb', 'tar.gz'],
  );
  for (const t of linux.target) assert.deepEqual(t.arch, ['x64', 'arm64']);
  assert.equal((config.mac as { target: { target: string }[] }).target[0]!.target, 'dmg');
  assert.equal((config.win as { target: { target: string }[] }).target[0]!.target, 'nsis');
});

test('a wrong key is rejected by the same validator (the check can fail)', async () => {
  const config = await getConfig(process.cwd(), 'electron-builder.yml', null);
  await assert.rejects(
    validateConfiguration({ ...config, linux: { targets: 'AppImage' } }, new DebugLogger(false)),
  );
});

test('the packaged main entry is the one the build produces', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { main: string };
  assert.equal(pkg.main, 'dist/main.cjs');
  assert.match(readFileSync('scripts/build.mjs', 'utf8'), /dist\/main\.cjs/);
});

test('the sandboxed preload is one CommonJS file that requires nothing but electron', () => {
  const src = readFileSync('dist/preload.cjs', 'utf8');
  const required = [...src.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(required)], ['electron']);
  assert.doesNotMatch(src, /^\s*import\s/m, 'no ESM imports left in the preload bundle');
  assert.match(src, /exposeInMainWorld\(\s*["']aioTuner["']/);
});
