/**
 * readSysfsTopology over every real kernel dump in test/fixtures and over this host.
 * Expected values are what the dumps really contain (checked against their sysfs files).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  formatCpuList,
  loadTopology,
  parseCpuList,
  readSysfsTopology,
  type Topology,
} from '../../app/topology';
import { fixtureRoot, tarballFixtures } from '../helpers/fixtures';

const cache = new Map<string, Promise<Topology>>();
function fixture(name: string): Promise<Topology> {
  let t = cache.get(name);
  if (!t) cache.set(name, (t = readSysfsTopology(fixtureRoot(name))));
  return t;
}

const ids = (t: Topology, pred: (c: Topology['cpus'][number]) => boolean): string =>
  formatCpuList(t.cpus.filter(pred).map((c) => c.id));
const KiB = 1024;

/** Facts every model must satisfy, whatever the machine. */
function assertInvariants(t: Topology): void {
  assert.deepEqual(
    t.cpus.map((c) => c.id),
    [...t.cpus.map((c) => c.id)].sort((a, b) => a - b),
    'cpus ascending',
  );
  for (const c of t.cpus) {
    if (c.allowed !== false) assert.ok(c.online, `CPU ${c.id} allowed (or unknown) but offline`);
    if (t.source === 'sysfs') {
      // sysfs and procfs do say: a reading of a machine is never "unknown" here, only imports are.
      assert.equal(typeof c.isolated, 'boolean', `CPU ${c.id} isolated`);
      assert.equal(typeof c.allowed, 'boolean', `CPU ${c.id} allowed`);
    }
    if (!c.online) {
      assert.equal(c.package, null);
      assert.equal(c.core, null);
      assert.equal(c.siblings, null);
    }
    if (c.siblings) assert.ok(c.siblings.includes(c.id), `CPU ${c.id} is among its own siblings`);
  }
  // A core index names exactly one sibling set, whichever package it is in.
  const byCore = new Map<number, string>();
  for (const c of t.cpus.filter((x) => x.core !== null)) {
    const set = c.siblings!.join(',');
    assert.equal(byCore.get(c.core!) ?? set, set, `core ${c.core} has one sibling set`);
    byCore.set(c.core!, set);
  }
  assert.deepEqual(
    [...byCore.keys()].sort((a, b) => a - b),
    [...Array(byCore.size).keys()],
    'cores are 0..N-1',
  );
  for (const n of t.nodes) if (n.distances) assert.equal(n.distances.length, t.nodes.length);
}

test('every tarball fixture reads and satisfies the model invariants', async () => {
  const names = tarballFixtures();
  assert.deepEqual(names, [
    'arm64-altra-1p-80c',
    'arm64-altra-2p-160c-2node',
    'arm64-offline-isolated',
    'arm64-virt-2p-384c-4node',
    'x86-1p-4c-2node',
    'x86-1p-4c-smt',
    'x86-1p-4c-smt-hybrid',
    'x86-2p-4c-2node',
  ]);
  for (const name of names) {
    const t = await fixture(name);
    assert.equal(t.source, 'sysfs');
    assert.equal(t.origin, fixtureRoot(name));
    assert.equal(t.coarse, false);
    assertInvariants(t);
  }
});

describe('arm64-altra-1p-80c (Altra Q80-30 class, 1 socket)', () => {
  test('80 CPUs = 80 cores in 1 package and 1 node', async () => {
    const t = await fixture('arm64-altra-1p-80c');
    assert.equal(t.cpus.length, 80);
    assert.equal(new Set(t.cpus.map((c) => c.core)).size, 80);
    assert.deepEqual(
      t.packages.map((p) => [p.id, formatCpuList(p.cpus)]),
      [[0, '0-79']],
    );
    assert.equal(t.nodes.length, 1);
    assert.equal(t.nodes[0]!.memoryBytes, 2017352 * KiB);
    assert.equal(t.nodes[0]!.freeBytes, 1822280 * KiB);
    assert.deepEqual(t.nodes[0]!.distances, [10]);
    assert.equal(t.memTotalBytes, 2017352 * KiB);
  });

  test('identifies the CPU from the MIDR', async () => {
    const t = await fixture('arm64-altra-1p-80c');
    assert.equal(t.midr, '0x414fd0c1');
    assert.equal(t.model, 'Ampere Altra (Neoverse-N1)');
    assert.equal(t.vendor, 'ARM');
    assert.equal(t.arch, 'aarch64');
    assert.equal(t.kernel?.release, '6.1.0-50-arm64');
    assert.equal(t.kernel?.pageSizeBytes, null, 'a sysroot does not say its page size');
  });

  test('40 two-core clusters, kernel core_id repeating 0/1 inside each', async () => {
    const t = await fixture('arm64-altra-1p-80c');
    assert.deepEqual([...new Set(t.cpus.map((c) => c.coreId))].sort(), [0, 1]);
    const clusters = new Map<number, number[]>();
    for (const c of t.cpus) clusters.set(c.cluster!, [...(clusters.get(c.cluster!) ?? []), c.id]);
    assert.equal(clusters.size, 40);
    for (const [i, members] of clusters) assert.deepEqual(members, [2 * i, 2 * i + 1]);
  });

  test('only L1 caches, without sizes (this board has no size files)', async () => {
    const t = await fixture('arm64-altra-1p-80c');
    assert.equal(t.caches.length, 160);
    assert.ok(t.caches.every((c) => c.level === 1 && c.sizeBytes === null && c.cpus.length === 1));
    assert.ok(t.notes?.some((n) => /cache sizes/.test(n)));
  });
});

describe('arm64-altra-2p-160c-2node (2 sockets × 80 cores)', () => {
  test('packages 0 and 1 hold CPUs 0-79 and 80-159', async () => {
    const t = await fixture('arm64-altra-2p-160c-2node');
    assert.equal(t.cpus.length, 160);
    assert.deepEqual(
      t.packages.map((p) => [p.id, formatCpuList(p.cpus)]),
      [
        [0, '0-79'],
        [1, '80-159'],
      ],
    );
    assert.equal(t.model, 'Ampere Altra (Neoverse-N1)');
  });

  test('two nodes, one per socket, at distance 20', async () => {
    const t = await fixture('arm64-altra-2p-160c-2node');
    assert.deepEqual(
      t.nodes.map((n) => [n.id, formatCpuList(n.cpus)]),
      [
        [0, '0-79'],
        [1, '80-159'],
      ],
    );
    assert.deepEqual(
      t.nodes.map((n) => n.distances),
      [
        [10, 20],
        [20, 10],
      ],
    );
    assert.deepEqual(
      t.nodes.map((n) => n.memoryBytes),
      [994936 * KiB, 1013132 * KiB],
    );
    assert.ok(t.cpus.every((c) => c.node === (c.id < 80 ? 0 : 1)));
  });

  test('core indices 0..159 are machine-unique although core_id repeats', async () => {
    const t = await fixture('arm64-altra-2p-160c-2node');
    assert.deepEqual(
      t.cpus.map((c) => c.core),
      [...Array(160).keys()],
    );
    assert.deepEqual([...new Set(t.cpus.map((c) => c.coreId))].sort(), [0, 1]);
    assert.ok(t.cpus.every((c) => c.siblings?.length === 1 && c.siblings[0] === c.id));
  });

  test('clusters: 40 per package, 2 CPUs each, unique although cluster_id restarts per package', async () => {
    const t = await fixture('arm64-altra-2p-160c-2node');
    const cpu80 = t.cpus[80]!;
    assert.equal(cpu80.clusterId, 0, 'kernel cluster_id restarts in package 1');
    assert.equal(cpu80.cluster, 40);
    for (const p of t.packages) {
      const clusters = new Map<number, number>();
      for (const id of p.cpus) {
        const k = t.cpus[id]!.cluster!;
        clusters.set(k, (clusters.get(k) ?? 0) + 1);
      }
      assert.equal(clusters.size, 40);
      assert.ok([...clusters.values()].every((n) => n === 2));
    }
  });

  test('nothing offline, isolated or disallowed', async () => {
    const t = await fixture('arm64-altra-2p-160c-2node');
    assert.ok(t.cpus.every((c) => c.online && c.allowed && !c.isolated));
    assert.equal(t.caches.length, 320);
  });
});

describe('arm64-offline-isolated (16 CPUs, CPU 3 offline, isolcpus=4-7, affinity 0-11)', () => {
  test('offline CPU 3 keeps its place with no topology and is not allowed', async () => {
    const t = await fixture('arm64-offline-isolated');
    assert.equal(t.cpus.length, 16);
    assert.deepEqual(t.cpus[3], {
      id: 3,
      package: null,
      node: null,
      core: null,
      cluster: null,
      siblings: null,
      online: false,
      isolated: false,
      allowed: false,
      coreId: null,
      clusterId: null,
      coreType: null,
    });
  });

  test('isolated 4-7, allowed 0-2,4-11 (affinity ∩ online)', async () => {
    const t = await fixture('arm64-offline-isolated');
    assert.equal(
      ids(t, (c) => c.isolated === true),
      '4-7',
    );
    assert.equal(
      ids(t, (c) => c.allowed === true),
      '0-2,4-11',
    );
    assert.equal(
      ids(t, (c) => c.online),
      '0-2,4-15',
    );
  });

  test('node 1 has CPUs but no memory; node 0 lacks the offline CPU', async () => {
    const t = await fixture('arm64-offline-isolated');
    assert.deepEqual(
      t.nodes.map((n) => [n.id, formatCpuList(n.cpus), n.memoryBytes]),
      [
        [0, '0-2,4-7', 999068 * KiB],
        [1, '8-15', 0],
      ],
    );
    assert.deepEqual(
      t.nodes.map((n) => n.distances),
      [
        [10, 20],
        [20, 10],
      ],
    );
  });

  test('15 online cores numbered in CPU order across both packages', async () => {
    const t = await fixture('arm64-offline-isolated');
    assert.deepEqual(
      t.packages.map((p) => [p.id, formatCpuList(p.cpus)]),
      [
        [0, '0-2,4-7'],
        [1, '8-15'],
      ],
    );
    assert.deepEqual(
      t.cpus.filter((c) => c.online).map((c) => c.core),
      [...Array(15).keys()],
    );
    // CPU 2 lost its cluster partner to the unplug: the kernel now reports a 1-CPU cluster.
    const cluster2 = t.cpus.filter((c) => c.cluster === t.cpus[2]!.cluster).map((c) => c.id);
    assert.deepEqual(cluster2, [2]);
    assert.equal(t.cpus[8]!.cluster, 4, 'package 1 clusters continue the numbering');
  });

  test('reads isolcpus from the isolated file, which matches the command line', async () => {
    const t = await fixture('arm64-offline-isolated');
    assert.match(t.kernel?.cmdline ?? '', /isolcpus=4-7/);
  });
});

describe('x86-1p-4c-smt (Skylake, 4 cores × 2 threads)', () => {
  test('8 CPUs, 4 cores, SMT siblings paired', async () => {
    const t = await fixture('x86-1p-4c-smt');
    assert.equal(t.cpus.length, 8);
    assert.deepEqual(t.cpus[0]!.siblings, [0, 1]);
    assert.deepEqual(t.cpus[1]!.siblings, [0, 1]);
    assert.deepEqual(t.cpus[6]!.siblings, [6, 7]);
    assert.deepEqual(
      t.cpus.map((c) => c.core),
      [0, 0, 1, 1, 2, 2, 3, 3],
    );
    assert.equal(t.packages.length, 1);
    assert.equal(t.nodes.length, 1);
  });

  test('model name verbatim from /proc/cpuinfo', async () => {
    const t = await fixture('x86-1p-4c-smt');
    assert.equal(t.model, 'Intel Xeon Processor (Skylake)');
    assert.equal(t.vendor, 'GenuineIntel');
    assert.equal(t.arch, 'x86_64');
    assert.equal(t.midr, null);
    assert.equal(t.kernel?.pageSizeBytes, 4096, 'x86 pages are always 4 KiB');
  });

  test('L3 16 MiB shared by 0-7, L2 4 MiB per core, L1 32 KiB per CPU', async () => {
    const t = await fixture('x86-1p-4c-smt');
    const l3 = t.caches.filter((c) => c.level === 3);
    assert.deepEqual(l3, [
      { level: 3, type: 'Unified', sizeBytes: 16 * 1024 * KiB, cpus: [0, 1, 2, 3, 4, 5, 6, 7] },
    ]);
    const l2 = t.caches.filter((c) => c.level === 2);
    assert.deepEqual(
      l2.map((c) => [c.sizeBytes, formatCpuList(c.cpus)]),
      [
        [4096 * KiB, '0-1'],
        [4096 * KiB, '2-3'],
        [4096 * KiB, '4-5'],
        [4096 * KiB, '6-7'],
      ],
    );
    const l1 = t.caches.filter((c) => c.level === 1);
    assert.equal(l1.length, 16);
    assert.ok(l1.every((c) => c.sizeBytes === 32 * KiB && c.cpus.length === 1));
  });
});

describe('x86-1p-4c-2node (1 socket × 4 cores split over 2 NUMA nodes)', () => {
  test('one package holds all 4 CPUs while nodes 0 and 1 hold 0-1 and 2-3, both with memory', async () => {
    const t = await fixture('x86-1p-4c-2node');
    assert.deepEqual(
      t.packages.map((p) => [p.id, formatCpuList(p.cpus)]),
      [[0, '0-3']],
    );
    assert.deepEqual(
      t.nodes.map((n) => [n.id, formatCpuList(n.cpus), n.memoryBytes]),
      [
        [0, '0-1', 514388 * KiB],
        [1, '2-3', 469980 * KiB],
      ],
    );
    assert.deepEqual(
      t.nodes.map((n) => n.distances),
      [
        [10, 20],
        [20, 10],
      ],
    );
    assert.ok(t.cpus.every((c) => c.package === 0 && c.node === (c.id < 2 ? 0 : 1)));
  });

  test('the L3 is split at the node boundary although the socket is one', async () => {
    const t = await fixture('x86-1p-4c-2node');
    assert.deepEqual(
      t.caches.filter((c) => c.level === 3).map((c) => [c.sizeBytes, formatCpuList(c.cpus)]),
      [
        [8192 * KiB, '0-1'],
        [8192 * KiB, '2-3'],
      ],
    );
  });
});

describe('errors and entry points', () => {
  test('a root without sysfs gives a clear error', async () => {
    const empty = mkdtempSync(join(os.tmpdir(), 'aio-topology-empty-'));
    try {
      await assert.rejects(readSysfsTopology(empty), (err: Error) => {
        assert.match(err.message, /^no sysfs CPU data under /);
        assert.ok(err.message.includes(empty));
        return true;
      });
      await assert.rejects(readSysfsTopology(join(empty, 'missing')), /no sysfs CPU data under .*ENOENT/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('loadTopology({sysroot}) is the sysfs reading of that root', async () => {
    const root = fixtureRoot('x86-1p-4c-smt');
    assert.deepEqual(await loadTopology({ sysroot: root }), await fixture('x86-1p-4c-smt'));
    await assert.rejects(loadTopology({ sysroot: root, fromFile: '/dev/null' }), /not both/);
  });
});

describe('this host', { skip: process.platform !== 'linux' && 'needs Linux sysfs' }, () => {
  test("reads '/' with this process's affinity", async () => {
    const t = await readSysfsTopology('/');
    assert.ok(t.cpus.length > 0);
    assert.equal(t.origin, 'this host');
    assertInvariants(t);
    const allowed = t.cpus.filter((c) => c.allowed);
    assert.ok(allowed.length > 0, 'this process runs somewhere');
    assert.ok(allowed.every((c) => c.online));
    const status = readFileSync('/proc/self/status', 'utf8');
    const affinity = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
    if (affinity) {
      const set = new Set(parseCpuList(affinity));
      assert.ok(
        allowed.every((c) => set.has(c.id)),
        'allowed ⊆ Cpus_allowed_list',
      );
    }
    assert.ok(t.kernel?.release);
    assert.ok((t.kernel?.pageSizeBytes ?? 0) >= 4096, 'getconf PAGESIZE');
  });

  test('loadTopology() picks this host on Linux', async () => {
    const t = await loadTopology({});
    assert.equal(t.source, 'sysfs');
    assert.equal(t.origin, 'this host');
  });
});

describe('arm64-virt-2p-384c-4node (the scale case: a real 6.12 kernel on 384 vCPUs)', () => {
  test('384 CPUs online in 2 packages, 4 nodes of 96, 96 two-core clusters a package, distances 12 and 20', async () => {
    const t = await fixture('arm64-virt-2p-384c-4node');
    assert.equal(t.cpus.length, 384);
    assert.ok(t.cpus.every((c) => c.online));
    assert.deepEqual(
      t.nodes.map((n) => [n.id, n.cpus[0], n.cpus.length]),
      [
        [0, 0, 96],
        [1, 96, 96],
        [2, 192, 96],
        [3, 288, 96],
      ],
    );
    assert.deepEqual(t.nodes[0]!.distances, [10, 12, 20, 20]);
    assert.equal(new Set(t.cpus.map((c) => c.package)).size, 2);
    const clusters = new Set(t.cpus.map((c) => `${c.package}/${c.cluster}`));
    assert.equal(clusters.size, 192);
    // One L2 over every CPU, as QEMU's device tree says: read once, not once per CPU, and still whole.
    const l2 = t.caches.filter((c) => c.level === 2);
    assert.equal(l2.length, 1);
    assert.equal(l2[0]!.cpus.length, 384);
  });
});
