// Selection expressions through the built binary: issue 17's Done-when line (`--cores 'M1:0-3'` binds node 1's
// first four cores) on the real 2-socket and 384-CPU dumps, errors on one line with exit 2, and a profile that
// keeps the expression as typed beside its expansion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, freshHome } from '../helpers/serve';
import { FIXTURES_DIR } from '../helpers/fixtures';

const ALTRA = join(FIXTURES_DIR, 'arm64-altra-2p-160c-2node.tar.gz');
const BIG = join(FIXTURES_DIR, 'arm64-virt-2p-384c-4node.tar.gz');

function cli(args: string[], home = freshHome()) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("command --cores 'M1:0-3' binds node 1's first four cores", () => {
  const r = cli(['command', '--sysroot', ALTRA, '--cores', 'M1:0-3', '--', 'x']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /AIO_NUMA_CPUS='80 81 82 83'/);
  assert.match(r.stdout, /numactl --physcpubind=80-83 --membind=1 x$/m);

  // The 384-CPU machine: node 1 is CPUs 96-191; the same in likwid's and hwloc's spelling.
  for (const expr of ['M1:0-3', 'node:1.core:0-3', 'L:M1:0-3']) {
    const j = cli(['command', '--sysroot', BIG, '--cores', expr, '--format', 'json', '--', 'x']);
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout);
    assert.equal(out.env.AIO_NUMA_CPUS, '96 97 98 99', expr);
    assert.deepEqual(out.argv.slice(0, 3), ['numactl', '--physcpubind=96-99', '--membind=1'], expr);
  }
});

test('an expression that cannot be selected exits 2 with one clear line', () => {
  const r = cli(['command', '--sysroot', ALTRA, '--cores', 'S2:0-3', '--', 'x']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), 'aio-tuner: --cores: S2 does not exist: this machine has 2 sockets (S0-S1)');
  const h = cli(['command', '--sysroot', ALTRA, '--cores', 'node:1.core:80', '--', 'x']);
  assert.equal(h.code, 2);
  assert.equal(
    h.stderr.trim(),
    'aio-tuner: --cores: core:80 does not exist: node:1 has 80 cores (core:0-79)',
  );
});

test('a profile keeps the expression as typed and its expansion at save time', () => {
  const home = freshHome();
  const saved = cli(['profiles', 'save', 'n1', '--sysroot', ALTRA, '--cores', 'S1:0-3', '--', 'x'], home);
  assert.equal(saved.code, 0, saved.stderr);
  const exported = JSON.parse(cli(['profiles', 'export', 'n1'], home).stdout);
  const settings = JSON.stringify(exported);
  assert.match(settings, /"cpuExpr":"S1:0-3"/);
  assert.match(settings, /"cpus":\[80,81,82,83\]/);
  // Used later, it binds what was saved.
  const r = cli(['command', '--sysroot', ALTRA, '--profile', 'n1', '--format', 'env'], home);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^AIO_NUMA_CPUS=80 81 82 83$/m);
});

test('a sweep starts from the expression and keeps it in its record', () => {
  const home = freshHome();
  const r = cli(
    [
      'sweep',
      '--cores',
      'L:0',
      '--threads',
      '1',
      '--json',
      '--',
      '/usr/bin/python3',
      'examples/bench.py',
      '--num_runs',
      '20',
      '--warmup',
      '2',
    ],
    home,
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.rows.length, 1);
  assert.equal(out.rows[0].exitCode, 0);
  assert.match(out.rows[0].commands[0], /numactl --physcpubind=0 /);
  const dir = join(home, 'sweeps');
  const record = JSON.parse(
    readFileSync(
      join(
        dir,
        readdirSync(dir).find((f) => f.endsWith('.json'))!,
      ),
      'utf8',
    ),
  );
  assert.equal(record.spec.settings.cpuExpr, 'L:0');
  assert.deepEqual(record.spec.settings.cpus, [0]);
});
