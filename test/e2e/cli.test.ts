// The CLI as scripts use it: the built `aio-tuner` binary, real fixtures, real numactl, real PyTorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, freshHome } from '../helpers/serve';
import { fixtureRoot, tarballFixtures } from '../helpers/fixtures';

const FIXTURES = tarballFixtures();
const inCI = process.env.CI === 'true';
const haveNumactl = existsSync('/usr/bin/numactl');
const haveTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const needReal = (what: string, ok: boolean) => {
  if (!ok && inCI) throw new Error(`${what} is required under CI=true`);
  return ok ? false : `${what} is not installed`;
};

function cli(args: string[], opts: { home?: string } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: opts.home ?? freshHome() },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('topology --json over every kernel dump follows the JSON contract', () => {
  for (const name of FIXTURES) {
    const r = cli(['topology', '--json', '--sysroot', fixtureRoot(name)]);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(r.stdout);
    for (const k of ['source', 'model', 'arch', 'packages', 'nodes', 'cpus', 'caches'])
      assert.ok(k in t, `${name}: ${k}`);
    assert.equal(t.source, 'sysfs');
    for (const c of t.cpus)
      for (const k of [
        'id',
        'package',
        'node',
        'core',
        'cluster',
        'siblings',
        'online',
        'isolated',
        'allowed',
      ])
        assert.ok(k in c, `${name} cpu ${c.id}: ${k}`);
  }
  const two = JSON.parse(
    cli(['topology', '--json', '--sysroot', fixtureRoot('arm64-altra-2p-160c-2node')]).stdout,
  );
  assert.equal(two.model, 'Ampere Altra (Neoverse-N1)');
  assert.deepEqual(
    two.packages.map((p: { id: number }) => p.id),
    [0, 1],
  );
  assert.deepEqual(
    two.nodes.map((n: { distances: number[] }) => n.distances),
    [
      [10, 20],
      [20, 10],
    ],
  );
  assert.equal(
    new Set(two.cpus.map((c: { core: number }) => c.core)).size,
    160,
    'core ids unique across packages',
  );
  const off = JSON.parse(
    cli(['topology', '--json', '--sysroot', fixtureRoot('arm64-offline-isolated')]).stdout,
  );
  const cpu3 = off.cpus.find((c: { id: number }) => c.id === 3);
  assert.deepEqual([cpu3.online, cpu3.allowed, cpu3.core], [false, false, null]);
});

test('topology summary fits a 160-CPU machine on one screen', () => {
  const r = cli(['topology', '--sysroot', fixtureRoot('arm64-altra-2p-160c-2node')]);
  assert.equal(r.code, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.ok(lines.length < 40, `${lines.length} lines`);
  assert.match(r.stdout, /package 1: CPUs 80-159/);
  assert.match(r.stdout, /node 1: CPUs 80-159/);
});

test('topology --from imports every saved lscpu output', () => {
  const dir = join('test', 'fixtures', 'lscpu');
  for (const f of readdirSync(dir)) {
    const r = cli(['topology', '--json', '--from', join(dir, f)]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    assert.ok(JSON.parse(r.stdout).cpus.length > 0, f);
  }
  const m = JSON.parse(
    cli(['topology', '--json', '--from', join(dir, 'altramax-m128-30-2p.lscpu.txt')]).stdout,
  );
  assert.equal(m.cpus.length, 256);
  assert.equal(m.coarse, true);
  assert.match(m.model, /Altra Max/);
  const bad = cli(['topology', '--from', 'package.json']);
  assert.equal(bad.code, 2, 'text that is not a topology is bad input');
  assert.match(bad.stderr, /lscpu/);
  const missing = cli(['topology', '--from', '/nonexistent.txt']);
  assert.equal(missing.code, 2, 'a file that is not there is a usage error');
  assert.equal(missing.stderr, 'aio-tuner: --from: cannot read /nonexistent.txt: no such file\n');
});

test('command: JSON contract, checks, exit codes', () => {
  const root = fixtureRoot('arm64-altra-2p-160c-2node');
  const r = cli([
    'command',
    '--sysroot',
    root,
    '--node',
    '1',
    '--count',
    '8',
    '--format',
    'json',
    '--',
    'python3',
    'run.py',
    '-p',
    'fp32',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.argv.slice(0, 3), ['numactl', '--physcpubind=80-87', '--membind=1']);
  assert.equal(j.env.AIO_NUM_THREADS, '8');
  assert.equal(j.env.OMP_NUM_THREADS, '8');
  assert.equal(j.env.AIO_NUMA_CPUS, '80 81 82 83 84 85 86 87');
  // numactl binds memory to node 1, so the engine's node-0 binding is turned off and nothing is remote.
  assert.equal(j.env.AIO_MEM_BIND, '0');
  assert.ok(!j.checks.some((c: { code: string }) => c.code === 'mem-bind-remote-node'));

  const off = fixtureRoot('arm64-offline-isolated');
  const chk = cli(['command', '--sysroot', off, '--cores', '2-4', '--check', '--', 'python3', 'run.py']);
  assert.equal(chk.code, 3, 'an unavailable CPU is an error-severity finding');
  assert.match(chk.stderr, /cpus-unavailable/);

  const bad = cli(['command', '--cores', '3-1', '--', 'x']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, 'one clear line');
  assert.match(bad.stderr, /reversed/);
  assert.equal(cli(['command', '--bogus', '--', 'x']).code, 2);
  assert.equal(cli(['command', '--sysroot', root, '--mem-nodes', '7', '--', 'x']).code, 2);
  assert.equal(cli(['command', '--sysroot', root, '--cores', '0-200', '--', 'x']).code, 2);
});

test('command prints error-severity findings on stderr even without --check (exit code unchanged)', () => {
  const root = fixtureRoot('arm64-altra-2p-160c-2node');
  // No CPUs selected and no memory policy: no thread count, which the benchmark scripts refuse.
  const r = cli(['command', '--sysroot', root, '--mem', 'none', '--', 'python3', 'run.py']);
  assert.equal(r.code, 0, 'without --check the exit code stays 0');
  assert.equal(r.stdout, 'python3 run.py\n', 'stdout is still only the command');
  assert.match(r.stderr, /^error: no-threads: /m);
  // Only errors are shown unasked; warnings and info stay for --check.
  const warnOnly = cli(['command', '--sysroot', root, '--node', '1', '--count', '8', '--', 'x']);
  assert.equal(warnOnly.code, 0);
  assert.equal(warnOnly.stderr, '', 'a warning (mem-bind-remote-node) alone prints nothing without --check');
});

test('every subcommand answers --help / -h with its own usage, exit 0', () => {
  for (const sub of ['topology', 'serve', 'command', 'run', 'bundle', 'sweep', 'profiles']) {
    for (const flag of ['--help', '-h']) {
      const r = cli([sub, '--first', '2', flag]);
      assert.equal(r.code, 0, `${sub} ${flag}: ${r.stderr}`);
      assert.ok(r.stdout.startsWith(`Usage: aio-tuner ${sub}`), `${sub} ${flag}: ${r.stdout.slice(0, 80)}`);
      // The synopsis reads as a command line: it ends at the workload, with no description glued on.
      const synopsis = r.stdout.slice(0, r.stdout.indexOf('\n\n'));
      if (synopsis.includes('WORKLOAD')) assert.match(synopsis, /-- WORKLOAD \[ARGS\.\.\.\]\]?$/m, synopsis);
    }
  }
  const run = cli(['help', 'run']).stdout;
  assert.match(run, /--sysroot DIR \| --from FILE/);
  assert.match(run, /--quiet/);
  assert.match(cli(['--help']).stdout, /aio-tuner profiles/);
  // After --, -h belongs to the workload.
  const r = cli(['command', '--', 'ls', '-h']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ls -h$/m);
});

test('bad selections and flags: exit 2 with one clear line', () => {
  const two = fixtureRoot('arm64-altra-2p-160c-2node');
  const oneLine = (args: string[], expected: string) => {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `aio-tuner: ${expected}\n`);
  };
  oneLine(
    ['command', '--sysroot', two, '--first', '500', '--', 'x'],
    '--first 500: this machine has only 160 usable cores',
  );
  oneLine(
    ['command', '--sysroot', two, '--node', '1', '--count', '100', '--', 'x'],
    '--count 100: node 1 has only 80 usable cores',
  );
  oneLine(
    ['command', '--sysroot', two, '--spread', '161', '--', 'x'],
    '--spread 161: this machine has only 160 usable cores',
  );
  oneLine(
    ['command', '--sysroot', two, '--first', '--', 'x'],
    '--first needs a value (for a value that starts with "-", write --first=VALUE)',
  );
  oneLine(
    ['command', '--sysroot', two, '--mem', 'local', '--mem-nodes', '1', '--', 'x'],
    '--mem-nodes has no effect with --mem local: use --mem bind, preferred or interleave',
  );
  oneLine(['command', '--sysroot', two, '--mem-nodes', '', '--', 'x'], '--mem-nodes: the list is empty');
  oneLine(['command', '--from', '/nonexistent', '--', 'x'], '--from: cannot read /nonexistent: no such file');
  oneLine(['run', '--from', '/nonexistent', '--', 'true'], '--from: cannot read /nonexistent: no such file');
  oneLine(
    ['run', '--bogus', '--', 'true'],
    'unknown option --bogus (the workload and its arguments go after --); see aio-tuner run --help',
  );
});

test('profiles through the CLI: save, list, use with overrides, export, import, delete, corrupt files', () => {
  const home = freshHome();
  const two = fixtureRoot('arm64-altra-2p-160c-2node');
  const ok = (args: string[]) => {
    const r = cli(args, { home });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const json = ([sub, ...rest]: string[]) => JSON.parse(ok([sub!, '--format', 'json', ...rest]).stdout);
  assert.deepEqual(JSON.parse(ok(['profiles', '--json']).stdout), []);
  // prettier-ignore
  ok(['profiles', 'save', 'node 1', '--sysroot', two, '--node', '1', '--count', '8', '--set', 'AIO_MEM_BIND=0',
    '--', 'python3', 'run.py', '-p', 'bf16']);
  assert.match(ok(['profiles']).stdout, /^node 1 {2}\d{4}-/);

  const saved = json(['command', '--sysroot', two, '--profile', 'node 1']);
  assert.deepEqual(saved.argv, [
    'numactl',
    '--physcpubind=80-87',
    '--membind=1',
    'python3',
    'run.py',
    '-p',
    'bf16',
  ]);
  assert.equal(saved.env.AIO_MEM_BIND, '0');
  const over = json([
    'command',
    '--sysroot',
    two,
    '--profile',
    'node 1',
    '--first',
    '2',
    '--',
    'python3',
    'b.py',
  ]);
  assert.deepEqual(over.argv, ['numactl', '--physcpubind=0-1', '--membind=0', 'python3', 'b.py']);
  assert.equal(over.env.AIO_MEM_BIND, '0', 'what no flag overrides comes from the profile');

  const unknown = cli(['command', '--sysroot', two, '--profile', 'nope'], { home });
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, 'aio-tuner: --profile: no profile named "nope" (saved: "node 1")\n');

  const file = join(home, 'export.json');
  ok(['profiles', 'export', 'node 1', '--out', file]);
  assert.match(ok(['profiles', 'import', file]).stdout, /imported profile "node 1 \(2\)"/);
  assert.deepEqual(json(['command', '--sysroot', two, '--profile', 'node 1 (2)']).argv, saved.argv);
  const missing = cli(['profiles', 'import', join(home, 'none.json')], { home });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /none\.json/);

  ok(['profiles', 'delete', 'node 1 (2)']);
  assert.deepEqual(
    JSON.parse(ok(['profiles', '--json']).stdout).map((p: { name: string }) => p.name),
    ['node 1'],
  );
  assert.equal(cli(['profiles', 'delete', 'node 1 (2)'], { home }).code, 2);

  writeFileSync(join(home, 'profiles', 'broken.json'), '{"format": "aio-tuner-profile", "vers');
  const listed = ok(['profiles', 'list', '--json']);
  const broken = JSON.parse(listed.stdout).find((p: { name: string }) => p.name === 'broken');
  assert.ok(broken?.error && broken.movedTo, 'reported with where it went');
  assert.ok(existsSync(broken.movedTo), 'moved aside, not lost');
  assert.match(listed.stderr, /profile "broken" could not be read .*moved to/);
  assert.equal(listed.stderr.trim().split('\n').length, 1);
});

test('--import seeds command settings from a pasted line; later flags override', () => {
  const two = fixtureRoot('arm64-altra-2p-160c-2node');
  const line = 'AIO_NUM_THREADS=4 OMP_NUM_THREADS=4 numactl -C 80-83 -m 1 python3 run.py -p bf16';
  const r = cli(['command', '--sysroot', two, '--import', line]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout.trim(),
    "AIO_NUM_THREADS=4 OMP_NUM_THREADS=4 AIO_NUMA_CPUS='80 81 82 83' AIO_MEM_BIND=0 numactl --physcpubind=80-83 --membind=1 python3 run.py -p bf16",
  );
  const o = cli(['command', '--sysroot', two, '--import', line, '--cores', '84-85', '--mem', 'interleave']);
  assert.equal(
    o.stdout.trim(),
    "AIO_NUM_THREADS=2 OMP_NUM_THREADS=2 AIO_NUMA_CPUS='84 85' AIO_MEM_BIND=0 numactl --physcpubind=84-85 --interleave=1 python3 run.py -p bf16",
  );
  assert.equal(cli(['command', '--import', line, '--profile', 'x']).code, 2);
});

test('run takes every command option: --check stops before start on an error, --format, --import', () => {
  const home = freshHome();
  const marker = join(home, 'started');
  const off = fixtureRoot('arm64-offline-isolated');
  const bad = cli(['run', '--sysroot', off, '--cores', '2-4', '--check', '--', 'touch', marker], { home });
  assert.equal(bad.code, 3, bad.stderr);
  assert.match(bad.stderr, /error: cpus-unavailable/);
  assert.equal(existsSync(marker), false, 'nothing was started');

  const good = cli(['run', '--threads', '1', '--check', '--', 'touch', marker], { home });
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stderr, /info: mem-policy-without-nodes/, '--check prints every finding');
  assert.ok(existsSync(marker));

  const imp = cli(
    [
      'run',
      '--import',
      `AIO_NUM_THREADS=1 OMP_NUM_THREADS=1 sh -c 'exit 5'`,
      '--format',
      'json',
      '--container',
      'c',
    ],
    { home },
  );
  assert.equal(imp.code, 5, imp.stderr);
  assert.match(imp.stderr, /"argv": \[\s*"sh",\s*"-c",\s*"exit 5"\s*\]/);
});

test(
  'run --cores 1: results parsed and the workload bound to CPU 1',
  { skip: needReal('numactl', haveNumactl) || needReal('python3-torch', haveTorch) },
  () => {
    const home = freshHome();
    const r = cli(
      [
        'run',
        '--cores',
        '1',
        '--json',
        '--',
        '/usr/bin/python3',
        'examples/bench.py',
        '-m',
        'cnn',
        '--num_runs',
        '10',
        '--timeout',
        '30',
      ],
      { home },
    );
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.exitCode, 0);
    assert.ok(j.results.latencyMs.mean > 0);
    assert.ok(j.results.throughput.value > 0);
    assert.equal(j.results.throughput.unit, 'samples/s');
    assert.ok(j.peakRssBytes > 10 * 1024 * 1024, 'peak memory of a PyTorch process tree');
    assert.ok(readFileSync(j.logFile, 'utf8').includes('LATENCY'));
    // Proof of where it ran: the engine's own record of each CPU's load over the run.
    const cpu1 = (j.cpuLoad as { cpu: number; mean: number; peak: number }[]).find((c) => c.cpu === 1);
    assert.ok(
      cpu1 && cpu1.mean > 0.4 && cpu1.peak > 0.7,
      `CPU 1 busy over the run: ${JSON.stringify(j.cpuLoad)}`,
    );

    const aff = cli(
      [
        'run',
        '--cores',
        '1',
        '--',
        '/usr/bin/python3',
        '-c',
        'import os; print(sorted(os.sched_getaffinity(0)))',
      ],
      { home },
    );
    assert.equal(aff.code, 0, aff.stderr);
    assert.equal(aff.stdout.trim(), '[1]');
  },
);

test('run passes exit codes and signals through, and explains failures before start', () => {
  const home = freshHome();
  assert.equal(cli(['run', '--', 'sh', '-c', 'exit 7'], { home }).code, 7);
  assert.equal(cli(['run', '--', 'sh', '-c', 'kill -SEGV $$'], { home }).code, 139);
  const missing = cli(['run', '--', 'no-such-program-xyz'], { home });
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /not found on PATH/);
  // The map shows another machine (a sysroot); binding to CPUs or nodes this one lacks is refused up front.
  const two = fixtureRoot('arm64-altra-2p-160c-2node');
  const cpu = cli(['run', '--sysroot', two, '--cores', '80', '--', 'true'], { home });
  assert.equal(cpu.code, 127);
  assert.match(cpu.stderr, /CPU 80 is not available on this machine/);
  const node = cli(['run', '--sysroot', two, '--cores', '1', '--mem-nodes', '1', '--', 'true'], { home });
  assert.equal(node.code, 127);
  assert.match(node.stderr, /NUMA node 1 does not exist on this machine/);
  const cwd = cli(['run', '--cwd', '/nonexistent-dir', '--', 'true'], { home });
  assert.equal(cwd.code, 127);
  assert.match(cwd.stderr, /does not exist/);
});

// Sleep durations unique to this test run: sleeps that anything else left on the machine are never counted.
const uniq = () => `${300 + Math.floor(Math.random() * 600)}.${process.pid}`;
const [A, B, C, D] = [uniq(), uniq(), uniq(), uniq()];

test('Ctrl-C in the CLI stops the whole run, grandchildren included', async () => {
  const home = freshHome();
  const child = spawn(
    process.execPath,
    [CLI, 'run', '--', 'sh', '-c', `sleep ${A} & sleep ${B} & echo started; wait`],
    {
      env: { ...process.env, AIO_TUNER_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => d.toString().includes('started') && resolve()),
  );
  const sleepers = () =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return [`sleep\x00${A}\x00`, `sleep\x00${B}\x00`].includes(
            readFileSync(`/proc/${p}/cmdline`, 'latin1'),
          );
        } catch {
          return false;
        }
      });
  assert.equal(sleepers().length, 2);
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.notEqual(code, 0);
  assert.deepEqual(sleepers(), [], 'no process of the run survives');
});

test('Ctrl-C during bundle stops its run and still writes the bundle', async () => {
  const home = freshHome();
  const child = spawn(
    process.execPath,
    [CLI, 'bundle', '--', 'sh', '-c', `echo captured; sleep ${C} & sleep ${D} & wait`],
    {
      env: { ...process.env, AIO_TUNER_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const sleepers = () =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return [`sleep\x00${C}\x00`, `sleep\x00${D}\x00`].includes(
            readFileSync(`/proc/${p}/cmdline`, 'latin1'),
          );
        } catch {
          return false;
        }
      });
  const t0 = Date.now();
  while (sleepers().length < 2) {
    assert.ok(Date.now() - t0 < 30_000, 'the bundle run started');
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 130);
  assert.deepEqual(sleepers(), [], 'no process of the run survives');
  const path = out.split('\n')[0]!;
  assert.match(path, /\.tar\.gz$/);
  const listing = spawnSync('tar', ['tzf', path], { encoding: 'utf8' }).stdout;
  assert.match(listing, /run\/output\.log/);
});
