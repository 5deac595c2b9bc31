// `aio-tuner bundle` end to end: the built CLI as users run it, a real bench.py run, the archive read back with
// the system tar.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';

const ROOT = process.cwd();
const CLI = join(ROOT, 'bin', 'aio-tuner.cjs');
const DIST = join(ROOT, 'dist', 'cli.mjs');
const PY = '/usr/bin/python3';
const SECRET = 'hf_secret123';
const CI = process.env.CI === 'true';
const hasNumactl = ['/usr/bin/numactl', '/bin/numactl', '/usr/local/bin/numactl'].some((p) => existsSync(p));
const hasTorch = existsSync(PY) && spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

function need(t: TestContext, ok: boolean, what: string): boolean {
  if (ok) return true;
  if (CI) assert.fail(`${what} is required under CI`);
  t.skip(`${what} not available`);
  return false;
}

/** Newest modification time of any source file the CLI is built from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

const tmp = mkdtempSync(join(os.tmpdir(), 'aio-bundle-cli-'));
const home = join(tmp, 'home');
before(() => {
  if (!existsSync(DIST) || statSync(DIST).mtimeMs < newestSource(join(ROOT, 'app'))) {
    execFileSync('npm', ['run', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, 'bundle', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home, ...env },
    timeout: 180_000,
  });
}

describe('aio-tuner bundle', () => {
  test('a bench.py bundle: path and size printed, archive complete and secret-free', (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, hasTorch, 'torch for /usr/bin/python3')) return;
    const out = join(tmp, 'support.tar.gz');
    const r = cli(
      [
        '--out',
        out,
        '--cores',
        '0',
        '--set',
        `HF_TOKEN=${SECRET}`,
        '--redact',
        'MYCORP',
        '--',
        PY,
        'examples/bench.py',
        '-m',
        'cnn',
        '--num_runs',
        '10',
        '--timeout',
        '20',
      ],
      { HF_TOKEN: SECRET, MYCORP_URL: 'https://internal.example/secret-path' },
    );
    assert.equal(r.status, 0, r.stderr);
    const [path, size] = r.stdout.trim().split('\n');
    assert.equal(path, out);
    assert.match(size!, new RegExp(`\\(${statSync(out).size} bytes\\), 20 files$`));
    assert.match(r.stderr, /\[run\] .*AIO_DEBUG_MODE=4/);

    const listing = execFileSync('tar', ['tzf', out], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(
      listing.every((f) => f.startsWith('support/')),
      listing.join(),
    );
    for (const f of [
      'README.txt',
      'run/command.sh',
      'run/env.txt',
      'run/output.log',
      'run/result.json',
      'system/lscpu.txt',
      'python/pip-list.txt',
      'MANIFEST.json',
    ]) {
      assert.ok(listing.includes(`support/${f}`), f);
    }
    const dir = mkdtempSync(join(tmp, 'x-'));
    execFileSync('tar', ['xzf', out, '-C', dir]);
    const g = spawnSync('grep', ['-r', '-l', '-e', SECRET, '-e', 'secret-path', dir], { encoding: 'utf8' });
    assert.equal(g.status, 1, `secrets found in ${g.stdout}`);
    const env = readFileSync(join(dir, 'support/run/env.txt'), 'utf8');
    assert.match(env, /^AIO_DEBUG_MODE=4$/m);
    assert.match(env, /^AIO_NUM_THREADS=1$/m);
    assert.match(env, /^OMP_NUM_THREADS=1$/m);
  });

  test('--json prints BundleInfo; a failing workload still exits 0 and says so', (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, existsSync(PY), PY)) return;
    const r = cli(['--json', '--cores', '0', '--', PY, '-c', 'import sys; sys.exit(5)']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { path: string; sizeBytes: number; note: string; files: string[] };
    assert.ok(info.path.startsWith(join(home, 'bundles', 'aio-tuner-bundle-')), info.path);
    assert.equal(info.sizeBytes, statSync(info.path).size);
    assert.ok(info.files.includes('run/output.log') && info.files.includes('MANIFEST.json'));
    assert.match(info.note, /Outcome: failed with exit code 5/);
    assert.match(r.stderr, /the workload failed with exit code 5; the bundle was written/);
  });

  test('--from-run bundles a saved log without running anything', (t) => {
    if (!need(t, existsSync(PY), PY)) return;
    const runs = join(home, 'runs');
    const logs = existsSync(runs) ? readdirSync(runs).filter((f) => f.startsWith('bundle-')) : [];
    if (!need(t, logs.length > 0, 'a saved run from the tests above')) return;
    const out = join(tmp, 'hist.tar.gz');
    const r = cli([
      '--from-run',
      join(runs, logs[0]!, 'output.log'),
      '--out',
      out,
      '--debug',
      '2',
      '--cores',
      '0',
      '--',
      PY,
      '-c',
      'pass',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readdirSync(runs).length, logs.length, 'nothing was run');
    const readme = execFileSync('tar', ['xzOf', out, 'hist/README.txt'], { encoding: 'utf8' });
    assert.match(readme, /made from a saved run, not re-run/);
    assert.match(readme, /NOT at AIO_DEBUG_MODE=4/);
  });

  test('usage errors exit 2 with one line', () => {
    for (const args of [
      [],
      ['--cores', '0'],
      ['--redact', '/([/', '--', 'python3'],
      ['--cores', 'x', '--', 'python3'],
      ['--bogus', '--', 'x'],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^aio-tuner: [^\n]+\n$/);
    }
  });
});
