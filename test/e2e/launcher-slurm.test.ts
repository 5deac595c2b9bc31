/**
 * The slurm format executed for real (issue 17 item 2): a one-machine Slurm cluster (test/helpers/slurm.ts:
 * slurmctld + slurmd, select/cons_tres, task/affinity) runs the rendered `srun …` line through bash, and the
 * task reports what the kernel applied: its CPU affinity, memory policy, environment and directory.
 * Under CI=true a missing Slurm fails the suite; elsewhere it is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { boundCpus, defaultSettings, envFor, policyNodes, type RunSettings } from '../../app/command';
import { slurmLauncher } from '../../app/command/launchers/slurm';
import type { LauncherInput } from '../../app/command/launchers/types';
import { lex } from '../../app/command/shlex';
import { formatCpuList } from '../../app/shared/cpulist';
import type { Topology } from '../../app/shared/topology';
import { readSysfsTopology } from '../../app/topology/sysfs';
import { slurmUnavailable, startSlurm, type SlurmCluster } from '../helpers/slurm';

const CI = process.env.CI === 'true';
const unavailable = slurmUnavailable();
if (unavailable && CI) throw new Error(`${unavailable}: required when CI=true`);
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const PY = '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch']).status === 0;

// What the task prints about itself: the kernel's view of its binding, then the variables the run sets.
const REPORT = [
  'sh',
  '-c',
  'grep -E "^Cpus_allowed_list" /proc/self/status; numactl --show | grep -E "^(policy|membind|preferred):"; ' +
    'echo "AIO_NUM_THREADS=${AIO_NUM_THREADS-unset} OMP_NUM_THREADS=${OMP_NUM_THREADS-unset}"; ' +
    'echo "AIO_NUMA_CPUS=${AIO_NUMA_CPUS-unset} AIO_TEST_GONE=${AIO_TEST_GONE-unset}"; echo "pwd=$(pwd)"',
];

let cluster: SlurmCluster;
let host: Topology;

function inputFor(s: RunSettings, t: Topology | null): LauncherInput {
  return { settings: s, plan: envFor(s, t), cpus: boundCpus(s), memNodes: policyNodes(s, t), topology: t };
}

function settings(patch: Partial<RunSettings>): RunSettings {
  return { ...defaultSettings(), workload: REPORT, ...patch };
}

/** Runs one shell line against the test cluster; `env` adds to the caller's environment. */
function sh(line: string, env: Record<string, string> = {}) {
  const r = spawnSync('bash', ['-c', line], {
    env: { ...cluster.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function field(out: string, re: RegExp): string | undefined {
  return re.exec(out)?.[1];
}

describe('the slurm format on a real one-machine Slurm cluster', { skip: unavailable ?? false }, () => {
  before(async () => {
    cluster = await startSlurm();
    host = await readSysfsTopology('/');
  });
  after(async () => {
    await cluster?.stop();
  });

  test('a 1-CPU and a 2-CPU selection: the task runs on exactly the selected CPUs', (t) => {
    const online = host.cpus.filter((c) => c.online).map((c) => c.id);
    if (online.length < 2) return t.skip('needs a machine with 2 CPUs');
    const last = online[online.length - 1]!;
    for (const cpus of [[last], online.slice(0, 2)]) {
      const line = slurmLauncher.render(inputFor(settings({ cpus }), host));
      assert.match(line, new RegExp(`^srun -n1 -c${cluster.cpus} --exclusive --cpu-bind=mask_cpu:0x`));
      const r = sh(line);
      assert.equal(r.status, 0, `${line}\n${r.err}\n${cluster.log().slice(-2000)}`);
      assert.equal(field(r.out, /^Cpus_allowed_list:\s*(\S+)$/m), formatCpuList(cpus), line);
      assert.equal(field(r.out, /AIO_NUM_THREADS=(\S+)/), String(cpus.length));
      assert.equal(field(r.out, /OMP_NUM_THREADS=(\S+)/), String(cpus.length));
      assert.equal(field(r.out, /AIO_NUMA_CPUS=(.*) AIO_TEST_GONE/), cpus.join(' '));
    }
  });

  test(
    'a multi-threaded PyTorch process keeps every selected CPU: each of its threads may run on all of them',
    { skip: !hasTorch && 'needs python3-torch' },
    (t) => {
      const online = host.cpus.filter((c) => c.online).map((c) => c.id);
      if (online.length < 2) return t.skip('needs a machine with 2 CPUs');
      const cpus = online.slice(0, 2);
      const code = [
        'import os, torch',
        // An element-wise op over a large tensor runs in ATen's OpenMP pool, which starts the worker threads.
        'y = torch.randn(4_000_000)',
        '[y.exp() for _ in range(5)]',
        'print("torch_threads=%d" % torch.get_num_threads())',
        'for tid in sorted(os.listdir("/proc/self/task")):',
        '    line = [l for l in open("/proc/self/task/%s/status" % tid) if l.startswith("Cpus_allowed_list")][0]',
        '    print("thread %s %s" % (tid, line.split()[1]))',
      ].join('\n');
      const line = slurmLauncher.render(inputFor(settings({ cpus, workload: [PY, '-c', code] }), host));
      const r = sh(line);
      assert.equal(r.status, 0, `${line}\n${r.err}`);
      assert.equal(field(r.out, /torch_threads=(\d+)/), '2');
      const threads = [...r.out.matchAll(/^thread \d+ (\S+)$/gm)].map((m) => m[1]);
      assert.ok(threads.length >= 2, r.out);
      for (const list of threads) assert.equal(list, formatCpuList(cpus), r.out);
    },
  );

  test("the issue's lines: map_cpu gives the task one CPU, mask_cpu several; --import reads both", (t) => {
    if (cluster.cpus < 2) return t.skip('needs a machine with 2 CPUs');
    const map = sh('srun -n1 -c2 --cpu-bind=map_cpu:1 grep Cpus_allowed_list /proc/self/status');
    assert.equal(map.status, 0, map.err);
    assert.match(map.out, /Cpus_allowed_list:\s*1$/m);
    const mask = sh('srun -n1 -c2 --cpu-bind=mask_cpu:0x3 grep Cpus_allowed_list /proc/self/status');
    assert.equal(mask.status, 0, mask.err);
    assert.match(mask.out, /Cpus_allowed_list:\s*0-1$/m);
    const words = (text: string) => lex(text).commands[0]!.map((w) => w.value);
    assert.deepEqual(slurmLauncher.parse(words('srun -n1 -c2 --cpu-bind=map_cpu:1 x'))!.settings.cpus, [1]);
    assert.deepEqual(
      slurmLauncher.parse(words('srun -n1 -c2 --cpu-bind=mask_cpu:0x3 x'))!.settings.cpus,
      [0, 1],
    );
  });

  test('why the step asks for the whole node: with -c1 srun refuses a mask outside its one CPU', (t) => {
    if (cluster.cpus < 2) return t.skip('needs a machine with 2 CPUs');
    // An idle node hands a 1-CPU step CPU 0; the mask names only the last CPU.
    const r = sh(`srun -n1 -c1 --cpu-bind=mask_cpu:0x${(1 << (cluster.cpus - 1)).toString(16)} true`);
    assert.notEqual(r.status, 0);
    assert.match(r.err, /CPU binding outside of job step allocation/);
  });

  test(
    'memory policy: bind and preferred reach the task as its NUMA policy',
    { skip: !hasNumactl && 'needs numactl' },
    () => {
      const cpus = [host.cpus.find((c) => c.online)!.id];
      const node = host.cpus.find((c) => c.id === cpus[0])!.node ?? 0;
      const bind = slurmLauncher.render(inputFor(settings({ cpus, memPolicy: 'bind' }), host));
      assert.match(bind, new RegExp(`--mem-bind=mask_mem:0x${(1 << node).toString(16)} `));
      const b = sh(bind);
      assert.equal(b.status, 0, b.err);
      assert.match(b.out, /^policy: bind$/m);
      assert.match(b.out, new RegExp(`^membind: ${node}\\s*$`, 'm'));

      const pref = slurmLauncher.render(inputFor(settings({ cpus, memPolicy: 'preferred' }), host));
      assert.match(pref, new RegExp(`--mem-bind=prefer,map_mem:${node} `));
      const p = sh(pref);
      assert.equal(p.status, 0, p.err);
      assert.match(p.out, /^policy: preferred$/m);
      assert.match(p.out, new RegExp(`^preferred: ${node}\\s*$`, 'm'));

      const none = sh(slurmLauncher.render(inputFor(settings({ cpus, memPolicy: 'none' }), host)));
      assert.equal(none.status, 0, none.err);
      assert.match(none.out, /^policy: default$/m);
    },
  );

  test("the run's variables win over the caller's, unset ones are gone, --chdir is the task's directory", () => {
    const dir = mkdtempSync(join(tmpdir(), 'aio slurm cwd '));
    try {
      const s = settings({ cpus: [0], threads: 1, env: { AIO_TEST_GONE: null }, cwd: dir });
      const line = slurmLauncher.render(inputFor(s, host));
      const caller = { OMP_NUM_THREADS: '9', AIO_NUM_THREADS: '9', AIO_TEST_GONE: 'still here' };
      const r = sh(line, caller);
      assert.equal(r.status, 0, `${line}\n${r.err}`);
      assert.equal(field(r.out, /AIO_NUM_THREADS=(\S+)/), '1');
      assert.equal(field(r.out, /OMP_NUM_THREADS=(\S+)/), '1');
      assert.equal(field(r.out, /AIO_TEST_GONE=(.*)$/m), 'unset');
      assert.equal(field(r.out, /^pwd=(.*)$/m), dir);
      // The form the line avoids: srun's --export=ALL,NAME=value loses to the caller's value (srun(1)).
      const exported = sh(
        'srun -n1 --export=ALL,OMP_NUM_THREADS=1 sh -c \'echo "omp=$OMP_NUM_THREADS"\'',
        caller,
      );
      assert.match(exported.out, /omp=9/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the rendered line read back and rendered again is the same line, and runs the same', () => {
    const s = settings({ cpus: [0], env: { OMP_PROC_BIND: 'close', AIO_TEST_GONE: null }, debugMode: 1 });
    const line = slurmLauncher.render(inputFor(s, host));
    const parsed = slurmLauncher.parse(lex(line).commands[0]!.map((w) => w.value))!;
    const back: RunSettings = { ...defaultSettings(), ...parsed.settings };
    assert.deepEqual(back.cpus, [0]);
    assert.deepEqual(back.env, { OMP_PROC_BIND: 'close', AIO_TEST_GONE: null });
    assert.equal(back.debugMode, 1);
    assert.deepEqual(back.workload, REPORT);
    const again = slurmLauncher.render(inputFor(back, host));
    assert.equal(again, line);
    const r = sh(again);
    assert.equal(r.status, 0, r.err);
    assert.match(r.out, /^Cpus_allowed_list:\s*0$/m);
  });
});
