/**
 * memory-remote on REAL two-node recordings: /proc/PID/numa_maps of a busybox sh that held a 32 MiB string
 * under Debian's numactl in a two-node x86 guest (test/fixtures/numa_maps/README.md says how they were made),
 * cross-checked against `numastat -p` of the same process, and judged against the topology that guest's kernel
 * dumped (x86-2p-4c-2node: CPUs 0-1 on node 0, 2-3 on node 1).
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { placementFindings, planOf, rowProof } from '../../app/run/proof/findings';
import { memoryByNodeFromNumaMaps } from '../../app/run/proof/procfs';
import { applyFix, defaultSettings, type RunSettings } from '../../app/shared/command';
import type { RunProof } from '../../app/shared/proof';
import { loadTopology, type Topology } from '../../app/topology';
import { fixtureRoot, fixtureText } from '../helpers/fixtures';

const PAGE = 4096;
const MiB = 1048576;
const CASES = ['membind0', 'interleave-all', 'firsttouch'] as const;
const recording = (c: string, ext: string): string => fixtureText(`numa_maps/sh-32MiB-cpunode1-${c}.${ext}`);

/** `numastat -p`'s "Total" row: MB (2^20 bytes) per node, in the order of its "Node N" header. */
function numastatTotals(text: string): Map<number, number> {
  const lines = text.split('\n');
  const header = lines.find((l) => /^\s+Node \d+/.test(l));
  const total = lines.find((l) => l.startsWith('Total'));
  assert.ok(header && total, `not a numastat -p output:\n${text}`);
  const nodes = [...header.matchAll(/Node (\d+)/g)].map((m) => Number(m[1]));
  const mb = total.trim().split(/\s+/).slice(1).map(Number);
  return new Map(nodes.map((n, i) => [n, mb[i]!]));
}

function proofOf(byNode: Map<number, number>): RunProof {
  // Only memory was recorded (no thread samples): the findings can judge memory alone.
  return {
    samples: 1,
    samplerCpuPercent: 0,
    durationMs: null,
    threads: [],
    memoryByNode: Object.fromEntries([...byNode].map(([n, b]) => [String(n), b])),
    counters: null,
    cpuFreqMHz: {},
  };
}

let topo: Topology;
let node1Cpus: number[];
before(async () => {
  topo = await loadTopology({ sysroot: fixtureRoot('x86-2p-4c-2node') });
  node1Cpus = topo.nodes.find((n) => n.id === 1)!.cpus;
});

describe('numa_maps recorded on a two-node guest', () => {
  test('the guest: two nodes, CPUs 0-1 and 2-3, distance 20; the recordings ran on node 1', () => {
    assert.deepEqual(
      topo.nodes.map((n) => [n.id, n.cpus]),
      [
        [0, [0, 1]],
        [1, [2, 3]],
      ],
    );
    assert.deepEqual(topo.nodes[0]!.distances, [10, 20]);
    for (const c of CASES) assert.match(recording(c, 'numactl-show'), /^cpubind: 1 $/m, c);
  });

  test('per-node totals match numastat -p of the same process', () => {
    for (const c of CASES) {
      const ours = memoryByNodeFromNumaMaps(recording(c, 'numa_maps'));
      const theirs = numastatTotals(recording(c, 'numastat'));
      assert.deepEqual([...theirs.keys()], [0, 1], c);
      for (const [node, mb] of theirs) {
        // numastat prints MB with two decimals (0.005 MB = 1.3 pages of rounding) and read numa_maps a moment
        // after `cat` did, after a fork (a copy-on-write fault can move a page): allow rounding plus 2 pages.
        const diff = Math.abs((ours.get(node) ?? 0) - mb * MiB);
        assert.ok(diff <= 0.005 * MiB + 2 * PAGE, `${c} node ${node}: ${ours.get(node)} B vs ${mb} MB`);
      }
    }
  });

  test('the page counts, summed by hand from the recordings', () => {
    const pages = (c: string) =>
      Object.fromEntries(
        [...memoryByNodeFromNumaMaps(recording(c, 'numa_maps'))].map(([n, b]) => [n, b / PAGE]),
      );
    // membind0: the 8193-page string, heap, stack on node 0; busybox's text (its initramfs pages) on node 1
    assert.deepEqual(pages('membind0'), { 0: 8229, 1: 400 });
    assert.deepEqual(pages('interleave-all'), { 0: 3855, 1: 4771 });
    assert.deepEqual(pages('firsttouch'), { 1: 8628 });
  });

  test('AIO_MEM_BIND=1 style (CPUs of node 1, memory bound to node 0): memory-remote, 95 %, fix binds to node 1', () => {
    // The plan the user meant: node 1's CPUs, memory left to the engine (which AIO_MEM_BIND=1 sent to node 0).
    const settings: RunSettings = {
      ...defaultSettings(),
      cpus: node1Cpus,
      memPolicy: 'none',
      env: { AIO_MEM_BIND: '1' },
    };
    const p = proofOf(memoryByNodeFromNumaMaps(recording('membind0', 'numa_maps')));
    const f = placementFindings(p, planOf(settings, topo));
    assert.deepEqual(
      f.map((x) => x.code),
      ['memory-remote'],
    );
    const mem = f[0]!;
    assert.equal(mem.severity, 'warning');
    assert.match(
      mem.message,
      /^95 % of the run's resident memory is on nodes other than node 1 \(the nodes of its CPUs\)/,
    );
    assert.equal(mem.evidence![0]!.value, 'node 0: 32 MiB, node 1: 2 MiB');
    assert.match(mem.fix!.label, /numactl --membind=1\b/);
    assert.match(mem.fix!.label, /AIO_MEM_BIND=1 .*leave it unset/);
    assert.deepEqual(mem.fix!.patch, { memPolicy: 'bind', memNodes: [1], env: { AIO_MEM_BIND: null } });
    assert.ok(Math.abs(rowProof(p, planOf(settings, topo)).remoteMemoryShare! - 8229 / 8629) < 1e-12);

    // The fixed settings bind to node 1; the recording where memory landed there passes them.
    const fixed = applyFix(settings, { label: mem.fix!.label, patch: mem.fix!.patch! });
    assert.equal(fixed.env.AIO_MEM_BIND, null);
    const local = proofOf(memoryByNodeFromNumaMaps(recording('firsttouch', 'numa_maps')));
    assert.deepEqual(placementFindings(local, planOf(fixed, topo)), []);
    assert.equal(rowProof(local, planOf(fixed, topo)).remoteMemoryShare, 0);
    // ...and the misplaced one still fails them.
    assert.deepEqual(
      placementFindings(p, planOf(fixed, topo)).map((x) => x.code),
      ['memory-remote'],
    );
  });

  test('interleaved on both nodes: 45 % remote for a node-1 plan, nothing for an interleave-all plan', () => {
    const p = proofOf(memoryByNodeFromNumaMaps(recording('interleave-all', 'numa_maps')));
    const onNode1: RunSettings = { ...defaultSettings(), cpus: node1Cpus, memPolicy: 'local' };
    const f = placementFindings(p, planOf(onNode1, topo));
    assert.deepEqual(
      f.map((x) => x.code),
      ['memory-remote'],
    );
    assert.match(f[0]!.message, /^45 % of the run's resident memory is on nodes other than node 1 /);
    assert.equal(f[0]!.evidence![0]!.value, 'node 0: 15 MiB, node 1: 19 MiB');
    assert.ok(Math.abs(rowProof(p, planOf(onNode1, topo)).remoteMemoryShare! - 3855 / 8626) < 1e-12);

    const interleaved: RunSettings = { ...onNode1, memPolicy: 'interleave', memNodes: [0, 1] };
    assert.deepEqual(placementFindings(p, planOf(interleaved, topo)), []);
    assert.equal(rowProof(p, planOf(interleaved, topo)).remoteMemoryShare, 0);
  });

  test('first touch on node 1 CPUs without a bind: all local, no finding', () => {
    const p = proofOf(memoryByNodeFromNumaMaps(recording('firsttouch', 'numa_maps')));
    const s: RunSettings = { ...defaultSettings(), cpus: node1Cpus, memPolicy: 'none' };
    assert.deepEqual(placementFindings(p, planOf(s, topo)), []);
  });
});
