// Support bundles from real runs (no mocks): examples/bench.py through the real runner and numactl, extracted
// with the system tar, checked file by file; command.sh re-run to prove it reproduces argv and environment.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createBundle, plannedFiles, type BundleResult } from '../../app/bundle';
import type { Manifest } from '../../app/bundle/archive';
import { defaultSettings, type RunSettings } from '../../app/command';
import { readLogFile } from '../../app/logs';
import { loadTopology, type Topology } from '../../app/topology';
import { need } from '../helpers/require';

const SECRET = 'hf_secret123';
const PY = '/usr/bin/python3';
const hasNumactl = ['/usr/bin/numactl', '/bin/numactl', '/usr/local/bin/numactl'].some((p) => existsSync(p));
const hasTorch = existsSync(PY) && spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

const tmp = mkdtempSync(join(os.tmpdir(), 'aio-bundle-test-'));
const home = join(tmp, 'home');
const savedToken = process.env.HF_TOKEN;
let topology: Topology;
before(async () => {
  // The secret is in the tool's own environment too: the run inherits it, and so could every file.
  process.env.HF_TOKEN = SECRET;
  topology = await loadTopology();
});
after(() => {
  if (savedToken === undefined) delete process.env.HF_TOKEN;
  else process.env.HF_TOKEN = savedToken;
  rmSync(tmp, { recursive: true, force: true });
});

function settingsFor(workload: string[]): RunSettings {
  const s = defaultSettings();
  s.cpus = [0];
  s.env = { HF_TOKEN: SECRET };
  s.workload = workload;
  return s;
}

/** Extract with the system tar; returns the bundle's folder. */
function extract(b: BundleResult): string {
  const dir = mkdtempSync(join(tmp, 'x-'));
  execFileSync('tar', ['xzf', b.path, '-C', dir]);
  const [root, ...more] = readdirSync(dir);
  assert.equal(more.length, 0, 'one top-level folder');
  return join(dir, root!);
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

/** `[stdout +1.234s] text` → text, per line. */
function outputBodies(text: string): { stream: string; body: string }[] {
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => {
      const m = /^\[(stdout|stderr)(?: \+\d+\.\d{3}s)?\] (.*)$/s.exec(l);
      assert.ok(m, `unmarked line: ${l}`);
      return { stream: m[1]!, body: m[2]! };
    });
}

describe('bundle of a real examples/bench.py run', () => {
  let b: BundleResult;
  let dir: string;
  const stages: string[] = [];
  before(async () => {
    if (!hasNumactl || !hasTorch) return;
    b = await createBundle({
      numactlAvailable: hasNumactl,
      settings: settingsFor([PY, 'examples/bench.py', '-m', 'cnn', '--num_runs', '10', '--timeout', '20']),
      topology,
      dataDir: home,
      out: join(tmp, 'bench.tar.gz'),
      onProgress: (stage) => stages.push(stage),
    });
    dir = extract(b);
  });

  test('written where asked, size reported, every planned file present and non-empty', (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, hasTorch, 'torch for /usr/bin/python3')) return;
    assert.equal(b.path, join(tmp, 'bench.tar.gz'));
    assert.equal(b.sizeBytes, statSync(b.path).size);
    assert.equal(b.workloadFailed, false, b.outcome);
    assert.deepEqual(b.files, plannedFiles([PY]));
    for (const f of b.files) assert.ok(statSync(join(dir, f)).size > 0, `${f} is empty`);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.endsWith('.part')),
      [],
    );
    for (const s of ['run', 'system', 'python', 'archive', 'done'])
      assert.ok(stages.includes(s), `progress ${s}`);
    assert.match(b.note, /bench\.tar\.gz/);
  });

  test('MANIFEST.json: size and sha256 of every other file', (t) => {
    if (!need(t, hasNumactl && hasTorch, 'numactl and torch')) return;
    const m = JSON.parse(read(dir, 'MANIFEST.json')) as Manifest;
    // The replayable dump's files are listed one by one here, as one `system/sysfs/` entry in `files`.
    assert.deepEqual(
      [...new Set(m.files.map((f) => (f.path.startsWith('system/sysfs/') ? 'system/sysfs/' : f.path)))],
      b.files.filter((f) => f !== 'MANIFEST.json'),
    );
    assert.ok(m.files.some((f) => f.path === 'system/sysfs/sys/devices/system/cpu/online'));
    for (const f of m.files) {
      const data = readFileSync(join(dir, f.path));
      assert.equal(f.size, data.length, f.path);
      assert.equal(f.sha256, createHash('sha256').update(data).digest('hex'), f.path);
    }
  });

  test('the planted HF_TOKEN is nowhere in the extracted tree', (t) => {
    if (!need(t, hasNumactl && hasTorch, 'numactl and torch')) return;
    const g = spawnSync('grep', ['-r', '-l', SECRET, dir], { encoding: 'utf8' });
    assert.equal(g.status, 1, `secret found in: ${g.stdout}`);
    assert.match(read(dir, 'run/env.txt'), /^HF_TOKEN='<redacted>'$/m);
    assert.match(read(dir, 'run/command.sh'), /^export HF_TOKEN='<redacted>'$/m);
    assert.match(read(dir, 'README.txt'), /Redacted here: HF_TOKEN/);
  });

  test('level 4, the settings unchanged otherwise, the run logged under the data dir', (t) => {
    if (!need(t, hasNumactl && hasTorch, 'numactl and torch')) return;
    const env = read(dir, 'run/env.txt');
    assert.match(env, /^AIO_DEBUG_MODE=4$/m);
    assert.match(env, /^AIO_NUM_THREADS=1$/m);
    assert.match(env, /^OMP_NUM_THREADS=1$/m);
    assert.match(env, /^AIO_NUMA_CPUS=0$/m);
    assert.match(
      read(dir, 'run/command.sh'),
      /^exec numactl --physcpubind=0 --membind=0 \/usr\/bin\/python3 examples\/bench\.py -m cnn --num_runs 10 --timeout 20$/m,
    );
    assert.ok(b.logFile.startsWith(join(home, 'runs') + '/'), b.logFile);
    const readme = read(dir, 'README.txt');
    assert.match(readme, /ran the chosen settings again with AIO_DEBUG_MODE=4/);
    assert.match(readme, /bash run\/command\.sh/);
  });

  test('output.log is complete, streams marked; result.json has exit, duration, memory, results, checks', async (t) => {
    if (!need(t, hasNumactl && hasTorch, 'numactl and torch')) return;
    const lines = outputBodies(read(dir, 'run/output.log'));
    const original: { stream: string; text: string }[] = [];
    for await (const r of readLogFile(b.logFile))
      original.push({ stream: r.stream, text: r.raw.toString('utf8') });
    assert.deepEqual(
      lines.map((l) => [l.stream, l.body]),
      original.map((l) => [l.stream, l.text]),
    );
    assert.ok(lines.some((l) => /THROUGHPUT/.test(l.body)));
    const r = JSON.parse(read(dir, 'run/result.json'));
    assert.equal(r.exitCode, 0);
    assert.equal(r.debugMode, 4);
    assert.ok(r.durationMs > 0);
    assert.ok(r.peakRssBytes > 0);
    assert.equal(r.lines, original.length);
    assert.equal(r.results.format, 'aml');
    assert.ok(r.results.throughput.value > 0);
    assert.equal(r.results.passes, 10);
    assert.ok(Array.isArray(r.checks));
  });

  test('python/: interpreter, torch with engine detection, pip list', (t) => {
    if (!need(t, hasNumactl && hasTorch, 'numactl and torch')) return;
    assert.match(read(dir, 'python/interpreter.txt'), /^executable: \/usr\/bin\/python3$/m);
    assert.match(read(dir, 'python/torch.txt'), /^torch version: \S+/m);
    assert.match(read(dir, 'python/torch.txt'), /Ampere Optimized PyTorch engine present: (yes|no)/);
    assert.ok(read(dir, 'python/pip-list.txt').length > 0);
  });

  test('from history: the saved log and settings, not re-run, marked when not at level 4', async (t) => {
    if (!need(t, hasNumactl && hasTorch, 'numactl and torch')) return;
    const runsBefore = readdirSync(join(home, 'runs')).length;
    const settings = settingsFor([
      PY,
      'examples/bench.py',
      '-m',
      'cnn',
      '--num_runs',
      '10',
      '--timeout',
      '20',
    ]);
    settings.debugMode = 2;
    const h = await createBundle({
      numactlAvailable: hasNumactl,
      topology,
      dataDir: home,
      out: join(tmp, 'history.tar.gz'),
      fromRun: { logFile: b.logFile, settings, result: b.run, startedAt: '2026-01-02T03:04:05.000Z' },
    });
    assert.equal(readdirSync(join(home, 'runs')).length, runsBefore, 'nothing was run');
    const hd = extract(h);
    const readme = read(hd, 'README.txt');
    assert.match(readme, /made from a saved run, not re-run/);
    assert.match(readme, /NOT at AIO_DEBUG_MODE=4: its level was 2/);
    assert.match(read(hd, 'run/env.txt'), /^AIO_DEBUG_MODE=2$/m);
    assert.equal(read(hd, 'run/output.log'), read(dir, 'run/output.log'));
    assert.equal(JSON.parse(read(hd, 'run/result.json')).madeFrom, 'saved run (not re-run)');
    assert.equal(spawnSync('grep', ['-r', '-q', SECRET, hd]).status, 1);

    const at4 = await createBundle({
      numactlAvailable: hasNumactl,
      topology,
      dataDir: home,
      fromRun: { logFile: b.logFile, settings: { ...settings, debugMode: 4 }, result: b.run, startedAt: 'x' },
    });
    assert.ok(at4.path.startsWith(join(home, 'bundles', 'aio-tuner-bundle-')), at4.path);
    assert.match(at4.path, /-\d{8}-\d{6}\.tar\.gz$/);
    const readme4 = read(extract(at4), 'README.txt');
    assert.match(readme4, /That run was at AIO_DEBUG_MODE=4/);
  });
});

describe('run/command.sh reproduces the run', () => {
  test('same argv and AIO_*/OMP_* environment as the run and as env.txt', async (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, existsSync(PY), PY)) return;
    const script = 'import json,os,sys; print(json.dumps({"argv":sys.argv,"env":dict(os.environ)}))';
    // Inherited by the run from the user's shell: the replay must set it too.
    process.env.AIO_MERGE_LINEAR = '0';
    let b: BundleResult;
    try {
      b = await createBundle({
        numactlAvailable: hasNumactl,
        settings: settingsFor([PY, '-c', script, 'a', 'b c', '--token', 'tok_value_9']),
        topology,
        dataDir: home,
        out: join(tmp, 'echo.tar.gz'),
      });
    } finally {
      delete process.env.AIO_MERGE_LINEAR;
    }
    assert.equal(b.workloadFailed, false, b.outcome);
    const dir = extract(b);
    const pick = (env: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(env)
          // AIO_TUNER_* configure the tool (the test runner sets one), not the engine.
          .filter(([k]) => /^(AIO|OMP)_/.test(k) && !k.startsWith('AIO_TUNER_'))
          .sort(([a], [c]) => a.localeCompare(c)),
      );

    // What the workload saw during the bundle's run (secrets redacted in the log, the JSON stays valid).
    const [first] = outputBodies(read(dir, 'run/output.log'));
    const during = JSON.parse(first!.body) as { argv: string[]; env: Record<string, string> };
    assert.equal(during.env.HF_TOKEN, '<redacted>');
    assert.ok(!JSON.stringify(during).includes('tok_value_9'));

    // Re-run the extracted script with an environment free of any AIO_/OMP_ variable of ours.
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AIO|OMP)_/.test(k)));
    assert.match(read(dir, 'run/command.sh'), /^#!\/usr\/bin\/env bash\n/);
    const r = spawnSync('bash', [join(dir, 'run/command.sh')], { encoding: 'utf8', env: clean, cwd: tmp });
    assert.equal(r.status, 0, r.stderr);
    const again = JSON.parse(r.stdout) as { argv: string[]; env: Record<string, string> };
    assert.deepEqual(again.argv.slice(0, 3), ['-c', 'a', 'b c']);
    // The secret argument is <redacted> in both: in the script by design, in the log by redaction.
    assert.deepEqual(again.argv, during.argv);
    assert.deepEqual(pick(again.env), pick(during.env));

    // env.txt, sourced by bash, gives the same variables.
    const sourced = spawnSync(
      'env',
      ['-i', 'bash', '-c', `set -a; . '${join(dir, 'run/env.txt')}'; env -0`],
      { encoding: 'utf8' },
    );
    assert.equal(sourced.status, 0, sourced.stderr);
    const fromTxt = Object.fromEntries(
      sourced.stdout
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    assert.deepEqual(pick(fromTxt), pick(again.env));
    assert.equal(pick(fromTxt).AIO_DEBUG_MODE, '4');
    assert.equal(pick(fromTxt).OMP_NUM_THREADS, '1');
    assert.equal(pick(again.env).AIO_MERGE_LINEAR, '0');
    assert.equal(spawnSync('grep', ['-r', '-q', '-e', SECRET, '-e', 'tok_value_9', dir]).status, 1);
  });

  test('a failing workload still gives a bundle, with its exit status', async (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, existsSync(PY), PY)) return;
    const b = await createBundle({
      numactlAvailable: hasNumactl,
      settings: settingsFor([PY, '-c', 'import sys; print("boom", file=sys.stderr); sys.exit(3)']),
      topology,
      dataDir: home,
      out: join(tmp, 'fail.tar.gz'),
    });
    assert.equal(b.workloadFailed, true);
    assert.match(b.outcome, /exit code 3/);
    const dir = extract(b);
    assert.equal(JSON.parse(read(dir, 'run/result.json')).exitCode, 3);
    assert.match(read(dir, 'run/output.log'), /^\[stderr \+\d+\.\d{3}s\] boom$/m);
    assert.match(read(dir, 'README.txt'), /failed with exit code 3/);
  });
});
