// Domain rules of the generated command through the built `aio-tuner` binary and the real kernel dumps (issue 10
// items 7, 8, 9, 11, 12, 17): what a script gets on stdout, stderr and as the exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, freshHome } from '../helpers/serve';
import { FIXTURES_DIR, fixtureRoot } from '../helpers/fixtures';

const P2 = () => fixtureRoot('arm64-altra-2p-160c-2node');
const OI = () => fixtureRoot('arm64-offline-isolated');
const SMT_LSCPU = join(FIXTURES_DIR, 'lscpu', 'x86-1p-4c-smt.lscpu.txt');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: freshHome() },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Json {
  argv: string[];
  env: Record<string, string>;
  checks: { code: string; severity: string; message: string }[];
}

function json(args: string[]): Json {
  const r = cli(['command', '--format', 'json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Json;
}

const codes = (j: Json) => j.checks.map((c) => c.code);

test('AIO_MEM_BIND=0 whenever numactl binds memory elsewhere than exactly node 0 (item 7)', () => {
  for (const args of [
    ['--cores', '80-83'],
    ['--node', '1'],
    ['--spread', '4'],
    ['--import', 'AIO_NUM_THREADS=4 OMP_NUM_THREADS=4 numactl -C 80-83 -m 1 python3 run.py'],
    ['--cores', '0-3', '--mem', 'interleave', '--mem-nodes', '0-1'],
  ]) {
    const j = json(['--sysroot', P2(), ...args, ...(args[0] === '--import' ? [] : ['--', 'x'])]);
    assert.equal(j.env.AIO_MEM_BIND, '0', args.join(' '));
    assert.ok(!codes(j).includes('mem-bind-remote-node'), `${args.join(' ')}: ${codes(j)}`);
  }
  const zero = json(['--sysroot', P2(), '--cores', '0-3', '--', 'x']);
  assert.equal(zero.env.AIO_MEM_BIND, undefined, 'a bind to exactly node 0 agrees with the engine');
  const mine = json(['--sysroot', P2(), '--cores', '80-83', '--set', 'AIO_MEM_BIND=1', '--', 'x']);
  assert.equal(mine.env.AIO_MEM_BIND, '1', 'an explicit value is kept');
});

test('memory-less node: defaults go to the nearest node with memory; explicit choices are errors (item 8)', () => {
  for (const args of [
    ['--node', '1'],
    ['--first', '4'],
    ['--spread', '4'],
  ]) {
    const r = cli(['command', '--sysroot', OI(), ...args, '--check', '--', 'x']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, / --membind=0 x\n$/, args.join(' '));
  }
  for (const mem of ['bind', 'interleave']) {
    const r = cli([
      'command',
      '--sysroot',
      OI(),
      '--node',
      '1',
      '--mem',
      mem,
      '--mem-nodes',
      '1',
      '--check',
      '--',
      'x',
    ]);
    assert.equal(r.code, 3, `${mem}: ${r.stderr}`);
    assert.match(r.stdout, /=1 x\n$/, 'the explicit choice is not overridden');
    assert.match(r.stderr, /^error: membind-memoryless-node: /m);
  }
  const remote = cli([
    'command',
    '--sysroot',
    P2(),
    '--cores',
    '0-3',
    '--mem',
    'bind',
    '--mem-nodes',
    '1',
    '--check',
    '--',
    'x',
  ]);
  assert.equal(remote.code, 0, remote.stderr);
  assert.match(remote.stderr, /^warning: mem-policy-remote-node: /m);
});

test('one thread variable on its own is the thread count for both (item 9)', () => {
  const j = json(['--sysroot', P2(), '--import', 'OMP_NUM_THREADS=2 numactl -C 0-3 python3 x.py']);
  assert.equal(j.env.AIO_NUM_THREADS, '2');
  assert.equal(j.env.OMP_NUM_THREADS, '2');
  assert.ok(!codes(j).includes('threads-mismatch'));
});

test('a repeated CPU is bound once and reported as cpus-duplicate, typed or imported (item 11)', () => {
  for (const args of [
    ['--cores', '0,0,1', '--', 'x'],
    ['--import', 'numactl -C 0,0,1 python3 x.py'],
  ]) {
    const j = json(['--sysroot', P2(), ...args]);
    assert.ok(j.argv.includes('--physcpubind=0-1'), j.argv.join(' '));
    assert.equal(j.env.AIO_NUM_THREADS, '2');
    assert.ok(codes(j).includes('cpus-duplicate'), `${args.join(' ')}: ${codes(j)}`);
    assert.ok(!codes(j).includes('threads-exceed-cores'));
  }
});

test('an imported lscpu summary of an SMT machine has 4 cores, like its sysfs view (item 12)', () => {
  const first = cli(['command', '--from', SMT_LSCPU, '--first', '8', '--', 'x']);
  assert.equal(first.code, 2);
  assert.match(first.stderr, /only 4 usable cores/);
  for (const source of [
    ['--from', SMT_LSCPU],
    ['--sysroot', fixtureRoot('x86-1p-4c-smt')],
  ]) {
    const j = json([...source, '--cores', '0-7', '--', 'x']);
    const c = j.checks.find((x) => x.code === 'threads-exceed-cores');
    assert.equal(c?.severity, 'error', source[0]);
  }
});

test('terminal hygiene: one-line errors, exact numbers, $-quoted control characters (item 17)', () => {
  const nl = cli(['command', '--sysroot', P2(), '--cores', '1\n2', '--', 'x']);
  assert.equal(nl.code, 2);
  assert.equal(nl.stderr.split('\n').length, 2, `one line: ${JSON.stringify(nl.stderr)}`);
  assert.match(nl.stderr, /"1\\n2"/);
  const big = cli(['command', '--sysroot', P2(), '--cores', '99999999999999999999', '--', 'x']);
  assert.equal(big.code, 2);
  assert.match(big.stderr, /CPU 99999999999999999999 is out of range/);
  const first = cli(['command', '--sysroot', P2(), '--first', '99999999999999999999', '--', 'x']);
  assert.equal(first.code, 2);
  assert.match(first.stderr, /got 99999999999999999999\n$/);
  const ctl = cli(['command', '--sysroot', P2(), '--cores', '0', '--', 'x', 'a\x1b[2Jb']);
  assert.equal(ctl.code, 0, ctl.stderr);
  assert.match(ctl.stdout, / x \$'a\\x1b\[2Jb'\n$/);
  assert.doesNotMatch(ctl.stdout, /\x1b/);
});
