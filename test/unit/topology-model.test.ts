/** CPU naming (MIDR tables, Ampere platform names) and the non-Linux flat view. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { armCoreName, hostTopology, parseMidr, parseSizeBytes, platformName } from '../../app/topology';
import { midrFromCpuinfo } from '../../app/topology/model-name';
import { fixtureRoot } from '../helpers/fixtures';
import { allAvailable } from '../../app/shared/presets';

describe('MIDR decoding', () => {
  test('sysfs midr_el1 and /proc/cpuinfo of the Altra dump give the same part', () => {
    const root = fixtureRoot('arm64-altra-2p-160c-2node');
    const fromSysfs = parseMidr(
      readFileSync(join(root, 'sys/devices/system/cpu/cpu0/regs/identification/midr_el1'), 'utf8'),
    );
    const fromCpuinfo = midrFromCpuinfo(readFileSync(join(root, 'proc/cpuinfo'), 'utf8'));
    assert.deepEqual(fromSysfs, { implementer: 0x41, variant: 4, part: 0xd0c, revision: 1 });
    assert.deepEqual(fromCpuinfo, fromSysfs);
    assert.equal(armCoreName(fromSysfs!), 'Neoverse-N1');
  });

  test('part table, Ampere parts and unknown parts', () => {
    const name = (implementer: number, part: number): string =>
      armCoreName({ implementer, part, variant: 0, revision: 0 });
    assert.equal(name(0x41, 0xd40), 'Neoverse-V1');
    assert.equal(name(0x41, 0xd49), 'Neoverse-N2');
    assert.equal(name(0x41, 0xd4f), 'Neoverse-V2');
    assert.equal(name(0x41, 0xd8e), 'Neoverse-N3');
    assert.equal(name(0x41, 0xabc), 'ARM part 0xabc');
    assert.equal(name(0xc0, 0xac3), 'AmpereOne');
    assert.equal(name(0xc0, 0xac4), 'AmpereOne (Ampere-1a)');
    assert.equal(parseMidr('not a register'), null);
  });

  test('Neoverse-N1 platform: Altra up to 80 cores, Altra Max from 96', () => {
    assert.equal(platformName('Neoverse-N1', { coresPerPackage: 80 }), 'Ampere Altra (Neoverse-N1)');
    assert.equal(platformName('Neoverse-N1', { coresPerPackage: 96 }), 'Ampere Altra Max (Neoverse-N1)');
    // 192 N1 cores a socket is no Ampere part (the 384-CPU QEMU virt dump): the core's name only.
    assert.equal(platformName('Neoverse-N1', { coresPerPackage: 192 }), 'Neoverse-N1');
    assert.equal(platformName('Neoverse-N1', { boardVendor: 'QEMU' }), 'Neoverse-N1');
    assert.equal(platformName('Neoverse-V2'), 'Neoverse-V2');
  });
});

test('parseSizeBytes reads sysfs and lscpu spellings', () => {
  assert.equal(parseSizeBytes('32K'), 32768);
  assert.equal(parseSizeBytes('4096K'), 4 * 1024 * 1024);
  assert.equal(parseSizeBytes('1M'), 1024 * 1024);
  assert.equal(parseSizeBytes('5 MiB'), 5 * 1024 * 1024);
  assert.equal(parseSizeBytes('256 KiB'), 256 * 1024);
  assert.equal(parseSizeBytes('big'), null);
});

test('hostTopology: flat view, binding unsupported, banner first', async () => {
  const t = await hostTopology();
  assert.equal(t.source, 'systeminformation');
  assert.equal(t.bindingSupported, false);
  assert.match(t.notes![0]!, /^CPU binding needs Linux \(numactl\); this is a flat view/);
  assert.equal(t.cpus.length, os.cpus().length);
  assert.equal(t.nodes.length, 1);
  assert.ok(t.cpus.every((c) => c.online && c.node === 0));
  // No isolcpus or affinity masks to read there: unknown, never guessed, and still pickable for planning.
  assert.ok(t.cpus.every((c) => c.allowed === null && c.isolated === null));
  assert.deepEqual(
    allAvailable(t),
    t.cpus.map((c) => c.id),
  );
  assert.ok((t.memTotalBytes ?? 0) > 0);
});
