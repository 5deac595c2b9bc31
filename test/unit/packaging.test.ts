// electron-builder cannot download Electron or its packaging tools here, so its configuration is proven with
// electron-builder's own loader and schema validator instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import '../helpers/dist';

function builderConfig(patch?: unknown): {
  code: number | null;
  config: Record<string, unknown> | null;
  stderr: string;
} {
  const r = spawnSync(
    process.execPath,
    ['scripts/validate-builder-config.cjs', ...(patch ? [JSON.stringify(patch)] : [])],
    { encoding: 'utf8' },
  );
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return {
    code: r.status,
    config: r.status === 0 ? (JSON.parse(last) as Record<string, unknown>) : null,
    stderr: r.stderr,
  };
}

test('electron-builder.yml passes electron-builder’s own schema', () => {
  const r = builderConfig();
  assert.equal(r.code, 0, r.stderr);
  const config = r.config!;
  const linux = config.linux as { target: { target: string; arch: string[] }[] };
  assert.deepEqual(
    linux.target.map((t) => t.target),
    ['AppImage', 'deb', 'tar.gz'],
  );
  for (const t of linux.target) assert.deepEqual(t.arch, ['x64', 'arm64']);
  assert.equal((config.mac as { target: { target: string }[] }).target[0]!.target, 'dmg');
  assert.equal((config.win as { target: { target: string }[] }).target[0]!.target, 'nsis');
});

test('the packaged binary is fused: no run-as-node, NODE_OPTIONS or inspector; app.asar only, integrity-checked', () => {
  const r = builderConfig();
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.config!.electronFuses, {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    grantFileProtocolExtraPrivileges: false,
    enableCookieEncryption: true,
  });
  // Integrity validation needs the asar and the hash electron-builder embeds in it.
  assert.equal(r.config!.asar, true);
  assert.ok(!r.config!.disableAsarIntegrity);
});

test('a misspelt fuse is rejected by the validator, not silently ignored', () => {
  const r = builderConfig({ electronFuses: { runAsNod: false } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /configuration\.electronFuses/);
});

test('a wrong key is rejected by the same validator (the check can fail)', () => {
  const r = builderConfig({ linux: { targets: 'AppImage' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /configuration\.linux/);
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
