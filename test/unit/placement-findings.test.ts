/**
 * Placement findings judged on hand-built proofs against REAL topologies read from the kernel dumps in
 * test/fixtures (the app's own sysfs reader): each code firing, and not firing when the evidence says otherwise
 * or is missing.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  combinedRowProof,
  placementFindings,
  planOf,
  rowProof,
  type PlacementPlan,
} from '../../app/run/proof/findings';
import { defaultSettings } from '../../app/shared/command';
import type { RunProof, ThreadProof } from '../../app/shared/proof';
import { loadTopology, type Topology } from '../../app/topology';
import { fixtureRoot } from '../helpers/fixtures';

let x86: Topology; // 1 package, 4 cores, SMT: CPUs 0/1 are siblings of core 0
let altra2: Topology; // 2 nodes: CPUs 0-79 on node 0, 80-159 on node 1
before(async () => {
  x86 = await loadTopology({ sysroot: fixtureRoot('x86-1p-4c-smt') });
  altra2 = await loadTopology({ sysroot: fixtureRoot('arm64-altra-2p-160c-2node') });
});

let nextTid = 100;
function thread(cpus: Record<number, number>, extra: Partial<ThreadProof> = {}): ThreadProof {
  const ms = Object.values(cpus).reduce((a, b) => a + b, 0);
  const tid = nextTid++;
  return {
    tid,
    name: 'python3',
    pid: 99,
    cpuTimeMs: ms,
    cpus: Object.fromEntries(Object.entries(cpus).map(([c, v]) => [c, v])),
    allowed: null,
    ...extra,
  };
}
function proof(threads: ThreadProof[], extra: Partial<RunProof> = {}): RunProof {
  return {
    samples: 40,
    samplerCpuPercent: 0.5,
    durationMs: 2000,
    threads,
    memoryByNode: {},
    counters: null,
    cpuFreqMHz: {},
    ...extra,
  };
}
const plan = (topology: Topology, cpus: number[], memNodes: number[] | null = null): PlacementPlan => ({
  topology,
  cpus,
  memNodes,
});
const codes = (fs: { code: string }[]): string[] => fs.map((f) => f.code).sort();
const MiB = 1048576;

describe('placement findings', () => {
  test('a proof with no threads and no memory says nothing', () => {
    assert.deepEqual(placementFindings(proof([]), plan(altra2, [0, 1])), []);
    assert.deepEqual(placementFindings(proof([], { durationMs: null }), plan(x86, [0])), []);
  });

  test('threads-share-cpu: 4 busy threads living on CPU 1, fix = threads per selected CPU', () => {
    const ts = [1, 2, 3, 4].map(() => thread({ 1: 1900 * 0.3, 0: 10 }));
    // each used 570+10 ms of 2 s (29 %): not busy, no oversubscription finding
    assert.deepEqual(codes(placementFindings(proof(ts), plan(altra2, [1]))), []);
    const busy = [1, 2, 3, 4].map(() => thread({ 1: 1500, 5: 20 }));
    const f = placementFindings(proof(busy), plan(altra2, [1]));
    const share = f.find((x) => x.code === 'threads-share-cpu');
    assert.ok(share, JSON.stringify(f));
    assert.equal(share.severity, 'warning');
    assert.match(
      share.message,
      /^4 threads of the run live on CPU 1 and take turns on it \(oversubscription\); the run has 1 selected CPU$/,
    );
    assert.equal(share.evidence?.length, 4);
    assert.match(
      share.evidence![0]!.value,
      /CPU 1: tid \d+ \(python3\), 99 % of its 1520 ms CPU \+ 0 ms waiting, 76 % of its 2000 ms life/,
    );
    assert.deepEqual(share.fix?.patch, { threads: 1 });
  });

  test('threads-share-cpu from the intervals: a worker pool wanting 30-40 % of its life each, 2.4 CPUs together', () => {
    const main = thread({ 1: 1500 }, { waitMs: 300, lifeMs: 2000, startMs: -100 });
    const workers = [1, 2, 3].map(() => thread({ 1: 120 }, { waitMs: 180, lifeMs: 800, startMs: 1100 }));
    const contention = { '1': { ms: 750, peakDemand: 2.43, tids: [main.tid, ...workers.map((w) => w.tid)] } };
    const f = placementFindings(proof([main, ...workers], { contention }), plan(altra2, [1]));
    const share = f.find((x) => x.code === 'threads-share-cpu');
    assert.ok(share, JSON.stringify(f));
    assert.match(
      share.message,
      /^4 threads of the run live on CPU 1 and take turns on it \(oversubscription\): for 0\.8 s of the run they wanted up to 2\.4 CPUs' worth of it/,
    );
    assert.match(share.evidence![0]!.value, /oversubscribed for 750 ms of 2000 ms; peak demand 2\.43 CPUs/);
    assert.equal(share.evidence!.length, 5);
    assert.deepEqual(share.fix?.patch, { threads: 1 });
    // The same threads with too short a contended stretch (one interval at a pass boundary): no finding.
    const brief = { '1': { ...contention['1'], ms: 150 } };
    assert.ok(
      !placementFindings(proof([main, ...workers], { contention: brief }), plan(altra2, [1])).some(
        (x) => x.code === 'threads-share-cpu',
      ),
    );
  });

  test('busy over its own life: a worker that wanted 60 % of its 600 ms life is busy; two such share a CPU', () => {
    const w = () => thread({ 2: 180 }, { waitMs: 180, lifeMs: 600, startMs: 1300 });
    const f = placementFindings(proof([w(), w()]), plan(altra2, [2]));
    assert.deepEqual(codes(f), ['threads-share-cpu']);
    assert.equal(rowProof(proof([w(), w()]), plan(altra2, [2])).busyThreads, 2);
    // Without its life known, 360 ms wanted over the 2 s run is not busy.
    const plain = () => thread({ 2: 180 }, { waitMs: 180 });
    assert.deepEqual(codes(placementFindings(proof([plain(), plain()]), plan(altra2, [2]))), []);
  });

  test('two busy processes one after the other on CPU 1 did not share it', () => {
    const a = thread({ 1: 900 }, { lifeMs: 950, startMs: 0, pid: 10 });
    const b = thread({ 1: 900 }, { lifeMs: 950, startMs: 1000, pid: 11 });
    assert.deepEqual(codes(placementFindings(proof([a, b]), plan(altra2, [1]))), []);
  });

  test('threads-share-cpu fires even when other selected CPUs are idle (and these are reported too)', () => {
    const f = placementFindings(proof([thread({ 2: 1500 }), thread({ 2: 1400 })]), plan(altra2, [2, 3]));
    assert.deepEqual(codes(f), ['selected-cpus-idle', 'threads-share-cpu']);
    const idle = f.find((x) => x.code === 'selected-cpus-idle')!;
    assert.match(idle.message, /CPU 3 was hardly used/);
    assert.deepEqual(idle.fix?.patch, { threads: 2 });
  });

  test('two busy threads on distinct selected CPUs: no finding', () => {
    const f = placementFindings(
      proof([thread({ 0: 1900 }), thread({ 1: 1800, 0: 30 })]),
      plan(altra2, [0, 1]),
    );
    assert.deepEqual(f, []);
  });

  test('a thread spread over its two CPUs lives on neither: no share finding', () => {
    const f = placementFindings(
      proof([thread({ 0: 900, 1: 900 }), thread({ 0: 900, 1: 900 })]),
      plan(altra2, [0, 1]),
    );
    assert.deepEqual(codes(f), []);
  });

  test('thread-outside-selection: evidence names the CPUs, ms and the allowed list', () => {
    const t = thread({ 0: 400, 1: 1200 }, { allowed: [1], name: 'worker' });
    const f = placementFindings(proof([thread({ 0: 1900 }), t]), plan(altra2, [0]));
    const out = f.find((x) => x.code === 'thread-outside-selection');
    assert.ok(out, JSON.stringify(f));
    assert.equal(out.severity, 'warning');
    assert.match(
      out.message,
      new RegExp(`Thread ${t.tid} \\(worker\\) ran 1200 ms on CPU 1, outside the selection 0`),
    );
    assert.deepEqual(
      out.evidence?.map((e) => e.value),
      ['CPU 1: 1200 ms', 'Cpus_allowed_list: 1'],
    );
    // a trivial spill (under 50 ms, or 5 % of the thread's time) is noise
    const g = placementFindings(proof([thread({ 0: 1900, 1: 40 })]), plan(altra2, [0]));
    assert.deepEqual(codes(g), []);
    // an unbound run has no outside
    assert.deepEqual(codes(placementFindings(proof([t]), plan(altra2, []))), []);
  });

  test('memory-remote: CPUs on node 1, memory on node 0 (AIO_MEM_BIND=1 style); fix binds to node 1', () => {
    const p = proof([thread({ 80: 1900 })], { memoryByNode: { '0': 300 * MiB, '1': 100 * MiB } });
    const f = placementFindings(p, plan(altra2, [80]));
    const mem = f.find((x) => x.code === 'memory-remote');
    assert.ok(mem, JSON.stringify(f));
    assert.match(
      mem.message,
      /^75 % of the run's resident memory is on nodes other than node 1 \(the nodes of its CPUs\)/,
    );
    assert.deepEqual(mem.fix?.patch, { memPolicy: 'bind', memNodes: [1], env: { AIO_MEM_BIND: null } });
    assert.match(mem.fix!.label, /numactl --membind=1/);
    assert.match(mem.evidence![0]!.value, /node 0: 300 MiB, node 1: 100 MiB/);
    assert.equal(rowProof(p, plan(altra2, [80])).remoteMemoryShare, 0.75);
  });

  test('memory-remote: judged against memNodes when bound; 10 % is the threshold; no memory read = no finding', () => {
    const p = proof([], { memoryByNode: { '0': 95 * MiB, '1': 5 * MiB } });
    assert.deepEqual(codes(placementFindings(p, plan(altra2, [0]))), []);
    assert.deepEqual(codes(placementFindings(p, plan(altra2, [0], [1]))), ['memory-remote']);
    const q = proof([], { memoryByNode: { '0': 89 * MiB, '1': 11 * MiB } });
    assert.deepEqual(codes(placementFindings(q, plan(altra2, [0]))), ['memory-remote']);
    assert.deepEqual(codes(placementFindings(proof([]), plan(altra2, [0]))), []);
    // unbound, no memNodes: no plan to judge against
    assert.deepEqual(codes(placementFindings(q, plan(altra2, []))), []);
  });

  test('smt-siblings-busy: busy threads on CPUs 0 and 1, siblings of core 0 on the x86 fixture', () => {
    const f = placementFindings(proof([thread({ 0: 1900 }), thread({ 1: 1900 })]), plan(x86, [0, 1]));
    assert.deepEqual(codes(f), ['smt-siblings-busy']);
    assert.match(f[0]!.message, /CPUs 0 and 1, SMT siblings of one core \(core 0\)/);
    // CPUs 0 and 2 are distinct cores: nothing to say
    assert.deepEqual(
      placementFindings(proof([thread({ 0: 1900 }), thread({ 2: 1900 })]), plan(x86, [0, 2])),
      [],
    );
  });

  test('migrations-high: perf count per second per busy thread over 10', () => {
    const counters = {
      taskClockMs: 3800,
      contextSwitches: 100,
      cpuMigrations: 50,
      pageFaults: 1000,
      unavailable: [],
    };
    const ts = () => [thread({ 0: 1900 }), thread({ 1: 1900 })];
    // 50 in 2 s for 2 busy threads = 12.5/s/thread
    const f = placementFindings(proof(ts(), { counters }), plan(altra2, [0, 1]));
    assert.deepEqual(codes(f), ['migrations-high']);
    assert.equal(f[0]!.severity, 'warning');
    assert.deepEqual(f[0]!.evidence, [{ source: 'perf stat cpu-migrations', value: '50' }]);
    assert.deepEqual(
      codes(
        placementFindings(
          proof(ts(), { counters: { ...counters, cpuMigrations: 30 } }),
          plan(altra2, [0, 1]),
        ),
      ),
      [],
    );
    assert.equal(rowProof(proof(ts(), { counters }), plan(altra2, [0, 1])).cpuMigrations, 50);
  });

  test('migrations-high without perf: a busy thread wandering over 3 CPUs, none holding 80 %', () => {
    const w = thread({ 0: 600, 1: 600, 2: 600 });
    const f = placementFindings(proof([w]), plan(altra2, [0, 1, 2]));
    assert.deepEqual(codes(f), ['migrations-high']);
    assert.equal(f[0]!.severity, 'info');
  });

  test('busy falls back to the plan duration, then to the busiest thread, when the proof has none', () => {
    const ts = () => [thread({ 1: 900 }), thread({ 1: 900 })];
    // 900 ms in a 2 s run: not busy
    assert.deepEqual(
      codes(
        placementFindings(proof(ts(), { durationMs: undefined }), { ...plan(altra2, [1]), durationMs: 2000 }),
      ),
      [],
    );
    // no duration anywhere: the busiest thread defines the run
    assert.deepEqual(codes(placementFindings(proof(ts(), { durationMs: undefined }), plan(altra2, [1]))), [
      'threads-share-cpu',
    ]);
  });

  test('rowProof counts busy threads', () => {
    const p = proof([thread({ 0: 1900 }), thread({ 1: 1500 }), thread({ 1: 100 })]);
    assert.deepEqual(rowProof(p, plan(altra2, [0, 1])), {
      busyThreads: 2,
      remoteMemoryShare: null,
      cpuMigrations: null,
    });
  });

  test('planOf: memory nodes of the policy, else those of the CPUs', () => {
    const s = { ...defaultSettings(), cpus: [80, 81] };
    assert.equal(planOf({ ...s, memPolicy: 'bind', memNodes: [0] }, altra2).memNodes?.join(), '0');
    assert.equal(planOf({ ...s, memPolicy: 'local', memNodes: [0] }, altra2).memNodes, null);
    const p = proof([], { memoryByNode: { '0': 50 * MiB, '1': 50 * MiB } });
    assert.equal(rowProof(p, planOf({ ...s, memPolicy: 'none' }, altra2)).remoteMemoryShare, 0.5);
  });

  test('combinedRowProof: a multi-instance row adds busy threads and migrations, weighs memory by bytes', () => {
    const c = (m: number | null) => ({
      taskClockMs: 1,
      contextSwitches: 1,
      cpuMigrations: m,
      pageFaults: 1,
      unavailable: [],
    });
    const a = proof([thread({ 0: 1900 })], { memoryByNode: { '0': 300 * MiB }, counters: c(3) });
    const b = proof([thread({ 80: 1900 }), thread({ 81: 1900 })], {
      memoryByNode: { '0': 100 * MiB },
      counters: c(4),
    });
    assert.deepEqual(
      combinedRowProof([
        { proof: a, plan: plan(altra2, [0]) },
        { proof: b, plan: plan(altra2, [80, 81]) },
      ]),
      { busyThreads: 3, remoteMemoryShare: 0.25, cpuMigrations: 7 },
    );
    const noPerf = proof([thread({ 0: 1900 })]);
    assert.equal(
      combinedRowProof([
        { proof: a, plan: plan(altra2, [0]) },
        { proof: noPerf, plan: plan(altra2, [0]) },
      ])?.cpuMigrations,
      null,
    );
    assert.equal(combinedRowProof([]), undefined);
  });
});
