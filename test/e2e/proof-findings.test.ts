// Issue 13's Done-when through the built CLI: real PyTorch runs bound with numactl, their proof of placement
// (threads, memory per node, software counters) and the placement findings it raises. Needs the sampler and perf
// (helpers "sampler", "perf") merged: without them `proof` is null and these fail on that first assertion.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isBusy } from '../../app/run/proof/findings';
import type { Finding } from '../../app/shared/findings';
import type { RunProof } from '../../app/shared/proof';
import { need } from '../helpers/require';
import { CLI } from '../helpers/serve';

const PY = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'aio-proof-findings-'));
const home = join(dir, 'home');
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
after(() => rmSync(dir, { recursive: true, force: true }));

interface RunJson {
  findings: Finding[];
  proof: RunProof | null;
  durationMs: number;
}

function run(args: string[]): RunJson {
  const r = spawnSync(process.execPath, [CLI, 'run', '--json', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}
// Issue 13's Done-when command, exactly.
const bench = ['--', PY, 'examples/bench.py', '--num_runs', '40'];
// The findings' rule: wanted a CPU (ran, or waited in a run queue) for more than half its life in the run.
const busyOf = (p: RunProof, durationMs: number) =>
  p.threads.filter((t) => isBusy(t, p.durationMs ?? durationMs));

// Two single-threaded processes that each spin for SPIN_S seconds: bound together to one CPU they take turns on
// it (each runs about half the time and waits the other half); bound to two CPUs each has its own.
const SPIN_S = 2;
const spin = `import time\nend = time.time() + ${SPIN_S}\nwhile time.time() < end:\n    pass\n`;
const spinners = (): string[] => {
  const file = join(dir, 'spin.py');
  writeFileSync(file, spin);
  return ['--', '/bin/sh', '-c', `${PY} ${file} & ${PY} ${file}; wait`];
};
const placementCodes = ['threads-share-cpu', 'thread-outside-selection', 'memory-remote', 'migrations-high'];

describe('placement findings of real runs', () => {
  test('4 threads of bench.py bound to CPU 1: threads-share-cpu, all on CPU 1, memory on node 0, software counters', (t) => {
    if (!need(t, existsSync(PY) && hasNumactl, `${PY} and numactl`)) return;
    const j = run(['--cores', '1', '--threads', '4', ...bench]);
    assert.ok(j.proof, 'run --json carries the proof');
    assert.ok(j.proof.threads.length >= 4, 'the interpreter and its intra-op threads');
    for (const th of j.proof.threads)
      assert.deepEqual(
        Object.keys(th.cpus).filter((c) => (th.cpus[c] ?? 0) > 0),
        th.cpuTimeMs > 0 ? ['1'] : [],
        `thread ${th.tid} ran only on CPU 1`,
      );
    assert.ok((j.proof.memoryByNode['0'] ?? 0) > 0, JSON.stringify(j.proof.memoryByNode));
    const c = j.proof.counters;
    assert.ok(c && !c.error, `perf counted: ${c?.error}`);
    for (const k of ['taskClockMs', 'contextSwitches', 'cpuMigrations', 'pageFaults'] as const)
      assert.equal(typeof c[k], 'number', k);
    assert.ok(
      j.proof.threads.every((th) => typeof th.waitMs === 'number'),
      'run-queue wait read from schedstat',
    );
    // The intra-op pool lives only the last part of the run (after `import torch`): while passes run, the
    // interpreter and its workers want CPU 1 several times over.
    const share = j.findings.find((f) => f.code === 'threads-share-cpu');
    assert.ok(share, `${j.findings.map((f) => f.code).join()} ${JSON.stringify(j.proof.contention)}`);
    assert.match(share.message, /live on CPU 1 and take turns on it \(oversubscription\): for \d+\.\d s/);
    assert.deepEqual(share.fix?.patch, { threads: 1 });
    const cpu1 = j.proof.contention?.['1'];
    assert.ok(cpu1 && cpu1.tids.length >= 4 && cpu1.peakDemand > 1.5, JSON.stringify(j.proof.contention));
    for (const th of j.proof.threads) {
      assert.equal(typeof th.lifeMs, 'number', `life of ${th.tid}`);
      assert.ok(th.lifeMs! <= j.durationMs + 500, `life ${th.lifeMs} within the run ${j.durationMs}`);
    }
  });

  test('two spinning processes bound to one CPU: threads-share-cpu, with its fix', (t) => {
    if (!need(t, existsSync(PY) && hasNumactl, `${PY} and numactl`)) return;
    const j = run(['--cores', '1', ...spinners()]);
    assert.ok(j.proof, 'run --json carries the proof');
    const share = j.findings.find((f) => f.code === 'threads-share-cpu');
    assert.ok(share, `${j.findings.map((f) => f.code).join()} ${JSON.stringify(j.proof.threads)}`);
    assert.match(share.message, /live on CPU 1/);
    assert.deepEqual(share.fix?.patch, { threads: 1 });
    const busy = busyOf(j.proof, j.durationMs);
    assert.equal(busy.length, 2, JSON.stringify(j.proof.threads));
    for (const th of busy) assert.ok((th.waitMs ?? 0) > 200, `thread ${th.tid} waited for the CPU`);
  });

  test('the same two processes on CPUs 0-1: two busy threads on distinct selected CPUs, no placement finding', (t) => {
    if (!need(t, existsSync(PY) && hasNumactl, `${PY} and numactl`)) return;
    const j = run(['--cores', '0-1', ...spinners()]);
    assert.ok(j.proof, 'run --json carries the proof');
    const busy = busyOf(j.proof, j.durationMs);
    assert.equal(busy.length, 2, JSON.stringify(j.proof.threads));
    const homes = busy.map((th) => Object.entries(th.cpus).sort((a, b) => b[1] - a[1])[0]![0]);
    assert.deepEqual(homes.sort(), ['0', '1']);
    assert.deepEqual(
      j.findings.filter((f) => placementCodes.includes(f.code)),
      [],
    );
  });

  test('a thread that re-pins itself outside the selection: thread-outside-selection', (t) => {
    if (!need(t, existsSync(PY) && hasNumactl, `${PY} and numactl`)) return;
    // Bound to CPU 0 by numactl; one thread widens its own affinity to CPU 1 (in the cpuset) and spins there.
    const script = join(dir, 'repin.py');
    writeFileSync(
      script,
      `import os, threading, time
def spin():
    os.sched_setaffinity(0, {1})
    end = time.time() + 1.0
    while time.time() < end:
        pass
th = threading.Thread(target=spin, name="repinned")
th.start(); th.join()
print("done")
`,
    );
    const j = run(['--cores', '0', '--threads', '1', '--', PY, script]);
    assert.ok(j.proof, 'run --json carries the proof');
    const out = j.findings.find((f) => f.code === 'thread-outside-selection');
    assert.ok(out, j.findings.map((f) => f.code).join());
    assert.match(out.message, /on CPU 1, outside the selection 0/);
    assert.ok(
      out.evidence?.some((e) => /Cpus_allowed_list: 1/.test(e.value)),
      JSON.stringify(out.evidence),
    );
  });
});
