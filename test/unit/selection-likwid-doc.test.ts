/**
 * likwid-pin's documented examples as unit cases, on real machines shaped like the documentation's.
 *
 * Sources (RRZE-HPC/likwid): doc/applications/likwid-pin.md, section "CPU expressions", and doc/likwid-pin.1,
 * section "CPU EXPRESSION". Both assume "the node affinity domain contains the CPUs 0,4,1,5,2,6,3,7": 4 cores
 * of 2 threads, each core's second thread 4 above its first. util-linux's `x86_64-64cpu-linux6.2` dump is exactly
 * that machine (its likwid node list, core by core, is 0,4,1,5,2,6,3,7), so the examples' CPU numbers are asserted
 * as printed in the documentation.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { readSysfsTopology } from '../../app/topology';
import { expandSelection } from '../../app/shared/selection';
import { machineOrder, objectsOf } from '../../app/shared/selection/objects';
import type { Topology } from '../../app/shared/topology';
import { realDumpRoot } from '../helpers/reference-topology';

let doc: Topology;
let fourSockets: Topology;

before(async () => {
  doc = await readSysfsTopology(realDumpRoot('util-linux/x86_64-64cpu-linux6.2.tar.gz'));
  fourSockets = await readSysfsTopology(realDumpRoot('hwloc/16em64t-4s2c2t.tar.bz2'));
});

const cpus = (text: string, t: Topology = doc): number[] => {
  const r = expandSelection(text, t);
  assert.deepEqual(r.errors, [], text);
  return [...r.cpus, ...r.repeated];
};

describe("likwid-pin's documented examples", () => {
  test('the machine is the one the documentation assumes: N = 0,4,1,5,2,6,3,7', () => {
    const o = objectsOf(doc);
    assert.deepEqual(machineOrder(o, o.online), [0, 4, 1, 5, 2, 6, 3, 7]);
  });

  test('physical numbering (likwid-pin.md: "-c 1,4", "-c 1-3", "-c 0,1-3")', () => {
    assert.deepEqual(cpus('1'), [1]);
    assert.deepEqual(cpus('1,4'), [1, 4]);
    assert.deepEqual(cpus('1-3'), [1, 2, 3]);
    assert.deepEqual(cpus('0,1-3'), [0, 1, 2, 3]);
  });

  test('logical numbering, physical cores first (likwid-pin.md "Logical numbering")', () => {
    // "-c L:0 Run only on CPU 0, the first entry in the sorted affinity domain N"
    assert.deepEqual(cpus('L:0'), [0]);
    // "-c L:0,4 Run on the first and fifth entry in the sorted affinity domain N" (sorted: 0,1,2,3,4,5,6,7)
    assert.deepEqual(cpus('L:0,4'), [0, 4]);
    // "-c L:1-3 … hence CPUs 1,2,3."
    assert.deepEqual(cpus('L:1-3'), [1, 2, 3]);
    // "-c L:N:1,4-6 … hence CPUs 1,4,5,6."
    assert.deepEqual(cpus('L:N:1,4-6'), [1, 4, 5, 6]);
    // The domain form without L: is the same numbering (likwid-pin.md: "-c N:0-7 … you get all physical cores").
    assert.deepEqual(cpus('N:0-3'), [0, 1, 2, 3]);
  });

  test('numbering by expression (likwid-pin.md "Numbering by expression", likwid-pin.1)', () => {
    // "-c E:N:1 Selects the first entry in the node affinity domain, thus CPU 0"
    assert.deepEqual(cpus('E:N:1'), [0]);
    // "-c E:N:2 Selects the first two entries in the node affinity domain, thus CPUs 0 and 4"
    assert.deepEqual(cpus('E:N:2'), [0, 4]);
    // "-c E:N:2:1:2 Selects 1 CPU in a row and skips 1 entries thus we get CPUs 0 and 1"
    assert.deepEqual(cpus('E:N:2:1:2'), [0, 1]);
    // "-c E:N:4:2:4 Selects in total 4 CPUs, 2 in a row with a stride of 4, thus CPUs 0,4,2,6"
    assert.deepEqual(cpus('E:N:4:2:4'), [0, 4, 2, 6]);
    // likwid-pin.1: "E:N:4:1:2 for selecting the first four physical CPUs on a system with 2 SMT threads per core"
    assert.deepEqual(cpus('E:N:4:1:2'), [0, 1, 2, 3]);
  });

  test('scatter, balanced and cbalanced (likwid-pin.md "Scatter/Balanced expression")', () => {
    // The documentation's example has two sockets S0 = 0,4,1,5 and S1 = 2,6,3,7 and gives S:scatter =
    // 0,2,1,3,4,6,5,7: each socket sorted physical cores first, then one CPU from each in turn. hwloc's
    // 16em64t-4s2c2t is the 4-socket form of that machine: S0 = 0,8,4,12, S1 = 1,9,5,13, S2 = 2,10,6,14,
    // S3 = 3,11,7,15; sorted, S0 = 0,4,8,12 … so scatter takes 0,1,2,3 (every socket's first core), 4,5,6,7, …
    const o = objectsOf(fourSockets);
    assert.deepEqual(
      o.packages.map((p) => machineOrder(o, p)),
      [
        [0, 8, 4, 12],
        [1, 9, 5, 13],
        [2, 10, 6, 14],
        [3, 11, 7, 15],
      ],
    );
    assert.deepEqual(cpus('S:scatter', fourSockets), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    // "-c S:scatter:4 The resulting CPU list is 0,2,1,3": the first 4 of the scatter list.
    assert.deepEqual(cpus('S:scatter:4', fourSockets), [0, 1, 2, 3]);
    // "-c S:balanced:4 … 0,4,2,6": an equal share of each socket's own list (SMT threads included), in order.
    assert.deepEqual(cpus('S:balanced:8', fourSockets), [0, 8, 1, 9, 2, 10, 3, 11]);
    // "-c S:cbalanced:4 … 0,1,2,3": the same share, physical cores first.
    assert.deepEqual(cpus('S:cbalanced:8', fourSockets), [0, 4, 1, 5, 2, 6, 3, 7]);
    // On the documentation's one-socket machine, balanced over N is not a domain kind to spread over.
    assert.match(expandSelection('N:balanced:4', doc).errors[0]!.message, /needs a domain kind/);
  });
});
