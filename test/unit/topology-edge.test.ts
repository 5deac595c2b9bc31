/**
 * Topology edge cases the foundation issue names: CPU-less NUMA nodes, opaque package ids, the cgroup cpuset,
 * multi-node and memory-less `numactl -H` imports, and "unknown" isolation/affinity of imports.
 *
 * The sysfs cases are REAL fixture copies: a tarball from test/fixtures is extracted, copied to a temp dir, and
 * only the files the case is about are rewritten (each test says which). Everything else stays as the kernel
 * wrote it. The `numactl -H` texts are what numactl 2.0.x prints for those same trees (`node N size:` is
 * MemTotal >> 20 MB, distance columns `% 3d `), so each import is checked against the sysfs reading.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { allAvailable, usable } from '../../app/command';
import {
  formatCpuList,
  formatTopologySummary,
  importTopology,
  readSysfsTopology,
  type Topology,
} from '../../app/topology';
import { cgroupCpuset } from '../../app/topology/cgroup';
import { buildMapTree } from '../../renderer/src/map/model';
import { fixtureRoot } from '../helpers/fixtures';

const KiB = 1024;
const MiB = 1024 * KiB;
const copies: string[] = [];
after(() => {
  for (const d of copies) rmSync(d, { recursive: true, force: true });
});

/** A private copy of a real fixture tree, to rewrite a few files of. */
function copyFixture(name: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), `aio-edge-${name}-`));
  copies.push(dir);
  cpSync(fixtureRoot(name), dir, { recursive: true });
  return dir;
}

function write(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

const nodeLists = (t: Topology): [number, string][] => t.nodes.map((n) => [n.id, formatCpuList(n.cpus)]);
const ids = (t: Topology, pred: (c: Topology['cpus'][number]) => boolean): string =>
  formatCpuList(t.cpus.filter(pred).map((c) => c.id));
const range = (a: number, b: number): string => Array.from({ length: b - a + 1 }, (_, i) => a + i).join(' ');

describe('opaque package ids (kernel labels, not 0..N-1)', () => {
  // arm64-altra-2p-160c-2node with only physical_package_id rewritten: package 0 → 76, package 1 → 56, so the
  // labels are neither dense nor in CPU order.
  const relabelled = (): string => {
    const root = copyFixture('arm64-altra-2p-160c-2node');
    for (let cpu = 0; cpu < 160; cpu++)
      write(
        root,
        `sys/devices/system/cpu/cpu${cpu}/topology/physical_package_id`,
        cpu < 80 ? '76\n' : '56\n',
      );
    return root;
  };

  test('packages keep their labels, ordered by their CPUs; cores and clusters stay machine-unique', async () => {
    const t = await readSysfsTopology(relabelled());
    assert.deepEqual(
      t.packages.map((p) => [p.id, formatCpuList(p.cpus)]),
      [
        [76, '0-79'],
        [56, '80-159'],
      ],
    );
    assert.ok(t.cpus.every((c) => c.package === (c.id < 80 ? 76 : 56)));
    assert.deepEqual(
      t.cpus.map((c) => c.core),
      [...Array(160).keys()],
    );
    assert.equal(new Set(t.cpus.map((c) => c.cluster)).size, 80);
    assert.equal(t.model, 'Ampere Altra (Neoverse-N1)', 'cores per package counted per label');
    const summary = formatTopologySummary(t).split('\n');
    assert.ok(summary.includes('package 76: CPUs 0-79 · 80 cores, 40 clusters'), summary.join('\n'));
    assert.ok(summary.includes('package 56: CPUs 80-159 · 80 cores, 40 clusters'));
    assert.ok(
      summary.indexOf('package 76: CPUs 0-79 · 80 cores, 40 clusters') <
        summary.indexOf('package 56: CPUs 80-159 · 80 cores, 40 clusters'),
    );
  });

  test('the map draws package 76 first and names both by their labels', async () => {
    const tree = buildMapTree(await readSysfsTopology(relabelled()));
    assert.deepEqual(
      tree.packages.map((p) => [p.id, p.cpuIds.length, p.nodes.map((n) => n.node?.id)]),
      [
        [76, 80, [0]],
        [56, 80, [1]],
      ],
    );
    assert.deepEqual(tree.order, [...Array(160).keys()]);
  });
});

describe('CPU-less NUMA node', () => {
  // arm64-altra-2p-160c-2node with node 1's CPUs removed (they move to node 0, as when a memory-only node sits
  // beside the CPUs): rewritten node0/cpulist+cpumap, node1/cpulist+cpumap and node/has_cpu; node 1 keeps its
  // real memory and distances.
  const cpuless = (): string => {
    const root = copyFixture('arm64-altra-2p-160c-2node');
    const node = 'sys/devices/system/node';
    write(root, `${node}/node0/cpulist`, '0-159\n');
    write(root, `${node}/node0/cpumap`, 'ffffffff,ffffffff,ffffffff,ffffffff,ffffffff\n');
    write(root, `${node}/node1/cpulist`, '\n');
    write(root, `${node}/node1/cpumap`, '00000000,00000000,00000000,00000000,00000000\n');
    write(root, `${node}/has_cpu`, '0\n');
    return root;
  };

  test('the node is kept with its memory and distances and no CPUs; every CPU is on node 0', async () => {
    const t = await readSysfsTopology(cpuless());
    assert.deepEqual(
      t.nodes.map((n) => [n.id, formatCpuList(n.cpus), n.memoryBytes, n.distances]),
      [
        [0, '0-159', 994936 * KiB, [10, 20]],
        [1, '', 1013132 * KiB, [20, 10]],
      ],
    );
    assert.ok(t.cpus.every((c) => c.node === 0 && c.online && c.allowed === true));
    assert.equal(t.packages.length, 2, 'packages do not follow nodes');
    assert.match(formatTopologySummary(t), /node 1: no CPUs · 1\.0 GiB/);
  });

  test('the map shows it apart, and picking a whole machine never lands on it', async () => {
    const t = await readSysfsTopology(cpuless());
    const tree = buildMapTree(t);
    assert.deepEqual(
      tree.cpulessNodes.map((n) => n.id),
      [1],
    );
    assert.ok(tree.packages.every((p) => p.nodes.every((n) => n.node?.id === 0)));
    assert.equal(allAvailable(t).length, 160);
  });

  test('numactl -H of the same tree imports the CPU-less node the same way', async () => {
    const s = await readSysfsTopology(cpuless());
    const text = [
      'available: 2 nodes (0-1)',
      `node 0 cpus: ${range(0, 159)}`,
      'node 0 size: 971 MB',
      'node 0 free: 770 MB',
      'node 1 cpus:',
      'node 1 size: 989 MB',
      'node 1 free: 879 MB',
      'node distances:',
      'node   0   1 ',
      '  0:  10  20 ',
      '  1:  20  10 ',
      '',
    ].join('\n');
    const t = importTopology(text, 'numactl.txt');
    assert.equal(t.source, 'numactl-H');
    assert.deepEqual(nodeLists(t), nodeLists(s));
    assert.deepEqual(
      t.nodes.map((n) => n.distances),
      s.nodes.map((n) => n.distances),
    );
    t.nodes.forEach((n, i) => assert.ok(Math.abs(n.memoryBytes! - s.nodes[i]!.memoryBytes!) < MiB));
    assert.deepEqual(
      buildMapTree(t).cpulessNodes.map((n) => n.id),
      [1],
    );
  });
});

describe('cgroup cpuset (cpuset.cpus.effective)', () => {
  // arm64-offline-isolated (affinity 0-11, CPU 3 offline, isolcpus 4-7) plus the two files a container adds:
  // proc/self/cgroup and the cgroup's cpuset file under sys/fs/cgroup. The dump has neither.
  const contained = (files: Record<string, string>): string => {
    const root = copyFixture('arm64-offline-isolated');
    for (const [rel, text] of Object.entries(files)) write(root, rel, text);
    return root;
  };
  const V2 = 'system.slice/docker-4f1c.scope';

  test('no proc/self/cgroup (the plain dump): no cpuset, allowed is the affinity', async () => {
    const root = fixtureRoot('arm64-offline-isolated');
    assert.ok(!readdirSync(join(root, 'proc/self')).includes('cgroup'));
    assert.equal(cgroupCpuset(root), null);
  });

  test('cgroup v2: the effective cpuset narrows allowed to affinity ∩ cpuset ∩ online', async () => {
    const root = contained({
      'proc/self/cgroup': `0::/${V2}\n`,
      [`sys/fs/cgroup/${V2}/cpuset.cpus.effective`]: '2-9\n',
      'sys/fs/cgroup/cpuset.cpus.effective': '0-15\n',
    });
    assert.deepEqual(cgroupCpuset(root), [2, 3, 4, 5, 6, 7, 8, 9]);
    const t = await readSysfsTopology(root);
    assert.equal(
      ids(t, (c) => c.allowed === true),
      '2,4-9',
    );
    assert.equal(
      ids(t, (c) => c.isolated === true),
      '4-7',
      'isolation is independent',
    );
    assert.deepEqual(usable(t, 10).reasons, ['not allowed for this process (affinity/cgroup)']);
  });

  test("cgroup v2 path from the host's namespace: the nearest existing ancestor's cpuset counts", () => {
    const root = contained({
      'proc/self/cgroup': '0::/kubepods/besteffort/pod7/ctr9\n',
      'sys/fs/cgroup/kubepods/cpuset.cpus.effective': '8-11\n',
      'sys/fs/cgroup/cpuset.cpus.effective': '0-15\n',
    });
    assert.deepEqual(cgroupCpuset(root), [8, 9, 10, 11]);
  });

  test('an empty cpuset.cpus.effective is skipped for the parent one', () => {
    const root = contained({
      'proc/self/cgroup': `0::/${V2}\n`,
      [`sys/fs/cgroup/${V2}/cpuset.cpus.effective`]: '\n',
      'sys/fs/cgroup/system.slice/cpuset.cpus.effective': '0-1\n',
    });
    assert.deepEqual(cgroupCpuset(root), [0, 1]);
  });

  test('cgroup v1: cpuset.effective_cpus of the cpuset hierarchy, else cpuset.cpus', () => {
    const v1 = '12:cpuset:/docker/4f1c\n11:memory:/docker/4f1c\n0::/\n';
    const effective = contained({
      'proc/self/cgroup': v1,
      'sys/fs/cgroup/cpuset/docker/4f1c/cpuset.effective_cpus': '0-1,8\n',
      'sys/fs/cgroup/cpuset/docker/4f1c/cpuset.cpus': '0-15\n',
    });
    assert.deepEqual(cgroupCpuset(effective), [0, 1, 8]);
    const older = contained({
      'proc/self/cgroup': v1,
      'sys/fs/cgroup/cpuset/docker/4f1c/cpuset.cpus': '4-5\n',
    });
    assert.deepEqual(cgroupCpuset(older), [4, 5]);
  });

  test('a cgroup file without any cpuset to read gives no restriction', async () => {
    const root = contained({ 'proc/self/cgroup': `0::/${V2}\n` });
    assert.equal(cgroupCpuset(root), null);
    const t = await readSysfsTopology(root);
    assert.equal(
      ids(t, (c) => c.allowed === true),
      '0-2,4-11',
    );
  });
});

describe('numactl -H imports: multi-node, memory-less, unknown isolation and affinity', () => {
  // What numactl 2.0.x prints on the arm64-offline-isolated machine: CPU 3 is offline (numactl lists online
  // CPUs only) and node 1 has CPUs but no memory (MemTotal 0 kB → "0 MB").
  const OFFLINE_ISOLATED = [
    'available: 2 nodes (0-1)',
    'node 0 cpus: 0 1 2 4 5 6 7',
    'node 0 size: 975 MB',
    'node 0 free: 904 MB',
    'node 1 cpus: 8 9 10 11 12 13 14 15',
    'node 1 size: 0 MB',
    'node 1 free: 0 MB',
    'node distances:',
    'node   0   1 ',
    '  0:  10  20 ',
    '  1:  20  10 ',
    '',
  ].join('\n');

  test('memory-less node 1: 0 bytes (known), not null; agrees with the sysfs reading', async () => {
    const t = importTopology(OFFLINE_ISOLATED, 'numactl-H.txt');
    const s = await readSysfsTopology(fixtureRoot('arm64-offline-isolated'));
    assert.equal(t.source, 'numactl-H');
    assert.equal(t.coarse, true);
    assert.deepEqual(nodeLists(t), nodeLists(s));
    assert.deepEqual(
      t.nodes.map((n) => [n.memoryBytes, n.freeBytes]),
      [
        [975 * MiB, 904 * MiB],
        [0, 0],
      ],
    );
    assert.equal(s.nodes[1]!.memoryBytes, 0);
    assert.deepEqual(
      t.nodes.map((n) => n.distances),
      s.nodes.map((n) => n.distances),
    );
    assert.equal(t.memTotalBytes, 975 * MiB);
    assert.equal(
      t.cpus.map((c) => c.id).join(','),
      '0,1,2,4,5,6,7,8,9,10,11,12,13,14,15',
      'the offline CPU is not in numactl -H',
    );
  });

  test('isolation and affinity are null (unknown), and unknown CPUs can be picked', () => {
    const t = importTopology(OFFLINE_ISOLATED, 'numactl-H.txt');
    for (const c of t.cpus) {
      assert.equal(c.isolated, null, `CPU ${c.id}`);
      assert.equal(c.allowed, null, `CPU ${c.id}`);
      assert.equal(c.package, null);
      assert.equal(c.core, null);
    }
    // sysfs says 4-7 are isolated and 12-15 denied on that machine; numactl -H cannot know, so nothing is refused.
    assert.deepEqual(usable(t, 5), { usable: true, reasons: [] });
    assert.deepEqual(usable(t, 13), { usable: true, reasons: [] });
    assert.equal(formatCpuList(allAvailable(t)), '0-2,4-15');
    assert.ok(t.notes?.some((n) => /isolation \(isolcpus\) and process affinity are unknown/.test(n)));
    const summary = formatTopologySummary(t);
    assert.match(summary, /isolation\/affinity unknown: 0-2,4-15/);
    assert.doesNotMatch(summary, /not allowed for this process/);
  });

  test('four nodes with sparse ids: distances are reordered by the header, node lists kept', () => {
    // A 2-socket machine with two nodes per socket whose firmware numbers them 0, 1, 4, 5 (numactl prints
    // "available: 4 nodes (0-1,4-5)" and only the existing columns).
    const text = [
      'available: 4 nodes (0-1,4-5)',
      `node 0 cpus: ${range(0, 47)}`,
      'node 0 size: 128618 MB',
      'node 0 free: 120021 MB',
      `node 1 cpus: ${range(48, 95)}`,
      'node 1 size: 129018 MB',
      'node 1 free: 125500 MB',
      `node 4 cpus: ${range(96, 143)}`,
      'node 4 size: 129018 MB',
      'node 4 free: 127001 MB',
      `node 5 cpus: ${range(144, 191)}`,
      'node 5 size: 0 MB',
      'node 5 free: 0 MB',
      'node distances:',
      'node   0   1   4   5 ',
      '  0:  10  12  20  22 ',
      '  1:  12  10  22  20 ',
      '  4:  20  22  10  12 ',
      '  5:  22  20  12  10 ',
      '',
    ].join('\n');
    const t = importTopology(text, 'numactl-H.txt');
    assert.deepEqual(nodeLists(t), [
      [0, '0-47'],
      [1, '48-95'],
      [4, '96-143'],
      [5, '144-191'],
    ]);
    assert.deepEqual(
      t.nodes.map((n) => n.distances),
      [
        [10, 12, 20, 22],
        [12, 10, 22, 20],
        [20, 22, 10, 12],
        [22, 20, 12, 10],
      ],
    );
    assert.equal(t.nodes[3]!.memoryBytes, 0, 'memory-less node 5');
    assert.equal(t.cpus.length, 192);
    assert.ok(t.cpus.every((c) => c.node === Math.floor(c.id / 48) + (c.id >= 96 ? 2 : 0)));
    assert.equal(buildMapTree(t).packages.flatMap((p) => p.nodes).length, 4);
  });
});
