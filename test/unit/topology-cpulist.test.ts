/** CPU list syntax: what users type into --physcpubind and what sysfs writes. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CpuListError, formatCpuList, parseCpuList, parseCpuMask } from '../../app/shared/cpulist';
import { fixtureRoot } from '../helpers/fixtures';

describe('parseCpuList', () => {
  test('ranges, singles, whitespace and strides', () => {
    assert.deepEqual(parseCpuList('0-3,8,10-11'), [0, 1, 2, 3, 8, 10, 11]);
    assert.deepEqual(parseCpuList(' 4 , 2 ,2 '), [2, 4]);
    assert.deepEqual(parseCpuList('0-15:4'), [0, 4, 8, 12]);
    assert.deepEqual(parseCpuList(''), []);
    assert.deepEqual(parseCpuList('  \n'), []);
  });

  test('malformed input throws CpuListError naming the bad piece', () => {
    const fails = (text: string, token: string, message: RegExp, opts?: { max?: number }): void =>
      assert.throws(
        () => parseCpuList(text, opts),
        (err: unknown) => {
          assert.ok(err instanceof CpuListError);
          assert.equal(err.token, token);
          assert.match(err.message, message);
          return true;
        },
      );
    fails('1-', '1-', /not a number or a range/);
    fails('0,7-3', '7-3', /reversed \(did you mean 3-7\?\)/);
    fails('0-8', '0-8', /8 in "0-8" is out of range \(highest is 7\)/, { max: 7 });
    fails('1,,2', '', /empty item/);
    fails('a', 'a', /not a number/);
    fails('0-7:0', '0-7:0', /stride/);
  });

  test('max accepts the highest CPU itself', () => {
    assert.deepEqual(parseCpuList('6-7', { max: 7 }), [6, 7]);
  });
});

describe('formatCpuList', () => {
  test('shortest ranges, sorted and de-duplicated', () => {
    assert.equal(formatCpuList([0, 1, 2, 3, 8]), '0-3,8');
    assert.equal(formatCpuList([11, 10, 4, 2, 1, 0, 5, 6, 7, 8, 9, 9]), '0-2,4-11');
    assert.equal(formatCpuList([]), '');
    assert.equal(formatCpuList(new Set([5])), '5');
  });

  test('round-trips every CPU list in the fixtures', () => {
    for (const text of ['0-2,4-15', '0-2,4-7', '8-15', '0-159', '4-7', '3']) {
      assert.equal(formatCpuList(parseCpuList(text)), text);
    }
  });
});

describe('parseCpuMask on real sysfs masks', () => {
  const read = (fixture: string, rel: string): string =>
    readFileSync(join(fixtureRoot(fixture), rel), 'utf8');
  const status = (fixture: string, key: string): string =>
    new RegExp(`^${key}:\\s*(\\S+)`, 'm').exec(read(fixture, 'proc/self/status'))![1]!;

  test('Cpus_allowed mask agrees with Cpus_allowed_list', () => {
    for (const f of [
      'arm64-offline-isolated',
      'arm64-altra-1p-80c',
      'arm64-altra-2p-160c-2node',
      'x86-1p-4c-smt',
    ]) {
      assert.equal(formatCpuList(parseCpuMask(status(f, 'Cpus_allowed'))), status(f, 'Cpus_allowed_list'), f);
    }
  });

  test('node cpumap agrees with node cpulist (multi-word masks)', () => {
    const base = 'sys/devices/system/node/node1';
    for (const f of ['arm64-altra-2p-160c-2node', 'arm64-offline-isolated']) {
      assert.equal(
        formatCpuList(parseCpuMask(read(f, `${base}/cpumap`))),
        read(f, `${base}/cpulist`).trim(),
        f,
      );
    }
  });
});
