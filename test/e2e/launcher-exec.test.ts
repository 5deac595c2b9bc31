// Each launcher form executed for real where its tool runs here (issue 17): the line `aio-tuner command
// --format F` prints is run by bash, and the bound process reports its own affinity from /proc.
// taskset and run_cpu bind CPU 1 of this machine; the OpenMP variables pin libgomp's threads (torch's);
// docker-cpuset runs on a real Docker engine (test/helpers/docker.ts); systemd-run cannot start a scope here
// (systemd is not PID 1), so its options are checked by systemd-run's own parser, then against the grammar.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, freshHome } from '../helpers/serve';
import '../helpers/dist';
import { dockerUnavailable, startDocker, IMAGE, type DockerEngine } from '../helpers/docker';
import { buildCommand, defaultSettings } from '../../app/command';
import { readSysfsTopology } from '../../app/topology';
import { fixtureRoot } from '../helpers/fixtures';

const PY = '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const hasNumactl = spawnSync('numactl', ['--show'], { stdio: 'ignore' }).status === 0;
const twoCpus = spawnSync('nproc', [], { encoding: 'utf8' }).stdout.trim() !== '1';
const dir = mkdtempSync(join(tmpdir(), 'aio-launch-'));
const HOME = freshHome();
const AFF = join(dir, 'aff.py');
// Prints the CPUs this very process (and, for OpenMP, its main thread after torch's pool started) may run on.
writeFileSync(
  AFF,
  'import re\nst = open("/proc/thread-self/status").read()\n' +
    'print("AFF", re.search(r"Cpus_allowed_list:\\s*(\\S+)", st).group(1), flush=True)\n',
);

after(() => rmSync(dir, { recursive: true, force: true }));

function command(format: string, args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'command', '--format', format, ...args], {
    env: { ...process.env, AIO_TUNER_HOME: HOME },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return { text: r.stdout.trim(), limits: r.stderr };
}

function bash(text: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync('bash', ['-c', text], { encoding: 'utf8', timeout: 120_000, env, cwd: dir });
  return { status: r.status, out: r.stdout + r.stderr };
}

function affinity(out: string): string | undefined {
  return /AFF (\S+)/.exec(out)?.[1];
}

describe('launcher forms run for real', { skip: !twoCpus && 'needs 2 CPUs' }, () => {
  test('taskset: the child is bound to the selected CPU; no memory policy is claimed', () => {
    const { text, limits } = command('taskset', ['--cores', '1', '--', PY, AFF]);
    assert.match(text, /taskset -c 1 /);
    assert.match(limits, /limit: taskset sets CPU affinity only/);
    const r = bash(text);
    assert.equal(r.status, 0, r.out);
    assert.equal(affinity(r.out), '1', r.out);
    // Control: the same script unbound sees more than CPU 1.
    assert.notEqual(affinity(bash(`${PY} ${AFF}`).out), '1');
  });

  test(
    "run_cpu: spelled from the interpreter's --help, it binds its instance with numactl",
    { skip: (!hasTorch || !hasNumactl) && 'needs python3-torch and numactl' },
    () => {
      const { text, limits } = command('run_cpu', ['--cores', '1', '--', PY, AFF]);
      // torch 1.13 here: only the underscore spelling exists, and the help was read.
      assert.match(
        text,
        /-m torch\.backends\.xeon\.run_cpu --ninstances 1 --ncores_per_instance 1 --core_list 1 /,
      );
      assert.match(limits, /this interpreter's torch \(its --help, underscore spelling\)/);
      const r = bash(text);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /numactl -C 1-1 -m 0 /, 'run_cpu logs the numactl line it starts');
      assert.equal(affinity(r.out), '1', r.out);
    },
  );

  test(
    "omp: libgomp pins torch's OpenMP threads to the selection",
    { skip: !hasTorch && 'needs python3-torch' },
    () => {
      const script = join(dir, 'omp.py');
      writeFileSync(
        script,
        'import re, torch\ntorch.ones(1000).sum()\nst = open("/proc/thread-self/status").read()\n' +
          'print("AFF", re.search(r"Cpus_allowed_list:\\s*(\\S+)", st).group(1), torch.get_num_threads(), flush=True)\n',
      );
      const { text } = command('omp', ['--cores', '1', '--', PY, script]);
      assert.match(text, /OMP_PLACES='\{1\}' OMP_PROC_BIND=close GOMP_CPU_AFFINITY=1 /);
      const r = bash(text);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /AFF 1 1\b/, r.out);
      assert.doesNotMatch(
        bash(`${PY} ${script}`).out,
        /AFF 1 /,
        'without the variables the thread is not pinned',
      );
    },
  );

  test('systemd-run: systemd-run parses every option the form writes (no scope can start here)', () => {
    const { text, limits } = command('systemd-run', ['--cores', '1', '--', PY, AFF]);
    assert.match(
      text,
      /^systemd-run --scope -p 'AllowedCPUs=1' -p 'AllowedMemoryNodes=0' --setenv=AIO_NUM_THREADS=1 /,
    );
    assert.match(limits, /Needs systemd as PID 1/);
    const r = bash(text);
    assert.notEqual(r.status, 0);
    // An unknown option or a malformed -p would be refused before systemd-run looks for the bus.
    assert.doesNotMatch(
      r.out,
      /unrecognized option|invalid option|Unknown assignment|Failed to parse/i,
      r.out,
    );
    assert.match(r.out, /not been booted with systemd|Failed to connect to bus|Failed to create bus/i, r.out);
  });
});

describe('docker-cpuset on a real Docker engine', { skip: dockerUnavailable() ?? false }, () => {
  let engine: DockerEngine;
  before(async () => {
    engine = await startDocker();
  });
  after(async () => {
    await engine?.stop();
  });

  test('the container itself is the cpuset: its process sees the selected CPU and node', async () => {
    const t = await readSysfsTopology('/');
    const s = { ...defaultSettings(), cpus: [1], workload: ['cat', '/proc/self/status'], cwd: dir };
    const text = buildCommand(s, t, { image: IMAGE }).launchers!['docker-cpuset']!.text;
    assert.match(text, /^docker run --rm --cpuset-cpus 1 --cpuset-mems 0 /);
    assert.doesNotMatch(text, /numactl|--privileged/);
    // The registry-free test image is a skeleton: this machine's /usr and /etc are mounted into it, and the test
    // engine has no bridge network (test/helpers/docker.ts).
    const runnable = text.replace(
      /^docker run --rm /,
      'docker run --rm --network none -v /usr:/usr:ro -v /etc:/etc:ro ',
    );
    const r = bash(runnable, { ...process.env });
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /^Cpus_allowed_list:\s*1$/m, r.out);
    assert.match(r.out, /^Mems_allowed_list:\s*0$/m, r.out);
  });
});

describe('--import reads every launcher form back (CLI)', () => {
  const FIXTURE = ['--sysroot', fixtureRoot('arm64-altra-2p-160c-2node')];
  for (const format of ['taskset', 'docker-cpuset', 'systemd-run', 'run_cpu', 'omp']) {
    test(`${format}: printed, imported, rebuilt as the same numactl line`, () => {
      const args = [
        ...FIXTURE,
        '--cores',
        '84-87',
        '--mem',
        format === 'taskset' || format === 'omp' ? 'none' : 'bind',
      ];
      const workload = ['--', 'python3', 'run.py', '-p', 'fp32'];
      const printed = command(format, [...args, ...workload]).text;
      const direct = command('bash', [...args, ...workload]).text;
      const imported = command('bash', [...FIXTURE, '--import', printed]).text;
      assert.equal(imported, direct, `${format} line:\n${printed}`);
    });
  }
});
