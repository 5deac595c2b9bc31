/**
 * Damaged sysroot files are never misread silently: each case copies the REAL 2-socket dump
 * (arm64-altra-2p-160c-2node) and rewrites only the file(s) named in the test. Every case must give a note naming
 * the file and what was assumed, and a model that agrees with itself (nodes[] with cpus[].node, packages[] with
 * cpus[].package). Notes quote what they read with control characters escaped, never raw.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { formatCpuList, formatTopologySummary, readSysfsTopology, type Topology } from '../../app/topology';
import { fixtureRoot } from '../helpers/fixtures';

const copies: string[] = [];
after(() => {
  for (const d of copies) rmSync(d, { recursive: true, force: true });
});

function damaged(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'aio-damaged-'));
  copies.push(dir);
  cpSync(fixtureRoot('arm64-altra-2p-160c-2node'), dir, { recursive: true });
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), body);
  }
  return dir;
}

const NODE = 'sys/devices/system/node';
const CPU = 'sys/devices/system/cpu';

/** The model agrees with itself: every CPU on at most one node and package, both sides saying the same. */
function assertConsistent(t: Topology): void {
  const nodeOf = new Map<number, number>();
  for (const n of t.nodes)
    for (const c of n.cpus) {
      assert.ok(!nodeOf.has(c), `CPU ${c} listed by node ${nodeOf.get(c)} and node ${n.id}`);
      nodeOf.set(c, n.id);
    }
  for (const c of t.cpus) assert.equal(c.node, nodeOf.get(c.id) ?? null, `cpus[${c.id}].node vs nodes[]`);
  const pkgOf = new Map<number, number>();
  for (const p of t.packages) for (const c of p.cpus) pkgOf.set(c, p.id);
  for (const c of t.cpus) assert.equal(c.package, pkgOf.get(c.id) ?? null, `cpus[${c.id}].package`);
  for (const n of t.notes ?? [])
    assert.doesNotMatch(n, /[\u0000-\u001f\u007f-\u009f]/, `raw control char: ${n}`);
  assert.ok(formatTopologySummary(t).length > 0);
}

const noteAbout = (t: Topology, file: string): string => {
  const n = (t.notes ?? []).find((x) => x.includes(file));
  assert.ok(n, `a note naming ${file}; notes: ${JSON.stringify(t.notes)}`);
  return n;
};

describe('damaged sysroot files give a note and a consistent model', () => {
  test('the intact dump has no such notes (baseline)', async () => {
    const t = await readSysfsTopology(fixtureRoot('arm64-altra-2p-160c-2node'));
    assert.deepEqual(
      (t.notes ?? []).filter((n) => /sys\/|proc\//.test(n)),
      [],
    );
    assertConsistent(t);
  });

  test('a truncated node cpulist ("0-") is read from the node cpumap instead', async () => {
    const t = await readSysfsTopology(damaged({ [`${NODE}/node0/cpulist`]: '0-\n' }));
    assert.equal(formatCpuList(t.nodes[0]!.cpus), '0-79');
    assert.ok(t.cpus.every((c) => c.node === (c.id < 80 ? 0 : 1)));
    const n = noteAbout(t, `${NODE}/node0/cpulist`);
    assert.match(n, /"0-"/);
    assert.match(n, /cpumap/);
    assertConsistent(t);
  });

  test('cpulist and cpumap both unreadable: the node keeps no CPUs and theirs have node unknown, said so', async () => {
    const t = await readSysfsTopology(
      damaged({ [`${NODE}/node0/cpulist`]: '0-\n', [`${NODE}/node0/cpumap`]: 'zz\n' }),
    );
    assert.deepEqual(t.nodes[0]!.cpus, []);
    assert.ok(t.cpus.filter((c) => c.id < 80).every((c) => c.node === null));
    assert.match(noteAbout(t, `${NODE}/node0/cpulist`), /node unknown/);
    assertConsistent(t);
  });

  test('binary garbage in a node cpulist: noted with its bytes escaped, CPUs from the cpumap', async () => {
    const garbage = Buffer.from([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0xff, 0xfe, 0x07, 0x38, 0x30, 0x0a]);
    const t = await readSysfsTopology(damaged({ [`${NODE}/node1/cpulist`]: garbage }));
    assert.equal(formatCpuList(t.nodes[1]!.cpus), '80-159');
    const n = noteAbout(t, `${NODE}/node1/cpulist`);
    assert.match(n, /\\x1b\[31m/);
    assertConsistent(t);
  });

  test('a non-numeric physical_package_id takes the label of its package_cpus_list peers', async () => {
    const t = await readSysfsTopology(damaged({ [`${CPU}/cpu5/topology/physical_package_id`]: 'abc\n' }));
    assert.equal(t.cpus[5]!.package, 0);
    assert.equal(formatCpuList(t.packages.find((p) => p.id === 0)!.cpus), '0-79');
    const n = noteAbout(t, `${CPU}/cpu5/topology/physical_package_id`);
    assert.match(n, /"abc"/);
    assert.match(n, /package 0/);
    assertConsistent(t);
  });

  test('no readable package at all for a CPU: package unknown, said so', async () => {
    const t = await readSysfsTopology(
      damaged({
        [`${CPU}/cpu5/topology/physical_package_id`]: 'abc\n',
        [`${CPU}/cpu5/topology/package_cpus_list`]: '\u0001\n',
        [`${CPU}/cpu5/topology/package_cpus`]: '\u0001\n',
        [`${CPU}/cpu5/topology/core_siblings_list`]: '\u0001\n',
        [`${CPU}/cpu5/topology/core_siblings`]: '\u0001\n',
      }),
    );
    assert.equal(t.cpus[5]!.package, null);
    assert.match(noteAbout(t, `${CPU}/cpu5/topology/physical_package_id`), /package unknown/);
    assertConsistent(t);
  });

  test('overlapping node lists: the CPU goes to one node only, the one its package is on, said so', async () => {
    const t = await readSysfsTopology(damaged({ [`${NODE}/node0/cpulist`]: '0-80\n' }));
    assert.equal(t.cpus[80]!.node, 1);
    assert.equal(formatCpuList(t.nodes[0]!.cpus), '0-79');
    assert.equal(formatCpuList(t.nodes[1]!.cpus), '80-159');
    const n = noteAbout(t, `${NODE}/node0/cpulist`);
    assert.match(n, /node1\/cpulist/);
    assert.match(n, /CPU 80/);
    assert.match(n, /node 1/);
    assertConsistent(t);
  });

  test('a garbled Cpus_allowed_list is not "missing": the Cpus_allowed mask is used, and the note says so', async () => {
    const root = damaged({});
    const status = join(root, 'proc/self/status');
    const text = (await import('node:fs')).readFileSync(status, 'utf8');
    writeFileSync(
      status,
      text
        .replace(/^Cpus_allowed_list:.*$/m, 'Cpus_allowed_list:\t0-1x')
        .replace(/^Cpus_allowed:.*$/m, 'Cpus_allowed:\t00000000,00000000,00000000,00000000,0000ffff'),
    );
    const t = await readSysfsTopology(root);
    assert.equal(formatCpuList(t.cpus.filter((c) => c.allowed).map((c) => c.id)), '0-15');
    const n = noteAbout(t, 'proc/self/status');
    assert.doesNotMatch(n, /^No Cpus_allowed_list/);
    assert.match(n, /"0-1x"/);
    assert.match(n, /Cpus_allowed mask/);
    assertConsistent(t);

    writeFileSync(
      status,
      text.replace(/^Cpus_allowed_list:.*$/m, 'Cpus_allowed_list:\t0-1x').replace(/^Cpus_allowed:.*$/m, ''),
    );
    const t2 = await readSysfsTopology(root);
    assert.ok(t2.cpus.every((c) => c.allowed));
    const n2 = noteAbout(t2, 'proc/self/status');
    assert.match(n2, /not a CPU list.*every online CPU is assumed allowed/);
    assertConsistent(t2);
  });

  test('a garbled distance row and has_memory list: distances unknown, memory from meminfo, both noted', async () => {
    const t = await readSysfsTopology(
      // The NUL is inside the row: a trailing one is tolerated, as lscpu and hwloc do (topology-reference-forms).
      damaged({ [`${NODE}/node1/distance`]: '20 \u00001\n', [`${NODE}/has_memory`]: '0-1-\n' }),
    );
    assert.equal(t.nodes[1]!.distances, null);
    assert.deepEqual(t.nodes[0]!.distances, [10, 20]);
    assert.ok(t.nodes.every((n) => (n.memoryBytes ?? 0) > 0));
    assert.match(noteAbout(t, `${NODE}/node1/distance`), /\\x00.*distances are unknown/);
    assert.match(noteAbout(t, `${NODE}/has_memory`), /"0-1-"/);
    assertConsistent(t);
  });

  test('garbled online and isolated lists are noted with what was assumed', async () => {
    const t = await readSysfsTopology(damaged({ [`${CPU}/online`]: '0-159,\n', [`${CPU}/isolated`]: 'x\n' }));
    assert.ok(t.cpus.every((c) => c.online && c.isolated === false));
    assert.match(noteAbout(t, `${CPU}/online`), /assumed/);
    assert.match(noteAbout(t, `${CPU}/isolated`), /assumed/);
    assertConsistent(t);
  });
});
