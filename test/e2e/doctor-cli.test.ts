// `aio-tuner doctor` as users run it (the built CLI): this host's real files and programs, a fixture dump through
// --sysroot --json, run-shaped options whose binding numactl refuses (exit 3), and usage errors (exit 2).
import '../helpers/dist';
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { need } from '../helpers/require';
import { doctorRoot } from '../helpers/doctor-fixtures';
import type { DoctorReport } from '../../app/shared/doctor';

const dir = mkdtempSync(join(tmpdir(), 'aio-doctor-cli-'));
const home = join(dir, 'home');
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasTaskset = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], prefix: string[] = []) {
  const argv = [...prefix, process.execPath, CLI, 'doctor', ...args];
  return spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 120_000,
  });
}
const json = (stdout: string) => JSON.parse(stdout) as DoctorReport & { schemaVersion: number };

describe('aio-tuner doctor', () => {
  test("on this host: exit 0 and the findings this host's files justify, each with its fix", () => {
    const r = cli([]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Host doctor: this machine \(/);
    const thp = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8').trim();
    if (!thp.includes('[always]')) {
      // The CI VM's THP is madvise: the block names the file, the value read and the command.
      assert.match(r.stdout, /WARNING thp-not-always\n/);
      assert.ok(r.stdout.includes(`read: /sys/kernel/mm/transparent_hugepage/enabled: ${thp}\n`));
      assert.match(r.stdout, /\$ echo always \| sudo tee \/sys\/kernel\/mm\/transparent_hugepage\/enabled\n/);
    }
    assert.match(r.stdout, /Skipped \(\d+\):\n(.|\n)*numactl-cannot-bind: no run given/);
    assert.match(r.stdout, /\d+ error\(s\), \d+ warning\(s\), \d+ info, \d+ passed, \d+ skipped\n$/);
    const j = json(cli(['--json']).stdout);
    assert.equal(j.schemaVersion, 1);
    assert.deepEqual(j.source, { kind: 'host' });
    assert.ok(j.checks.every((c) => c.evidence && c.evidence.length > 0));
    assert.equal(j.checks.length + j.passed.length + j.skipped.length, 15);
  });

  test('--sysroot on a fixture dump --json: the file-based checks, and "not checkable from a dump" skips', () => {
    const root = doctorRoot('arm64-offline-isolated', 'good', 'thp-never', 'numa-balancing', 'page-4k');
    const r = cli(['--sysroot', root, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = json(r.stdout);
    assert.deepEqual(j.source, { kind: 'sysroot', path: root });
    const codes = j.checks.map((c) => `${c.severity}:${c.code}`);
    for (const c of [
      'warning:thp-not-always',
      'warning:numa-balancing-on',
      'warning:page-size',
      'info:cpuset-restricted',
    ])
      assert.ok(codes.includes(c), `${c} in ${codes.join(', ')}`);
    // Errors first, then warnings, then info.
    const rank = { error: 0, warning: 1, info: 2 };
    assert.deepEqual(
      j.checks.map((c) => rank[c.severity]),
      j.checks.map((c) => rank[c.severity]).sort(),
    );
    const thp = j.checks.find((c) => c.code === 'thp-not-always')!;
    assert.equal(thp.evidence![0]!.value, 'always madvise [never]');
    assert.equal(thp.fix!.command, 'echo always | sudo tee /sys/kernel/mm/transparent_hugepage/enabled');
    for (const code of ['numactl-missing', 'numactl-cannot-bind', 'threads-env-inherited', 'engine-absent'])
      assert.equal(j.skipped.find((s) => s.code === code)?.reason, 'not checkable from a dump', code);
    assert.ok(j.passed.some((p) => p.code === 'governor-not-performance'));
  });

  test('a run whose memory node does not exist: numactl-cannot-bind, exit 3, and what works instead', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const r = cli(['--import', 'numactl --physcpubind=0 --membind=7 /usr/bin/python3 run.py', '--json']);
    assert.equal(r.status, 3, r.stderr);
    const f = json(r.stdout).checks[0]!;
    assert.equal(f.code, 'numactl-cannot-bind');
    assert.equal(f.severity, 'error');
    assert.equal(f.evidence![0]!.source, 'numactl --physcpubind=0 --membind=7 true on this machine');
    assert.match(f.evidence![0]!.value, /node argument 7 is out of range/);
    assert.match(f.message, /What works here: bind the CPUs only, with no memory policy \(--mem none\)/);
    // The same node by flags is refused before anything is tried, as `run` refuses it.
    const flags = cli(['--cores', '0', '--mem', 'bind', '--mem-nodes', '7']);
    assert.equal(flags.status, 2);
    assert.match(flags.stderr, /NUMA node 7 does not exist on this machine/);
  });

  test('a run on a CPU outside the allowed set (taskset): cpuset-restricted warning and exit 3', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    if (!hasTaskset) return t.skip('a second CPU is needed for taskset -c 1');
    const r = cli(['--cores', '0', '--mem', 'bind'], ['taskset', '-c', '1']);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stdout, /^ERROR numactl-cannot-bind\n/m);
    assert.match(
      r.stdout,
      /read: numactl --physcpubind=0 --membind=0 true on this machine: exit 1: libnuma: Warning: cpu argument 0 is out of range/,
    );
    assert.match(r.stdout, /^WARNING cpuset-restricted\n {2}This process may not use CPU 0 of the machine/m);
    assert.ok(cli(['--cores', '0', '--mem', 'bind']).status === 0);
  });

  test('usage errors exit 2 with one line; an unreachable target exits 1 with one line', () => {
    for (const [args, msg] of [
      [['--bogus'], /unknown option --bogus/],
      [['--sysroot', join(dir, 'nope')], /--sysroot: cannot read .*: no such directory/],
      [
        ['--sysroot', dir, '--target', 'ssh://me@example.invalid'],
        /--target reads the target machine itself/,
      ],
      [['--from', '/etc/hostname'], /unknown option --from/],
      [['--python', ''], /--python needs the path/],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.equal(r.stdout, '');
    }
    const r = cli(['--target', 'ssh://me@example.invalid']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^aio-tuner: doctor: cannot examine ssh:\/\/me@example\.invalid: /);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });
});
