/**
 * Every form of the sysfs CPU-set files is read, and the map says which it used — one note per kind of file,
 * never one per CPU. Real dumps only (test/fixtures/real), plus two copies of a real dump with the smallest
 * edit that expresses a case no dump holds (whitespace/NUL around values; no topology directory).
 * Which CPUs share what is checked against lscpu and lstopo in topology-reference.test.ts; this file checks what
 * the user reads about how the map was built.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { formatCpuList, readSysfsTopology, type Topology } from '../../app/topology';
import { fixtureRoot } from '../helpers/fixtures';
import { allDumps, engineShape } from '../helpers/reference-topology';

const dumps = new Map(allDumps().map((d) => [d.name, d.root]));
const read = (name: string): Promise<Topology> => readSysfsTopology(dumps.get(name)!);
const notesMatching = (t: Topology, re: RegExp): string[] => (t.notes ?? []).filter((n) => re.test(n));

const copies: string[] = [];
after(() => {
  for (const d of copies) rmSync(d, { recursive: true, force: true });
});
function copyOf(name: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'aio-forms-'));
  copies.push(dir);
  cpSync(fixtureRoot(name), dir, { recursive: true });
  return dir;
}

describe('sysfs forms: list, mask, fallbacks, and the notes that name them', () => {
  test('on every dump, nodes[] and packages[] agree with cpus[].node and cpus[].package', async () => {
    for (const [name, root] of dumps) {
      const t = await readSysfsTopology(root);
      const nodeOf = new Map<number, number>();
      for (const n of t.nodes)
        for (const c of n.cpus) {
          assert.ok(!nodeOf.has(c), `${name}: CPU ${c} on nodes ${nodeOf.get(c)} and ${n.id}`);
          nodeOf.set(c, n.id);
        }
      const pkgOf = new Map(t.packages.flatMap((p) => p.cpus.map((c): [number, number] => [c, p.id])));
      assert.equal(
        new Set(t.packages.map((p) => p.id)).size,
        t.packages.length,
        `${name}: package ids unique`,
      );
      for (const c of t.cpus) {
        assert.equal(c.node, nodeOf.get(c.id) ?? null, `${name}: cpus[${c.id}].node`);
        assert.equal(c.package, pkgOf.get(c.id) ?? null, `${name}: cpus[${c.id}].package`);
        if (c.online)
          assert.ok(c.package !== null && c.siblings !== null, `${name}: CPU ${c.id} has a core and package`);
      }
    }
  });

  test('a trailing NUL in node0/cpulist ("0-31\\n\\0", a real 2-socket Arm server) is read, silently', async () => {
    const t = await read('hwloc/128arm-2pa2n8cluster4co');
    assert.deepEqual(
      t.nodes.map((n) => formatCpuList(n.cpus)),
      ['0-31', '32-63', '64-95', '96-127'],
    );
    assert.ok(t.cpus.every((c) => c.node === Math.floor(c.id / 32)));
    assert.deepEqual(notesMatching(t, /cpulist|NUL|\\x00/), []);
  });

  test('values with spaces around them, a NUL after them or no newline read as the intact dump does', async () => {
    const dir = copyOf('x86-2p-4c-2node');
    const intact = await readSysfsTopology(fixtureRoot('x86-2p-4c-2node'));
    const n0 = intact.nodes[0]!.cpus;
    writeFileSync(join(dir, 'sys/devices/system/node/node0/cpulist'), ` ${formatCpuList(n0)} \n\0`);
    writeFileSync(
      join(dir, 'sys/devices/system/cpu/online'),
      `${formatCpuList(intact.cpus.map((c) => c.id))}`,
    );
    writeFileSync(
      join(dir, 'sys/devices/system/cpu/cpu1/topology/physical_package_id'),
      `${intact.cpus[1]!.package}\0`,
    );
    writeFileSync(
      join(dir, 'sys/devices/system/cpu/cpu1/topology/core_cpus_list'),
      `\t${intact.cpus[1]!.siblings!.join(',')}\0\0`,
    );
    const t = await readSysfsTopology(dir);
    assert.deepEqual(engineShape(t), engineShape(intact));
    assert.deepEqual(t.cpus[1], intact.cpus[1]);
    assert.deepEqual(t.notes, intact.notes);
  });

  test('node CPUs from node*/cpumap when there is no cpulist (util-linux x86_64-epyc_7451: 8 nodes)', async () => {
    const t = await read('util-linux/x86_64-epyc_7451');
    assert.equal(t.nodes.length, 8);
    assert.deepEqual(formatCpuList(t.nodes[0]!.cpus), '0-5,48-53');
    assert.ok(t.cpus.every((c) => c.node !== null));
    // One note for the kind of file, not one per node.
    assert.deepEqual(notesMatching(t, /cpumap/), [
      'CPUs of NUMA nodes 0-7 read from the node*/cpumap hex mask (no list file).',
    ]);
  });

  test('cores and packages from the thread_siblings / core_siblings masks of an old kernel (hwloc 16em64t-4s2c2t)', async () => {
    const t = await read('hwloc/16em64t-4s2c2t');
    assert.equal(formatCpuList(t.cpus[0]!.siblings!), '0,8');
    assert.equal(t.packages.length, 4);
    assert.deepEqual(notesMatching(t, /hex mask/).sort(), [
      'CPUs of NUMA node 0 read from the node*/cpumap hex mask (no list file).',
      'Cores of CPUs 0-15 read from the cpu*/topology/thread_siblings hex mask (no list file).',
      'Packages of CPUs 0-15 read from the cpu*/topology/core_siblings hex mask (no list file).',
    ]);
  });

  test('physical_package_id -1 (POWER7): packages grouped by core_siblings and numbered, one note', async () => {
    const t = await read('util-linux/ppc64-POWER7');
    assert.deepEqual(
      t.packages.map((p) => `${p.id}:${formatCpuList(p.cpus)}`),
      ['0:0-3', '1:4-7', '2:8-11', '3:12-15'],
    );
    assert.equal(notesMatching(t, /physical_package_id is -1 or absent/).length, 1);
  });

  test('core_id contradicting thread_siblings (VMware guest): the sibling sets win, said once', async () => {
    const t = await read('util-linux/vmware_fpe');
    // CPUs 0 and 1 have core_id 0 and 1 but one thread_siblings set: one core.
    assert.equal(t.cpus[0]!.core, t.cpus[1]!.core);
    assert.deepEqual(t.cpus[0]!.siblings, [0, 1]);
    const notes = notesMatching(t, /core_id/);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /^Cores of CPUs 0-15: .*different core_ids; the sibling sets win/);
  });

  test('only thread_siblings (PS3): one package, said so', async () => {
    const t = await read('hwloc/2ps3-2t');
    assert.deepEqual(
      t.packages.map((p) => formatCpuList(p.cpus)),
      ['0-1'],
    );
    assert.deepEqual(t.cpus[0]!.siblings, [0, 1]);
    assert.equal(notesMatching(t, /shown as one package/).length, 1);
  });

  test('no cpuN/topology directory: a core per CPU, packages from /proc/cpuinfo "physical id", one note', async () => {
    const dir = copyOf('x86-2p-4c-2node');
    const intact = await readSysfsTopology(fixtureRoot('x86-2p-4c-2node'));
    for (const c of intact.cpus)
      rmSync(join(dir, `sys/devices/system/cpu/cpu${c.id}/topology`), { recursive: true, force: true });
    const t = await readSysfsTopology(dir);
    assert.ok(t.cpus.every((c) => c.siblings?.length === 1 && c.siblings[0] === c.id));
    // The same sockets as the intact dump: cpuinfo's "physical id" says what core_siblings said.
    assert.equal(engineShape(t).sockets, engineShape(intact).sockets);
    const notes = notesMatching(t, /no cpu\*\/topology directory/);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /physical id/);
  });
});
