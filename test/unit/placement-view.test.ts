/**
 * The map's and run view's placement model (renderer/src/map/placement.ts): hand-built RunProof and
 * LivePlacement objects over the real 2-socket Altra dump (2 nodes, 80 CPUs each), turned into what the user
 * sees: thread counts and busy shares per CPU, outside marks, node memory bars, the threads table and counters.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { readSysfsTopology } from '../../app/topology';
import type { Topology } from '../../app/shared/topology';
import type { LivePlacement, RunProof, ThreadProof } from '../../app/shared/proof';
import { buildMapTree, type MapTree } from '../../renderer/src/map/model';
import {
  counterRows,
  fromLive,
  fromRecorded,
  homeCpu,
  intendedNodes,
  memoryBars,
  threadRows,
  whereText,
} from '../../renderer/src/map/placement';
import { fixtureRoot } from '../helpers/fixtures';

const GiB = 1024 ** 3;
let topo: Topology;
let tree: MapTree;
let node1Cpu: number;

before(async () => {
  topo = await readSysfsTopology(fixtureRoot('arm64-altra-2p-160c-2node'));
  tree = buildMapTree(topo);
  node1Cpu = topo.cpus.find((c) => c.node === 1)!.id;
});

const thread = (
  tid: number,
  name: string,
  cpus: Record<string, number>,
  extra: Partial<ThreadProof> = {},
) => ({
  tid,
  name,
  pid: 100,
  cpuTimeMs: Object.values(cpus).reduce((s, v) => s + v, 0),
  cpus,
  allowed: [0, 1],
  ...extra,
});

function proof(over: Partial<RunProof> = {}): RunProof {
  return {
    samples: 40,
    samplerCpuPercent: 0.8,
    threads: [
      thread(100, 'python3', { '0': 1900, '1': 50 }),
      thread(101, 'pt_thread', { '1': 1800 }),
      thread(102, 'idle', {}),
    ],
    memoryByNode: { '0': 3 * GiB, '1': GiB },
    counters: null,
    cpuFreqMHz: {},
    ...over,
  };
}

describe('fromRecorded: a finished run on the map', () => {
  test('two busy threads on CPUs 0 and 1: one thread each, busy share over the run, nothing outside', () => {
    const v = fromRecorded('r1', proof(), [0, 1], 2000);
    assert.deepEqual([...v.byCpu.keys()].sort(), [0, 1]);
    const c0 = v.byCpu.get(0)!;
    assert.deepEqual(
      c0.threads.map((t) => [t.tid, t.name]),
      [[100, 'python3']],
    );
    assert.equal(c0.busy, 0.95);
    assert.equal(c0.outside, false);
    // Thread 100's 50 ms on CPU 1 is under 5 % of its time: a visit, not listed.
    assert.deepEqual(
      v.byCpu.get(1)!.threads.map((t) => t.tid),
      [101],
    );
    assert.equal(v.byCpu.get(1)!.threads[0]!.ms, 1800);
    assert.equal(v.live, false);
  });

  test('four threads sharing CPU 1: one cell, four threads, busy capped at 100 %', () => {
    const p = proof({
      threads: [1, 2, 3, 4].map((i) => thread(200 + i, `w${i}`, { '1': 600 })),
    });
    const v = fromRecorded('r2', p, [1], 1000);
    assert.deepEqual([...v.byCpu.keys()], [1]);
    assert.equal(v.byCpu.get(1)!.threads.length, 4);
    assert.equal(v.byCpu.get(1)!.busy, 1);
  });

  test('a thread re-pinned to a CPU of node 1: that cell is marked outside, the selected one is not', () => {
    const p = proof({
      threads: [thread(300, 'main', { '0': 500 }), thread(301, 'stray', { [node1Cpu]: 900 })],
    });
    const v = fromRecorded('r3', p, [0, 1], 1000);
    assert.equal(v.byCpu.get(node1Cpu)!.outside, true);
    assert.equal(v.byCpu.get(0)!.outside, false);
    const { rows } = threadRows(p, [0, 1]);
    assert.deepEqual(
      rows.map((r) => [r.tid, r.outside]),
      [
        [301, true],
        [300, false],
      ],
    );
  });
});

describe('fromLive: the run.proof event', () => {
  const live: LivePlacement = {
    runId: 'r4',
    cpus: {
      '0': { threads: [{ tid: 1, name: 'a', busy: 0.9 }], busy: 0.9 },
      '1': { threads: [], busy: 0 },
      '5': { threads: [{ tid: 2, name: 'b', busy: 0.4 }], busy: 1.7 },
    },
    outside: [2],
    memoryByNode: { '0': GiB },
  };
  test('CPUs with threads only; a CPU outside the selection is marked; busy kept within 0-1', () => {
    const v = fromLive(live, [0, 1]);
    assert.equal(v.live, true);
    assert.deepEqual([...v.byCpu.keys()].sort(), [0, 5]);
    assert.equal(v.byCpu.get(5)!.outside, true);
    assert.equal(v.byCpu.get(5)!.busy, 1);
    assert.equal(v.byCpu.get(0)!.outside, false);
    assert.equal(v.memoryByNode.get(0), GiB);
  });
  test('without a known selection, the engine outside list decides', () => {
    const v = fromLive(live, []);
    assert.equal(v.byCpu.get(5)!.outside, true);
    assert.equal(v.byCpu.get(0)!.outside, false);
  });
});

describe('node memory bars', () => {
  test('CPUs of node 0 selected: node 0 is meant, node 1 holds a quarter in the warning colour', () => {
    const meant = intendedNodes(tree.byId, [0, 1], null);
    assert.deepEqual([...meant], [0]);
    const v = fromRecorded('r5', proof(), [0, 1], 2000);
    const bars = memoryBars(
      v.memoryByNode,
      meant,
      topo.nodes.map((n) => n.id),
    );
    assert.deepEqual(
      bars.map((b) => [b.node, b.bytes, b.width, b.share, b.intended]),
      [
        [0, 3 * GiB, 1, 0.75, true],
        [1, GiB, 1 / 3, 0.25, false],
      ],
    );
  });
  test('memNodes win over the CPUs nodes; CPUs spanning both nodes mean both', () => {
    assert.deepEqual([...intendedNodes(tree.byId, [0, 1], [1])], [1]);
    assert.deepEqual([...intendedNodes(tree.byId, [0, node1Cpu], null)].sort(), [0, 1]);
  });
  test('no memory read: empty bars, zero widths', () => {
    const bars = memoryBars(new Map(), new Set([0]), [0, 1]);
    assert.deepEqual(
      bars.map((b) => [b.bytes, b.width]),
      [
        [0, 0],
        [0, 0],
      ],
    );
  });
});

describe('run view: threads table and counters', () => {
  test('busiest first, where each lived, idle threads counted apart', () => {
    const { rows, idle } = threadRows(proof(), [0, 1]);
    assert.deepEqual(
      rows.map((r) => [r.tid, r.where]),
      [
        [100, 'CPU 0 (97%), also 1'],
        [101, 'CPU 1'],
      ],
    );
    assert.equal(idle, 1);
    assert.equal(homeCpu(thread(1, 'x', {})), null);
    assert.equal(whereText(thread(1, 'x', {})), 'not seen on a CPU');
  });

  test('refused counters are listed with their reason, never as 0', () => {
    const rows = counterRows({
      taskClockMs: 1234.5,
      contextSwitches: 0,
      cpuMigrations: 3,
      pageFaults: 4567,
      cycles: null,
      instructions: null,
      ipc: null,
      unavailable: [
        { name: 'cycles', reason: '<not supported>' },
        { name: 'instructions', reason: '<not supported>' },
        { name: 'remote_access', reason: 'no PMU in this VM' },
      ],
    });
    const by = new Map(rows.map((r) => [r.name, r]));
    assert.equal(by.get('task clock')!.value, '1,235 ms');
    assert.equal(by.get('context switches')!.value, '0', 'a counted zero is a zero');
    assert.equal(by.get('page faults')!.value, '4,567');
    assert.deepEqual(by.get('cycles'), { name: 'cycles', value: null, reason: '<not supported>' });
    assert.deepEqual(by.get('IPC'), {
      name: 'IPC',
      value: null,
      reason: 'needs both cycles and instructions',
    });
    assert.equal(by.get('remote_access')!.reason, 'no PMU in this VM');
    assert.ok(rows.every((r) => r.value !== '0' || r.name === 'context switches'));
  });

  test('perf not run: the software counters say why, and hardware ones it never tried are left out', () => {
    const rows = counterRows({
      taskClockMs: null,
      contextSwitches: null,
      cpuMigrations: null,
      pageFaults: null,
      unavailable: [],
      error: 'perf is not installed',
    });
    assert.deepEqual(
      rows.map((r) => [r.name, r.value, r.reason]),
      [
        ['task clock', null, 'perf is not installed'],
        ['context switches', null, 'perf is not installed'],
        ['CPU migrations', null, 'perf is not installed'],
        ['page faults', null, 'perf is not installed'],
      ],
    );
  });

  test('hardware counters and PMU events when counted', () => {
    const rows = counterRows({
      taskClockMs: 10,
      contextSwitches: 1,
      cpuMigrations: 0,
      pageFaults: 2,
      cycles: 2e9,
      instructions: 3e9,
      ipc: 1.5,
      events: { remote_access: 12345 },
      unavailable: [],
    });
    const by = new Map(rows.map((r) => [r.name, r.value]));
    assert.equal(by.get('IPC'), '1.50');
    assert.equal(by.get('cycles'), '2,000,000,000');
    assert.equal(by.get('remote_access'), '12,345');
  });
});
