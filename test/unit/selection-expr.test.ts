/**
 * Selection expressions (app/shared/selection) on the real kernel dumps of test/fixtures: every form the README
 * lists, what it expands to, and the errors a user sees for what cannot be selected.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { readSysfsTopology } from '../../app/topology';
import { expandSelection, selectionForm } from '../../app/shared/selection';
import { validateCpuList } from '../../app/shared/presets';
import { formatCpuList } from '../../app/shared/cpulist';
import { settingsFromFlags, UsageError } from '../../app/cli/args';
import { RunSettingsSchema } from '../../app/command/schema';
import { defaultSettings } from '../../app/shared/command';
import type { Topology } from '../../app/shared/topology';
import { fixtureRoot } from '../helpers/fixtures';

let twoSocket: Topology; // 2 packages × 80 cores, node 0 = 0-79, node 1 = 80-159
let big: Topology; // 384 CPUs, 2 packages, 4 nodes of 96
let smt: Topology; // 1 package, 4 cores × 2 threads: (0,1) (2,3) (4,5) (6,7)
let split: Topology; // 1 package, 2 nodes (0-1, 2-3), the L3 split at the node boundary
let offline: Topology; // offline 3, isolated 4-7, not allowed 12-15, 2 packages and nodes (0-7, 8-15)

before(async () => {
  const read = (n: string) => readSysfsTopology(fixtureRoot(n));
  [twoSocket, big, smt, split, offline] = await Promise.all([
    read('arm64-altra-2p-160c-2node'),
    read('arm64-virt-2p-384c-4node'),
    read('x86-1p-4c-smt'),
    read('x86-1p-4c-2node'),
    read('arm64-offline-isolated'),
  ]);
});

/** The expansion, or the first error's message. */
function expand(text: string, t: Topology): string {
  const r = expandSelection(text, t);
  return r.errors.length > 0 ? `error: ${r.errors.map((e) => e.message).join(' / ')}` : r.expansion;
}

describe('which grammar a text is read in', () => {
  test('digits, ranges, strides and spaces are a plain list; one-letter domains likwid; words hwloc', () => {
    for (const t of ['0-15,64-79', '0 1 2', '0-15:2', '', 'foo']) assert.equal(selectionForm(t), 'list', t);
    for (const t of [
      'N:0-7',
      'S1:0-3',
      'M1:0-3',
      'C0:0-3',
      'S0:0-3@S1:0-3',
      'E:N:8:1:2',
      'M:scatter',
      'L:1,3',
    ])
      assert.equal(selectionForm(t), 'likwid', t);
    for (const t of [
      'package:0.core:0-3',
      'node:1.core:all',
      'core:0-7.pu:0',
      'all --no-smt',
      '0xff',
      'all ~core:0',
    ])
      assert.equal(selectionForm(t), 'hwloc', t);
  });

  test('a plain list behaves exactly as before (same CPUs, order, repeats and messages)', () => {
    for (const text of ['0-3,8', '3 1 2', '0-15:2', '0,0,1', '1,,2', '4-1', '500', 'x', '3', '12-13']) {
      const before = validateCpuList(text, offline);
      const now = expandSelection(text, offline);
      assert.deepEqual({ cpus: now.cpus, errors: now.errors, repeated: now.repeated }, before, text);
      assert.equal(now.form, 'list');
    }
  });
});

describe('likwid-pin expressions', () => {
  test("M1:0-3 is the first four cores of NUMA node 1 (the issue's example)", () => {
    assert.equal(expand('M1:0-3', twoSocket), '80-83');
    assert.equal(expand('M1:0-3', big), '96-99');
    assert.equal(expand('M3:0-1', big), '288-289');
  });

  test('sockets, the node and cache domains count from 0 in each domain, physical cores first', () => {
    assert.equal(expand('S1:0-3', twoSocket), '80-83');
    assert.equal(expand('S0:0-3@S1:0-3', twoSocket), '0-3,80-83');
    assert.equal(expand('N:0-3', twoSocket), '0-3');
    // Physical cores first: the first thread of each of the 4 cores, then the second threads.
    assert.equal(expand('N:0-3', smt), '0,2,4,6');
    assert.equal(expand('N:4-7', smt), '1,3,5,7');
    assert.equal(expand('L:N:0-3', smt), '0,2,4,6');
    assert.equal(expand('L:0-3', smt), '0,2,4,6');
    // The kernel splits the L3 at the node boundary here: two last-level-cache domains.
    assert.equal(expand('C1:0-1', split), '2-3');
    assert.equal(expand('C0:0', split), '0');
  });

  test('parts joined with @ are pinned in the order written', () => {
    const r = expandSelection('S1:0-1@S0:0-1', twoSocket);
    assert.deepEqual(r.cpus, [80, 81, 0, 1]);
    assert.equal(r.expansion, '80,81,0,1');
    assert.equal(expand('0,2@S1:0-1', twoSocket), '0,2,80-81');
  });

  test('E:<domain>:<n>:<chunk>:<stride> walks the domain list', () => {
    // One thread per core on the SMT machine (its N list is 0,1,2,3,… core by core).
    assert.equal(expand('E:N:4:1:2', smt), '0,2,4,6');
    assert.equal(expand('E:N:8:1:2', big), '0,2,4,6,8,10,12,14');
    assert.equal(expand('E:N:2', smt), '0-1');
    assert.equal(expand('E:S1:4:2:4', twoSocket), '80-81,84-85');
    assert.equal(expand('E:N', smt), '0-7');
  });

  test('scatter spreads over every domain of a kind, round by round', () => {
    assert.equal(expand('M:scatter:8', big), '0,96,192,288,1,97,193,289');
    assert.equal(expand('S:scatter:4', twoSocket), '0,80,1,81');
    assert.equal(expandSelection('M:scatter', big).cpus.length, 384);
    assert.equal(expand('S:balanced:4', twoSocket), '0-1,80-81');
    assert.equal(expand('S:cbalanced:4', smt), '0,2,4,6');
  });

  test('domains hold only the CPUs this process may use; L: numbers inside that cpuset', () => {
    // Offline 3 and the not-allowed 12-15 are left out; 4-7 are allowed but isolated: taken, and said so.
    // likwid's node list is core by core: the allowed CPUs 0-2 and 4-11 (no SMT here), in that order.
    assert.equal(formatCpuList(expandSelection('L:0-10', offline).cpus), '0-2,4-11');
    assert.match(expand('L:0-10', offline), /CPU 4 is isolated/);
    assert.match(expand('L:11', offline), /index 11 is out of range: N has 11 CPUs \(indexes 0-10\)/);
    assert.equal(expand('M1:0-3', offline), '8-11');
    assert.match(expand('M1:4', offline), /M1 has 4 CPUs/);
  });

  test('what cannot be selected is an error naming the part, never a smaller selection', () => {
    assert.equal(expand('S2:0', twoSocket), 'error: S2 does not exist: this machine has 2 sockets (S0-S1)');
    assert.equal(expand('M4:0', big), 'error: M4 does not exist: this machine has 4 NUMA domains (M0-M3)');
    assert.equal(
      expand('N:0-160', twoSocket),
      'error: index 160 is out of range: N has 160 CPUs (indexes 0-159)',
    );
    assert.equal(expand('E:N:161', twoSocket), 'error: N has only 160 CPUs, 161 asked for');
    assert.match(expand('D0:0-3', twoSocket), /die domains \(D#\) are not supported/);
    assert.match(expand('Q0:1', twoSocket), /"Q0" is not an affinity domain/);
    assert.match(expand('S:scatter:0', twoSocket), /at least 1/);
    assert.match(expand('M1:', twoSocket), /no indexes after ":"/);
    assert.match(expand('S0:3-1', twoSocket), /reversed/);
    assert.equal(
      expand('S0:0-1@S9:0', twoSocket),
      'error: S9:0: S9 does not exist: this machine has 2 sockets (S0-S1)',
    );
    assert.match(expand('S0:0@', twoSocket), /empty part/);
  });
});

describe('hwloc-calc locations', () => {
  test('tuples count logically inside the object before them', () => {
    assert.equal(expand('node:1.core:all', twoSocket), '80-159');
    assert.equal(expand('package:0.core:0-3', twoSocket), '0-3');
    assert.equal(expand('socket:1.core:0-3', twoSocket), '80-83');
    assert.equal(expand('node:1.core:0-3', big), '96-99');
    assert.equal(expand('core:0-3.pu:0', smt), '0,2,4,6');
    assert.equal(expand('core:all.pu:1', smt), '1,3,5,7');
    assert.equal(expand('numa:1.pu:0:3', twoSocket), '80-82');
  });

  test('index forms: N, A-B, A-, A:N (wrapping), all, odd, even', () => {
    assert.equal(expand('core:2-', smt), '4-7');
    assert.equal(expand('core:2:3', smt), '0-1,4-7');
    assert.equal(expand('core:odd', smt), '2-3,6-7');
    assert.equal(expand('pu:even', smt), '0,2,4,6');
  });

  test('several locations combine: added, ~ removed, x intersected, ^ xor-ed', () => {
    assert.equal(expand('core:0 core:2', smt), '0-1,4-5');
    assert.equal(expand('all ~core:0', smt), '2-7');
    assert.equal(expand('all xcore:1', smt), '2-3');
    assert.equal(expand('core:0-1 ^pu:1-2', smt), '0,3');
    assert.equal(expand('0xf0', smt), '4-7');
  });

  test('--no-smt keeps the first (or N-th) CPU of each core of the result', () => {
    assert.equal(expand('pu:0-3 --no-smt', smt), '0,2');
    assert.equal(expand('--no-smt core:0-1', smt), '0,2');
    assert.equal(expand('core:0-1 --no-smt=1', smt), '1,3');
    assert.equal(expand('core:0-1 ~pu:0 --no-smt', smt), '1-2');
  });

  test('objects that do not exist are errors, with what does', () => {
    assert.equal(
      expand('core:0-7.pu:0', smt),
      'error: core:7 does not exist: this machine has 4 cores (core:0-3)',
    );
    assert.equal(
      expand('package:0.core:80', twoSocket),
      'error: core:80 does not exist: package:0 has 80 cores (core:0-79)',
    );
    assert.match(expand('l3cache:0', smt), /hwloc type "l3cache" is not supported here/);
    assert.match(expand('core:1,2', smt), /is not an index/);
    assert.match(expand('pu:0.core:0', smt), /must name a smaller object/);
    assert.equal(expand('0x100', smt), 'error: "0x100" selects no CPUs');
  });

  test('CPUs this process may not use are counted, like hwloc-calc --disallowed, and reported', () => {
    const r = expandSelection('node:1.core:all', offline);
    assert.equal(formatCpuList(r.cpus), '8-15');
    assert.match(r.errors[0]!.message, /CPU 12 is not allowed for this process/);
  });
});

describe('without a topology', () => {
  test('a list still validates; an expression says it needs the machine', () => {
    assert.deepEqual(expandSelection('0-3', null).cpus, [0, 1, 2, 3]);
    assert.match(expandSelection('M1:0-3', null).errors[0]!.message, /needs the machine's topology/);
  });
});

describe('--cores and saved settings', () => {
  test('--cores takes an expression and keeps it as typed beside its expansion', () => {
    const s = settingsFromFlags({ cores: 'M1:0-3' }, ['x'], twoSocket);
    assert.deepEqual(s.cpus, [80, 81, 82, 83]);
    assert.equal(s.cpuExpr, 'M1:0-3');
    assert.equal(settingsFromFlags({ cores: '0-3' }, ['x'], twoSocket).cpuExpr, undefined);
    // Another selection replaces a profile's expression.
    assert.equal(settingsFromFlags({ first: '2' }, ['x'], twoSocket, s).cpuExpr, undefined);
    assert.equal(settingsFromFlags({ threads: '2' }, ['x'], twoSocket, s).cpuExpr, 'M1:0-3');
  });

  test('--cores errors stay one clear line, and unavailable CPUs are left to the checks', () => {
    assert.throws(
      () => settingsFromFlags({ cores: 'S2:0-3' }, ['x'], twoSocket),
      (e: Error) =>
        e instanceof UsageError &&
        e.message === '--cores: S2 does not exist: this machine has 2 sockets (S0-S1)',
    );
    assert.deepEqual(
      settingsFromFlags({ cores: 'node:1.core:0-5' }, ['x'], offline).cpus,
      [8, 9, 10, 11, 12, 13],
    );
  });

  test('settings with and without cpuExpr both load (old profiles have none)', () => {
    const old = { ...defaultSettings(), cpus: [1] };
    assert.equal(RunSettingsSchema.parse(old).cpuExpr, undefined);
    assert.equal(RunSettingsSchema.parse({ ...old, cpuExpr: 'S0:0' }).cpuExpr, 'S0:0');
    assert.equal(RunSettingsSchema.parse({ ...old, cpuExpr: null }).cpuExpr, null);
    assert.equal(RunSettingsSchema.safeParse({ ...old, cpuExpr: 5 }).success, false);
  });
});
