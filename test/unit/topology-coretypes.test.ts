/**
 * Core types (big.LITTLE / DynamIQ, x86 hybrid): per-CPU type, types fastest first, the summary's lines, and
 * the selection helpers behind `--core-type`. Compared with Debian's lscpu and util-linux's own expected output.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { formatTopologySummary, readSysfsTopology } from '../../app/topology';
import { groupCoreTypes, typeNameOf, X86_E_CORE, X86_P_CORE } from '../../app/topology/core-types';
import { coresOfType, fastestType, findCoreType } from '../../app/shared/presets';
import type { Topology } from '../../app/shared/topology';
import { CACHE_DIR, cachedTree, FIXTURES_DIR, fixtureRoot, tarballFixtures } from '../helpers/fixtures';
import { UTIL_LINUX_DUMPS, utilLinuxRoot } from '../helpers/real-dumps';

const REAL = UTIL_LINUX_DUMPS;
const realRoot = utilLinuxRoot;

/** lscpu's model blocks: name → CPUs of that model (cores per socket × sockets × threads per core). */
function lscpuBlocks(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let name: string | null = null;
  let cores = 0;
  let sockets = 0;
  let threads = 0;
  const flush = (): void => {
    if (name !== null) out.set(name, cores * sockets * threads);
  };
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const [key, value] = [m[1]!.trim(), m[2]!.trim()];
    if (key === 'Model name') {
      flush();
      [name, cores, sockets, threads] = [value, 0, 0, 0];
    } else if (key === 'Core(s) per socket' || key === 'Core(s) per cluster') cores = Number(value);
    else if (key === 'Socket(s)' || key === 'Cluster(s)') sockets = Number(value);
    else if (key === 'Thread(s) per core') threads = Number(value);
  }
  flush();
  return out;
}

const ARM_PHONE = 'arm-A510-A710-A715-X3';

describe('core types from sysfs', () => {
  test('Arm DynamIQ phone SoC: four types, fastest first by cpu_capacity, the same blocks as lscpu', async () => {
    const t = await readSysfsTopology(realRoot(ARM_PHONE));
    assert.deepEqual(t.coreTypes, [
      { name: 'Cortex-X3', cpus: [7], capacity: 1024 },
      // Equal capacity: the lower CPU ids first.
      { name: 'Cortex-A715', cpus: [3, 4], capacity: 855 },
      { name: 'Cortex-A710', cpus: [5, 6], capacity: 855 },
      { name: 'Cortex-A510', cpus: [0, 1, 2], capacity: 280 },
    ]);
    assert.deepEqual(
      t.cpus.map((c) => c.coreType),
      ['A510', 'A510', 'A510', 'A715', 'A715', 'A710', 'A710', 'X3'].map((p) => `Cortex-${p}`),
    );
    // util-linux 2.41's expected output for this very dump: the same model names with the same CPU counts.
    const expected = readFileSync(join(REAL, 'expected', `lscpu-${ARM_PHONE}`), 'utf8').split('\n# ')[0]!;
    const upstream = lscpuBlocks(expected);
    assert.deepEqual(
      new Map(t.coreTypes!.map((ct) => [ct.name, ct.cpus.length])),
      new Map(
        [...upstream].sort(
          (a, b) =>
            t.coreTypes!.findIndex((x) => x.name === a[0]) - t.coreTypes!.findIndex((x) => x.name === b[0]),
        ),
      ),
    );
    // Debian's lscpu 2.38 agrees on every model it knows; it prints "-" for the X3 (part 0xd4e is newer than it).
    const debian = lscpuBlocks(
      execFileSync('lscpu', ['--sysroot', realRoot(ARM_PHONE)], { encoding: 'utf8' }),
    );
    assert.deepEqual([...debian.keys()].sort(), ['-', 'Cortex-A510', 'Cortex-A710', 'Cortex-A715']);
    for (const [name, n] of debian) if (name !== '-') assert.equal(upstream.get(name), n, name);
  });

  test('summary: one line per type, fastest first, like lscpu model blocks', async () => {
    const lines = formatTopologySummary(await readSysfsTopology(realRoot(ARM_PHONE))).split('\n');
    const typeLines = lines.filter((l) => l.startsWith('core type '));
    assert.deepEqual(typeLines, [
      'core type Cortex-X3: CPU 7 · 1 core · capacity 1024',
      'core type Cortex-A715: CPUs 3-4 · 2 cores · capacity 855',
      'core type Cortex-A710: CPUs 5-6 · 2 cores · capacity 855',
      'core type Cortex-A510: CPUs 0-2 · 3 cores · capacity 280',
    ]);
  });

  test('uniform machines (every kernel dump of test/fixtures): exactly one type naming every online CPU', async () => {
    const want: Record<string, string> = {
      'arm64-altra-1p-80c': 'Neoverse-N1',
      'arm64-altra-2p-160c-2node': 'Neoverse-N1',
      'arm64-offline-isolated': 'Neoverse-N1',
      'x86-1p-4c-smt': 'Intel Xeon Processor (Skylake)',
    };
    for (const name of tarballFixtures().filter((n) => !n.includes('hybrid'))) {
      const t = await readSysfsTopology(fixtureRoot(name));
      const online = t.cpus.filter((c) => c.online).map((c) => c.id);
      assert.equal(t.coreTypes?.length, 1, name);
      assert.deepEqual(t.coreTypes![0]!.cpus, online, name);
      if (want[name]) assert.equal(t.coreTypes![0]!.name, want[name], name);
      for (const c of t.cpus)
        assert.equal(c.coreType, c.online ? t.coreTypes![0]!.name : null, `${name} CPU ${c.id}`);
      // No extra summary line on a uniform machine: its model is already the first line.
      assert.ok(!formatTopologySummary(t).includes('core type '), name);
    }
  });

  test("real dumps of other architectures: one type, named as Debian's lscpu names the model", async () => {
    for (const name of readdirSync(REAL)
      .filter((f) => f.endsWith('.tar.gz'))
      .map((f) => f.replace(/\.tar\.gz$/, ''))
      .filter((n) => n !== ARM_PHONE)) {
      const root = realRoot(name);
      const t = await readSysfsTopology(root);
      const models = [
        ...lscpuBlocks(execFileSync('lscpu', ['--sysroot', root], { encoding: 'utf8' })).keys(),
      ];
      assert.ok((t.coreTypes?.length ?? 0) <= 1, `${name}: ${JSON.stringify(t.coreTypes)}`);
      // Debian's lscpu 2.38 names no model on LoongArch and RISC-V; there /proc/cpuinfo's field is the name.
      const lscpuName = models.length === 1 && models[0] !== '-' ? models[0]!.replace(/\s+/g, ' ') : null;
      const ours = t.coreTypes?.[0]?.name.replace(/\s+/g, ' ') ?? null;
      if (lscpuName !== null && ours !== null) assert.equal(ours, lscpuName, name);
      // s390's /proc/cpuinfo names no model (lscpu prints "-"): no type, never a guess.
      if (name.startsWith('s390')) assert.deepEqual(t.coreTypes, [], name);
    }
  });

  test('x86 hybrid (derived fixture): cpu_core CPUs are the P-cores, listed first; cpu_atom the E-cores', async () => {
    const t = await readSysfsTopology(fixtureRoot('x86-1p-4c-smt-hybrid'));
    assert.deepEqual(t.coreTypes, [
      { name: X86_P_CORE, cpus: [0, 1, 2, 3] },
      { name: X86_E_CORE, cpus: [4, 5, 6, 7] },
    ]);
    assert.deepEqual(fastestType(t), [0, 2]);
    assert.deepEqual(coresOfType(t, X86_E_CORE), [4, 6]);
    assert.ok(!(t.notes ?? []).some((n) => /not by speed/.test(n)));
  });
});

describe('a dump without names (hwloc test data)', () => {
  test('CPUs that differ only in cpu_capacity: no type is invented, a note gives the groups hwloc calls CPU kinds', async () => {
    const name = 'fakeheterocpunuma';
    const tarball = join(FIXTURES_DIR, 'real/hwloc', `${name}.tar.bz2`);
    const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 12);
    const dir = cachedTree(join(CACHE_DIR, `real-hwloc-${name}-${digest}`), (staging) =>
      execFileSync('tar', ['-xjf', tarball, '-C', staging], { stdio: ['ignore', 'ignore', 'pipe'] }),
    );
    const t = await readSysfsTopology(join(dir, name));
    assert.deepEqual(t.coreTypes, []);
    assert.ok(t.cpus.every((c) => c.coreType === null));
    // hwloc's own output for this dump: kinds 0x00fff000 (CPUs 12-23, LinuxCapacity 1025) and 0x00000fff split
    // by frequency (0-7, 8-11, capacity 234).
    const hwloc = readFileSync(join(FIXTURES_DIR, 'real/hwloc', `${name}.output`), 'utf8');
    assert.match(
      hwloc,
      /<cpukind cpuset="0x00fff000"[^>]*>\s*<info name="FrequencyMaxMHz" value="2000"\/>\s*<info name="FrequencyBaseMHz" value="1200"\/>\s*<info name="LinuxCapacity" value="1025"\/>/,
    );
    assert.ok(
      (t.notes ?? []).includes(
        'The CPUs differ in cpu_capacity (1025: CPUs 12-23; 234: CPUs 0-11) but nothing names their core types: coreTypes is empty.',
      ),
    );
  });
});

describe('core type naming and order', () => {
  test('a CPU is named by its MIDR, else its cpuinfo block', () => {
    assert.equal(typeNameOf('0x00000000411fd4e0', null), 'Cortex-X3');
    assert.equal(
      typeNameOf(null, 'processor\t: 3\nCPU implementer\t: 0x41\nCPU part\t: 0xd4d\n'),
      'Cortex-A715',
    );
    assert.equal(
      typeNameOf(null, 'processor\t: 0\nmodel name\t: AMD EPYC 7451 24-Core Processor\n'),
      'AMD EPYC 7451 24-Core Processor',
    );
    assert.equal(typeNameOf(null, 'processor\t: 0\n'), null);
  });

  test('without cpu_capacity, the higher maximum frequency is faster; unnamed CPUs make no type', () => {
    const types = groupCoreTypes([
      { id: 0, name: 'Cortex-A55', capacity: null, maxFreqKhz: 1_800_000 },
      { id: 1, name: 'Cortex-A55', capacity: null, maxFreqKhz: 1_800_000 },
      { id: 2, name: 'Cortex-A76', capacity: null, maxFreqKhz: 2_400_000 },
      { id: 3, name: null, capacity: null, maxFreqKhz: null },
    ]);
    assert.deepEqual(types, [
      { name: 'Cortex-A76', cpus: [2] },
      { name: 'Cortex-A55', cpus: [0, 1] },
    ]);
  });
});

describe('choosing a core type', () => {
  const phone = (): Promise<Topology> => readSysfsTopology(realRoot(ARM_PHONE));

  test('fastest, slowest, full names and a word of a name', async () => {
    const t = await phone();
    const pick = (spec: string): string => {
      const r = findCoreType(t, spec);
      assert.ok('type' in r, spec);
      return r.type.name;
    };
    assert.equal(pick('fastest'), 'Cortex-X3');
    assert.equal(pick('SLOWEST'), 'Cortex-A510');
    assert.equal(pick('cortex-a710'), 'Cortex-A710');
    assert.equal(pick('A715'), 'Cortex-A715');
    assert.deepEqual(fastestType(t), [7]);
    assert.deepEqual(coresOfType(t, 'Cortex-A510', 2), [0, 1]);
  });

  test('an unknown or ambiguous name is refused with the machine’s types', async () => {
    const t = await phone();
    const err = (spec: string): string => {
      const r = findCoreType(t, spec);
      assert.ok('error' in r, spec);
      return r.error;
    };
    assert.equal(
      err('A78'),
      'no core type "A78" on this machine (types: Cortex-X3, Cortex-A715, Cortex-A710, Cortex-A510; also fastest, slowest)',
    );
    assert.match(err('cortex'), /matches more than one core type/);
    const none = findCoreType({ ...t, source: 'lscpu', coreTypes: [] }, 'fastest');
    assert.ok('error' in none && /unknown \(lscpu source\)/.test(none.error));
  });
});
