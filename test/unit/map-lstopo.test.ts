/**
 * The map's lstopo parts as pure functions (renderer/src/map/cacheBoxes.ts, sparkline.ts, model.ts's CPU
 * description) and the engine's live free memory per node (app/topology/node-free.ts), on real dumps: the
 * project's x86 guests, hwloc's Kunpeng 920 (128arm-2pa2n8cluster4co: an L3 per NUMA node, as its lstopo output
 * says) and util-linux's EPYC 7451 (an L3 per CCX of 3 cores, two per node).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSysfsTopology } from '../../app/topology';
import { readNodeFree } from '../../app/topology/node-free';
import { buildMapTree, cpuAccessibleName } from '../../renderer/src/map/model';
import { cacheBoxes, cacheText, type CacheBoxes } from '../../renderer/src/map/cacheBoxes';
import { LoadHistory } from '../../renderer/src/map/sparkline';
import { formatCpuList } from '../../app/shared/cpulist';
import { fixtureRoot } from '../helpers/fixtures';
import { realDumpRoot } from '../helpers/reference-topology';

async function boxesOf(root: string): Promise<CacheBoxes> {
  const t = await readSysfsTopology(root);
  return cacheBoxes(buildMapTree(t), t.caches);
}

const flat = (m: Map<string, { level: string; sizeBytes: number | null; cpus: number[] }[]>) =>
  [...m].flatMap(([key, list]) => list.map((c) => `${key}: ${cacheText(c)} ${formatCpuList(c.cpus)}`));

test('x86 SMT guest: the L3 around the package, the L2 around each two-thread core', async () => {
  const b = await boxesOf(fixtureRoot('x86-1p-4c-smt'));
  assert.deepEqual(flat(b.around), [
    'p0: L3 16 MiB 0-7',
    'core0: L2 4 MiB 0-1',
    'core1: L2 4 MiB 2-3',
    'core2: L2 4 MiB 4-5',
    'core3: L2 4 MiB 6-7',
  ]);
  assert.equal(b.within.size + b.cores.size, 0);
});

test('an L3 split at the node boundary goes around each node, not the package', async () => {
  const b = await boxesOf(fixtureRoot('x86-1p-4c-2node'));
  assert.deepEqual(
    flat(b.around).filter((s) => s.includes('L3')),
    ['p0-n0: L3 8 MiB 0-1', 'p0-n1: L3 8 MiB 2-3'],
  );
});

test('Kunpeng 920 (hwloc dump): as lstopo, an L3 of 32 MiB per NUMA node and an L2 of 512 KiB per core', async () => {
  const b = await boxesOf(realDumpRoot('hwloc/128arm-2pa2n8cluster4co.tar.bz2'));
  const l3 = flat(b.around).filter((s) => s.includes('L3'));
  assert.deepEqual(l3, [
    'p36-n0: L3 32 MiB 0-31',
    'p36-n1: L3 32 MiB 32-63',
    'p8442-n2: L3 32 MiB 64-95',
    'p8442-n3: L3 32 MiB 96-127',
  ]);
  const l2 = flat(b.around).filter((s) => s.includes('L2'));
  assert.equal(l2.length, 128);
  assert.ok(l2.every((s) => / L2 512 KiB \d+$/.test(s)));
});

test('EPYC 7451 (util-linux dump): an L3 per CCX is boxed around its 3 cores inside the node', async () => {
  const b = await boxesOf(realDumpRoot('util-linux/x86_64-epyc_7451.tar.gz'));
  assert.equal(b.within.size, 0, 'nothing left as text');
  const n0 = b.cores.get('p0-n0') ?? [];
  assert.deepEqual(n0.map((c) => `${cacheText(c)} ${formatCpuList(c.cpus)}`).sort(), [
    'L3 8 MiB 0-2,48-50',
    'L3 8 MiB 3-5,51-53',
  ]);
  assert.equal([...b.cores.values()].flat().length, 16, '2 CCX × 8 nodes');
});

test('no shared cache known (the Altra guest lists L1 only): no box', async () => {
  const b = await boxesOf(fixtureRoot('arm64-altra-2p-160c-2node'));
  assert.equal(b.around.size + b.cores.size + b.within.size, 0);
});

test('live free memory per node: MemFree of each node meminfo, in bytes', () => {
  // The Altra dump's node meminfo files: the same numbers the topology read gives as freeBytes.
  assert.deepEqual(readNodeFree(fixtureRoot('arm64-altra-2p-160c-2node')), [
    { node: 0, freeBytes: 808280064 },
    { node: 1, freeBytes: 922034176 },
  ]);
  assert.deepEqual(readNodeFree('/nonexistent'), []);
  const here = readNodeFree('/');
  assert.ok(here.length >= 1 && here.every((n) => n.freeBytes > 0), JSON.stringify(here));
});

test('sparkline: the last 60 s of one CPU, newest at the right edge, busy up', () => {
  const h = new LoadHistory();
  assert.deepEqual(h.path(1), { d: '', n: 0 });
  for (let i = 0; i <= 200; i++)
    h.add(1000 + i * 500, [
      { cpu: 0, busy: 0 },
      { cpu: 1, busy: i % 2 },
    ]);
  // 201 samples every 0.5 s: the ring keeps 200, the path the 121 of the last 60 s.
  const { d, n } = h.path(1);
  assert.equal(n, 121);
  const pts = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(pts[0], [0, 10], 'the oldest point at the left edge, idle at the bottom');
  assert.deepEqual(pts[pts.length - 1], [60, 10]);
  assert.deepEqual(pts[pts.length - 2], [59.5, 0], 'busy at the top');
  // A CPU missing from later samples reads idle then, not its last value.
  h.add(1000 + 201 * 500, [{ cpu: 0, busy: 1 }]);
  assert.match(h.path(1).d, /L60\.0 10\.0$/);
  h.clear();
  assert.deepEqual(h.path(0), { d: '', n: 0 });
});

test("a CPU's description: id, node, package, state and load", async () => {
  const t = await readSysfsTopology(fixtureRoot('arm64-offline-isolated'));
  const cpu = (id: number) => t.cpus.find((c) => c.id === id)!;
  assert.equal(cpuAccessibleName(cpu(1), false), 'CPU 1, node 0, package 0, core 1, usable');
  assert.equal(
    cpuAccessibleName(cpu(1), true, 0.374),
    'CPU 1, node 0, package 0, core 1, selected, load 37 %',
  );
  // Core 4: the machine-wide core index (offline CPU 3 has none, so the numbering closes up).
  assert.equal(
    cpuAccessibleName(cpu(5), false),
    'CPU 5, node 0, package 0, core 4, isolated from the scheduler (isolcpus), cannot be picked',
  );
  assert.match(
    cpuAccessibleName(cpu(3), false),
    /^CPU 3, node unknown, package unknown, offline, cannot be picked$/,
  );
  assert.match(cpuAccessibleName(cpu(13), false), /not allowed for this process.*cannot be picked$/);
});
