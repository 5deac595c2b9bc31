// `--engine onednn` as scripts use it (the built CLI): the command for stock PyTorch/oneDNN carries OpenMP's
// thread count and binding and no AIO_* variable, its checks read the machine's CPU flags, and a sweep varies a
// oneDNN variable through a workload that reads it from its environment.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { need } from '../helpers/require';
import { fixtureRoot } from '../helpers/fixtures';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'aio-engine-cli-'));
const home = join(dir, 'home');
const bench = join(dir, 'bench.sh');

before(() => {
  // An AML-style printer whose latency depends on the oneDNN math mode it is given; it fails when any AIO_*
  // variable reaches it (the tool's own AIO_TUNER_* aside), so a row only succeeds with a clean environment.
  writeFileSync(
    bench,
    '#!/bin/sh\n' +
      "if env | grep '^AIO_' | grep -qv '^AIO_TUNER_'; then echo 'AIO variable set' >&2; exit 3; fi\n" +
      'case "$DNNL_DEFAULT_FPMATH_MODE" in BF16) ms=10 ;; *) ms=20 ;; esac\n' +
      'echo "  LATENCY"\necho "      mean   $ms.5 [ms]"\n' +
      'echo "  THROUGHPUT"\necho "      observed   $((1000 / ms)).0 [samples/s]"\n' +
      'echo "threads=$OMP_NUM_THREADS places=$OMP_PLACES bind=$OMP_PROC_BIND"\n',
  );
  chmodSync(bench, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 120_000,
  });
}

describe('aio-tuner --engine', () => {
  test('command --engine onednn --cores 1: OMP_NUM_THREADS=1 and the OpenMP binding, no AIO_ variable', () => {
    const r = cli(['command', '--engine', 'onednn', '--cores', '1', '--', 'x']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /AIO_/);
    assert.match(
      r.stdout,
      /^OMP_NUM_THREADS=1 OMP_PLACES='\{1\}' OMP_PROC_BIND=close .*--physcpubind=1 .*x$/m,
    );
    // The default engine is unchanged.
    const aio = cli(['command', '--cores', '1', '--', 'x']);
    assert.match(aio.stdout, /^AIO_NUM_THREADS=1 OMP_NUM_THREADS=1 AIO_NUMA_CPUS=1 /);
    assert.equal(cli(['command', '--engine', 'aio', '--cores', '1', '--', 'x']).stdout, aio.stdout);
  });

  test('a saved profile keeps the engine; --engine aio given with it switches back', () => {
    const saved = cli(['profiles', 'save', 'graviton', '--engine', 'onednn', '--cores', '1', '--', 'x']);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(cli(['command', '--profile', 'graviton']).stdout, /^OMP_NUM_THREADS=1 OMP_PLACES='\{1\}' /);
    assert.match(cli(['command', '--profile', 'graviton', '--engine', 'aio']).stdout, /^AIO_NUM_THREADS=1 /);
  });

  test('--engine bogus exits 2 naming the engines; so does run', () => {
    for (const verb of ['command', 'run']) {
      const r = cli([verb, '--engine', 'bogus', '--cores', '1', '--', 'x']);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--engine must be one of aio\|onednn, got "bogus"/);
      assert.equal(r.stdout, '');
    }
  });

  test('--check on the Altra (no bf16): fpmath-bf16-unsupported and aio-var-with-onednn, with --format json', () => {
    const r = cli([
      'command',
      '--sysroot',
      fixtureRoot('arm64-altra-1p-80c'),
      '--engine',
      'onednn',
      '--cores',
      '0-3',
      '--set',
      'DNNL_DEFAULT_FPMATH_MODE=BF16',
      '--set',
      'AIO_IMPLICIT_FP16_TRANSFORM_FILTER=.*',
      '--format',
      'json',
      '--',
      'python3',
      'run.py',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      engine: string;
      env: Record<string, string>;
      checks: { code: string }[];
    };
    assert.equal(out.engine, 'onednn');
    const codes = out.checks.map((c) => c.code);
    assert.ok(codes.includes('fpmath-bf16-unsupported'), codes.join());
    assert.ok(codes.includes('aio-var-with-onednn'), codes.join());
    assert.equal(out.env.OMP_PLACES, '{0},{1},{2},{3}');
  });

  test("doctor --engine onednn does not ask stock PyTorch for Ampere's engine (aio does)", (t) => {
    const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
    if (!need(t, hasTorch, 'PyTorch for /usr/bin/python3')) return;
    type Report = { checks: { code: string }[]; skipped: { code: string; reason: string }[] };
    const run = (extra: string[]) =>
      JSON.parse(cli(['doctor', '--python', '/usr/bin/python3', '--json', ...extra]).stdout) as Report;
    const onednn = run(['--engine', 'onednn']);
    assert.ok(!onednn.checks.some((c) => c.code === 'engine-absent'));
    assert.match(onednn.skipped.find((x) => x.code === 'engine-absent')!.reason, /engine onednn/);
    assert.ok(run([]).checks.some((c) => c.code === 'engine-absent'));
  });

  test('sweep --engine onednn varies DNNL_DEFAULT_FPMATH_MODE; rows run without AIO_ variables', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const r = cli([
      'sweep',
      '--engine',
      'onednn',
      '--threads',
      '1',
      '--variant',
      'strict:DNNL_DEFAULT_FPMATH_MODE=STRICT',
      '--variant',
      'bf16:DNNL_DEFAULT_FPMATH_MODE=BF16',
      '--variants',
      'strict,bf16',
      '--json',
      '--',
      bench,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      rows: { variant: string; latencyMs: number | null; exitCode: number; commands: string[] }[];
    };
    assert.deepEqual(
      out.rows.map((x) => [x.variant, x.exitCode, x.latencyMs]),
      [
        ['strict', 0, 20.5],
        ['bf16', 0, 10.5],
      ],
    );
    // AIO's built-in variants are refused up front, before a sweep that would measure nothing they say.
    const refused = cli(['sweep', '--engine', 'onednn', '--variants', 'fp32,fp16', '--', bench]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /--variants fp16: built-in variants set AIO_\* variables/);
    for (const row of out.rows) {
      assert.doesNotMatch(row.commands[0]!, /AIO_/);
      assert.match(row.commands[0]!, /^OMP_NUM_THREADS=1 OMP_PLACES='\{\d+\}' OMP_PROC_BIND=close /);
    }
  });
});
