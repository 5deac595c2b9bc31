/**
 * The map's picking rules (renderer/src/map/selection.ts), pure functions over map trees of the real fixtures:
 * x86-1p-4c-smt (4 cores × 2 threads), arm64-offline-isolated (offline 3, isolated 4-7, denied 12-15, 2 nodes)
 * and the 2-socket Altra dump.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { importTopology, readSysfsTopology } from '../../app/topology';
import { buildMapTree, type MapTree } from '../../renderer/src/map/model';
import {
  coreUnit,
  expandPick,
  isUsable,
  nodesTouched,
  orderSelection,
  rangeBetween,
  toggleUnit,
} from '../../renderer/src/map/selection';
import { fixtureRoot, fixtureText } from '../helpers/fixtures';

let smt: MapTree;
let offline: MapTree;
let twoSocket: MapTree;

const treeOf = async (name: string): Promise<MapTree> =>
  buildMapTree(await readSysfsTopology(fixtureRoot(name)));

before(async () => {
  [smt, offline, twoSocket] = await Promise.all([
    treeOf('x86-1p-4c-smt'),
    treeOf('arm64-offline-isolated'),
    treeOf('arm64-altra-2p-160c-2node'),
  ]);
});

describe('coreUnit: what one click takes', () => {
  test("with SMT a click takes the core's first thread, whichever thread was clicked", () => {
    assert.equal(smt.smt, true);
    assert.deepEqual(coreUnit(smt, 0, false), [0]);
    assert.deepEqual(coreUnit(smt, 1, false), [0]);
    assert.deepEqual(coreUnit(smt, 7, false), [6]);
  });

  test('the sibling only when asked', () => {
    assert.deepEqual(coreUnit(smt, 1, true), [0, 1]);
    assert.deepEqual(coreUnit(smt, 4, true), [4, 5]);
  });

  test('without SMT a CPU is its own unit, asked or not', () => {
    assert.equal(twoSocket.smt, false);
    assert.deepEqual(coreUnit(twoSocket, 95, false), [95]);
    assert.deepEqual(coreUnit(twoSocket, 95, true), [95]);
  });

  test('unavailable CPUs give nothing; unknown ids give nothing', () => {
    for (const id of [3, 4, 7, 12, 15]) assert.deepEqual(coreUnit(offline, id, false), [], `CPU ${id}`);
    assert.deepEqual(coreUnit(offline, 2, false), [2]);
    assert.deepEqual(coreUnit(smt, 99, false), []);
  });

  test('imported CPUs with unknown isolation and affinity can be picked', () => {
    const t = importTopology(fixtureText('lscpu/arm64-offline-isolated.lscpu-e.txt'), 'e.txt');
    const tree = buildMapTree(t);
    assert.deepEqual(coreUnit(tree, 5, false), [5], 'isolated on the machine, unknown in the import');
    assert.deepEqual(coreUnit(tree, 13, false), [13]);
    assert.deepEqual(coreUnit(tree, 3, false), [], 'offline is known');
    assert.equal(isUsable(tree.byId.get(13)), true);
    assert.equal(isUsable(tree.byId.get(3)), false);
    assert.equal(tree.unknownAvailability, true);
    assert.equal(offline.unknownAvailability, false, 'a sysfs reading knows');
  });
});

describe('expandPick: groups, ranges, rectangles', () => {
  test('a whole SMT machine: one thread per core, or every thread with siblings', () => {
    assert.deepEqual(expandPick(smt, smt.order, false), [0, 2, 4, 6]);
    assert.deepEqual(expandPick(smt, smt.order, true), [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test('node 0 of the offline/isolated machine: only its usable CPUs', () => {
    const node0 = offline.packages[0]!.nodes[0]!;
    assert.equal(node0.node?.id, 0);
    assert.deepEqual(expandPick(offline, node0.cpuIds, false), [0, 1, 2]);
    assert.deepEqual(expandPick(offline, offline.order, false), [0, 1, 2, 8, 9, 10, 11]);
  });

  test('a candidate list naming a core twice yields its thread once', () => {
    assert.deepEqual(expandPick(smt, [1, 0, 1], false), [0]);
  });
});

describe('rangeBetween: display order, both ends', () => {
  test('either direction', () => {
    assert.deepEqual(rangeBetween(twoSocket, 78, 82), [78, 79, 80, 81, 82]);
    assert.deepEqual(rangeBetween(twoSocket, 82, 78), [78, 79, 80, 81, 82]);
    assert.deepEqual(rangeBetween(twoSocket, 5, 5), [5]);
  });

  test('the offline CPU keeps its place, so a range across it includes it (and expandPick drops it)', () => {
    assert.deepEqual(rangeBetween(offline, 1, 5), [1, 2, 3, 4, 5]);
    assert.deepEqual(expandPick(offline, rangeBetween(offline, 1, 9), false), [1, 2, 8, 9]);
  });

  test('an end not on the map gives just the clicked CPU', () => {
    assert.deepEqual(rangeBetween(smt, 2, 99), [99]);
  });
});

describe('toggleUnit: Ctrl/Cmd-click', () => {
  test('adds a unit that is not all in, removes one that is', () => {
    assert.deepEqual(toggleUnit([4], [0], 0).sort(), [0, 4]);
    assert.deepEqual(toggleUnit([0, 1, 4], [0, 1], 1), [4]);
  });

  test('clicking a selected sibling takes the clicked CPU away too, not only the unit', () => {
    // Alt-click put CPU 1 in; a plain Ctrl-click on it now (unit = first thread 0) removes it.
    assert.deepEqual(toggleUnit([1, 6], [0], 1), [6]);
  });

  test('an empty unit adds nothing', () => {
    assert.deepEqual(toggleUnit([2], [], 3), [2]);
  });
});

describe('orderSelection and nodesTouched', () => {
  test('ascending by (node, id), duplicates dropped: the order numactl and AIO_NUMA_CPUS use', () => {
    assert.deepEqual(orderSelection(twoSocket, [100, 3, 80, 3, 1]), [1, 3, 80, 100]);
    assert.deepEqual(orderSelection(offline, [9, 0, 8, 2]), [0, 2, 8, 9]);
  });

  test('CPUs of unknown node go last', () => {
    // The offline CPU 3 has no node of its own (it is only drawn inside node 0).
    assert.deepEqual(orderSelection(offline, [3, 9, 0]), [0, 9, 3]);
  });

  test('nodes touched, ascending, without the unknown', () => {
    assert.deepEqual(nodesTouched(twoSocket, [150, 2]), [0, 1]);
    assert.deepEqual(nodesTouched(offline, [3]), []);
    assert.deepEqual(nodesTouched(offline, []), []);
  });
});
