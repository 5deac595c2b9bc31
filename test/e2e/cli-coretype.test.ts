// `--core-type NAME|fastest|slowest` and the core types in `topology`: the built binary over real dumps (a
// DynamIQ phone SoC from util-linux's test data, the derived x86 hybrid fixture) and one real run on this host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI, freshHome } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { utilLinuxRoot } from '../helpers/real-dumps';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: freshHome() },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const phone = (): string => utilLinuxRoot('arm-A510-A710-A715-X3');

test('topology prints one line per core type and carries them in --json', () => {
  const text = cli(['topology', '--sysroot', phone()]);
  assert.equal(text.code, 0, text.stderr);
  assert.deepEqual(
    text.stdout.split('\n').filter((l) => l.startsWith('core type ')),
    [
      'core type Cortex-X3: CPU 7 · 1 core · capacity 1024',
      'core type Cortex-A715: CPUs 3-4 · 2 cores · capacity 855',
      'core type Cortex-A710: CPUs 5-6 · 2 cores · capacity 855',
      'core type Cortex-A510: CPUs 0-2 · 3 cores · capacity 280',
    ],
  );
  const t = JSON.parse(cli(['topology', '--json', '--sysroot', phone()]).stdout);
  assert.deepEqual(
    t.coreTypes.map((x: { name: string }) => x.name),
    ['Cortex-X3', 'Cortex-A715', 'Cortex-A710', 'Cortex-A510'],
  );
  assert.equal(t.cpus[7].coreType, 'Cortex-X3');
  assert.equal(t.cpus[0].coreType, 'Cortex-A510');
  // A uniform machine: one type.
  const altra = JSON.parse(
    cli(['topology', '--json', '--sysroot', fixtureRoot('arm64-altra-1p-80c')]).stdout,
  );
  assert.deepEqual(
    altra.coreTypes.map((x: { name: string; cpus: number[] }) => [x.name, x.cpus.length]),
    [['Neoverse-N1', 80]],
  );
});

test('--core-type picks the cores of one type, one thread each', () => {
  const numaCpus = (args: string[]): string => {
    const r = cli(['command', '--format', 'env', ...args, '--', 'python3', 'bench.py']);
    assert.equal(r.code, 0, r.stderr);
    return /^AIO_NUMA_CPUS=(.*)$/m.exec(r.stdout)![1]!;
  };
  assert.equal(numaCpus(['--sysroot', phone(), '--core-type', 'fastest']), '7');
  assert.equal(numaCpus(['--sysroot', phone(), '--core-type', 'slowest']), '0 1 2');
  assert.equal(numaCpus(['--sysroot', phone(), '--core-type', 'Cortex-A710']), '5 6');
  assert.equal(numaCpus(['--sysroot', phone(), '--core-type', 'a715']), '3 4');
  assert.equal(numaCpus(['--sysroot', phone(), '--core-type', 'A510', '--count', '2']), '0 1');
  const hybrid = fixtureRoot('x86-1p-4c-smt-hybrid');
  assert.equal(numaCpus(['--sysroot', hybrid, '--core-type', 'P-core']), '0 2');
  assert.equal(numaCpus(['--sysroot', hybrid, '--core-type', 'e-core']), '4 6');
  const bash = cli(['command', '--sysroot', phone(), '--core-type', 'X3', '--', 'python3', 'bench.py']);
  assert.match(bash.stdout, /numactl --physcpubind=7 /);
});

test('a bad --core-type is a usage error (exit 2) naming the machine’s types, on every selecting command', () => {
  const types = 'types: Cortex-X3, Cortex-A715, Cortex-A710, Cortex-A510; also fastest, slowest';
  for (const sub of ['command', 'run', 'sweep', 'doctor', 'bundle']) {
    const extra = sub === 'sweep' ? ['--threads', '1'] : [];
    const r = cli([sub, '--sysroot', phone(), '--core-type', 'A78', ...extra, '--', 'true']);
    assert.equal(r.code, 2, `${sub}: ${r.stderr}`);
    assert.equal(
      r.stderr.trim(),
      `aio-tuner: --core-type: no core type "A78" on this machine (${types})`,
      sub,
    );
  }
  const ambiguous = cli([
    'command',
    '--sysroot',
    fixtureRoot('x86-1p-4c-smt-hybrid'),
    '--core-type',
    'intel',
    '--',
    'x',
  ]);
  assert.equal(ambiguous.code, 2);
  assert.match(
    ambiguous.stderr,
    /"intel" matches more than one core type \(types: Intel Core \(P-core\), Intel Atom \(E-core\)/,
  );
  const many = cli(['command', '--sysroot', phone(), '--core-type', 'X3', '--count', '2', '--', 'x']);
  assert.equal(many.code, 2);
  assert.equal(many.stderr.trim(), 'aio-tuner: --count 2: core type Cortex-X3 has only 1 usable core');
  const both = cli(['command', '--sysroot', phone(), '--core-type', 'X3', '--node', '0', '--', 'x']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /choose one of --cores, --first, --node, --spread, --core-type/);
  const unknown = cli([
    'command',
    '--from',
    'test/fixtures/lscpu/x86-1p-4c-smt.lscpu.txt',
    '--core-type',
    'fastest',
    '--',
    'x',
  ]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /core types of this machine are unknown \(lscpu source\)/);
});

test('run --core-type fastest binds a real process to this host’s fastest type', () => {
  const host = JSON.parse(cli(['topology', '--json']).stdout);
  const fastest = host.cpus
    .filter((c: { coreType: string; allowed: boolean }) => c.coreType === host.coreTypes[0].name && c.allowed)
    .map((c: { id: number; core: number }) => c);
  const onePerCore = [...new Map(fastest.map((c: { id: number; core: number }) => [c.core, c.id])).values()];
  const r = cli([
    'run',
    '--core-type',
    'fastest',
    '--',
    '/usr/bin/python3',
    '-c',
    'import os; print("affinity", sorted(os.sched_getaffinity(0)))',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`affinity \\[${onePerCore.join(', ')}\\]`));
});
