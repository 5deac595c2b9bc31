/**
 * importTopology over every lscpu fixture, checked against the sysfs reading of the same machine where the
 * tarball exists, plus live lscpu / numactl output from this host when those tools are installed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { allAvailable, usable } from '../../app/command';
import {
  formatCpuList,
  formatTopologySummary as topologySummary,
  importTopology,
  loadTopology,
  readSysfsTopology,
  type CacheInfo,
  type Topology,
} from '../../app/topology';
import { FIXTURES_DIR, fixtureRoot, fixtureText, lscpuFixtures } from '../helpers/fixtures';

const KiB = 1024;
const MiB = 1024 * KiB;
const imported = (rel: string): Topology => importTopology(fixtureText(rel), rel.split('/').pop());
const pkgs = (t: Topology): [number, string][] => t.packages.map((p) => [p.id, formatCpuList(p.cpus)]);
const nodeLists = (t: Topology): [number, string][] => t.nodes.map((n) => [n.id, formatCpuList(n.cpus)]);
/** Cache instances as comparable text: "L1 Data 0-1" (sizes differ by source, sharing must not). */
const cacheSets = (caches: CacheInfo[]): string[] =>
  caches.map((c) => `L${c.level} ${c.type} ${formatCpuList(c.cpus)}`).sort();
/** Per-size instance counts: "L2 Unified 4194304 ×4". */
const cacheCounts = (caches: CacheInfo[]): string[] => {
  const counts = new Map<string, number>();
  for (const c of caches) {
    const k = `L${c.level} ${c.type} ${c.sizeBytes}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ×${n}`).sort();
};

/** What a per-CPU import must share with sysfs: CPUs, online state, packages, nodes, cores, caches. */
function assertSameLayout(fromText: Topology, fromSysfs: Topology): void {
  assert.deepEqual(
    fromText.cpus.map((c) => [c.id, c.online, c.core, c.siblings, c.node]),
    fromSysfs.cpus.map((c) => [c.id, c.online, c.core, c.siblings, c.node]),
  );
  assert.deepEqual(pkgs(fromText), pkgs(fromSysfs));
  assert.deepEqual(nodeLists(fromText), nodeLists(fromSysfs));
  assert.deepEqual(cacheSets(fromText.caches), cacheSets(fromSysfs.caches));
}

const EXPECTED_FILES = [
  'lscpu/altra-q80-30-1p.lscpu.txt',
  'lscpu/altramax-m128-30-2p.lscpu.txt',
  'lscpu/arm64-altra-1p-80c.lscpu-e.txt',
  'lscpu/arm64-altra-1p-80c.lscpu-p.txt',
  'lscpu/arm64-altra-2p-160c-2node.lscpu.txt',
  'lscpu/arm64-offline-isolated.lscpu-e.txt',
  'lscpu/x86-1p-4c-smt.lscpu-J.json',
  'lscpu/x86-1p-4c-smt.lscpu.txt',
];

test('every lscpu fixture is covered below and imports', () => {
  assert.deepEqual(lscpuFixtures(), EXPECTED_FILES, 'a new fixture needs its own assertions here');
  for (const rel of lscpuFixtures()) {
    const t = imported(rel);
    assert.ok(t.cpus.length > 0, rel);
    // Issue 2: fields a source cannot know are null, never guessed. No lscpu format shows isolcpus or affinity.
    for (const c of t.cpus) {
      assert.equal(c.isolated, null, `${rel} CPU ${c.id} isolated`);
      assert.equal(c.allowed, c.online ? null : false, `${rel} CPU ${c.id} allowed`);
    }
    assert.ok(
      t.notes?.some((n) => /affinity are not in this format: unknown/.test(n)),
      `${rel} says isolation and affinity are unknown`,
    );
    assert.ok(t.notes && t.notes.length > 0, `${rel} explains what its format cannot tell`);
    assert.equal(t.origin, rel.split('/').pop());
  }
});

describe('lscpu summaries (coarse)', () => {
  test('Altra Q80-30, util-linux ≥ 2.38 layout with instances and BIOS model name', () => {
    const t = imported('lscpu/altra-q80-30-1p.lscpu.txt');
    assert.equal(t.source, 'lscpu');
    assert.equal(t.coarse, true);
    assert.equal(t.model, 'Ampere Altra (Neoverse-N1)');
    assert.equal(t.arch, 'aarch64');
    assert.equal(t.vendor, 'ARM');
    assert.equal(t.cpus.length, 80);
    assert.deepEqual(pkgs(t), [[0, '0-79']]);
    assert.deepEqual(nodeLists(t), [[0, '0-79']]);
    assert.deepEqual(
      t.cpus.map((c) => c.core),
      [...Array(80).keys()],
      'no SMT: one core per CPU',
    );
    assert.equal(t.nodes[0]!.memoryBytes, null, 'lscpu does not know node memory');
    assert.deepEqual(cacheCounts(t.caches), [
      `L1 Data ${64 * KiB} ×80`,
      `L1 Instruction ${64 * KiB} ×80`,
      `L2 Unified ${MiB} ×80`,
    ]);
    assert.ok(t.caches.every((c) => c.cpus.length === 1));
    assert.ok(t.notes?.some((n) => /derived from counts, not read/.test(n)));
    assert.ok(
      t.notes?.some((n) => /Q80-30/.test(n)),
      'BIOS model name kept as a note',
    );
  });

  test('Altra Max M128-30 2P, old layout without instance counts', () => {
    const t = imported('lscpu/altramax-m128-30-2p.lscpu.txt');
    assert.equal(t.model, 'Ampere Altra Max (Neoverse-N1)', '128 cores per package');
    assert.equal(t.cpus.length, 256);
    // 2 sockets and 2 equal nodes: the only consistent reading is node i = socket i.
    assert.deepEqual(pkgs(t), [
      [0, '0-127'],
      [1, '128-255'],
    ]);
    assert.deepEqual(nodeLists(t), [
      [0, '0-127'],
      [1, '128-255'],
    ]);
    assert.deepEqual(cacheCounts(t.caches), [
      `L1 Data ${64 * KiB} ×256`,
      `L1 Instruction ${64 * KiB} ×256`,
      `L2 Unified ${MiB} ×256`,
    ]);
    assert.ok(t.notes?.some((n) => /No cache instance count/.test(n)));
  });

  test('lscpu --sysroot summary of the 2-socket dump: wrong Architecture corrected, same layout as sysfs', async () => {
    const t = imported('lscpu/arm64-altra-2p-160c-2node.lscpu.txt');
    const s = await readSysfsTopology(fixtureRoot('arm64-altra-2p-160c-2node'));
    assert.equal(t.arch, 'aarch64');
    assert.ok(t.notes?.some((n) => /Architecture x86_64/.test(n) && /aarch64/.test(n)));
    assert.equal(t.model, s.model);
    assert.deepEqual(pkgs(t), pkgs(s));
    assert.deepEqual(nodeLists(t), nodeLists(s));
    assert.deepEqual(
      t.cpus.map((c) => [c.id, c.core, c.package, c.node]),
      s.cpus.map((c) => [c.id, c.core, c.package, c.node]),
    );
    assert.deepEqual(t.caches, [], 'no cache lines: this firmware describes no cache sizes');
  });

  test('x86 summary: SMT pairing unknown, so cores null; cache sizes and counts match sysfs', async () => {
    const t = imported('lscpu/x86-1p-4c-smt.lscpu.txt');
    const s = await readSysfsTopology(fixtureRoot('x86-1p-4c-smt'));
    assert.equal(t.model, s.model);
    assert.equal(t.arch, 'x86_64');
    assert.equal(t.cpus.length, 8);
    assert.ok(t.cpus.every((c) => c.core === null && c.siblings === null && c.package === 0));
    assert.ok(t.notes?.some((n) => /2 threads per core/.test(n)));
    assert.deepEqual(cacheCounts(t.caches), cacheCounts(s.caches));
    const l3 = (x: Topology): CacheInfo[] => x.caches.filter((c) => c.level === 3);
    assert.deepEqual(l3(t), l3(s), 'a single L3 instance is shared by every CPU');
    assert.ok(
      t.caches.filter((c) => c.level === 2).every((c) => c.cpus.length === 0),
      'L2 sharing unknown',
    );
  });

  test('lscpu -J summary equals the text summary of the same machine', () => {
    const json = imported('lscpu/x86-1p-4c-smt.lscpu-J.json');
    const text = imported('lscpu/x86-1p-4c-smt.lscpu.txt');
    assert.equal(json.source, 'lscpu-J');
    const strip = ({ source: _s, origin: _o, notes: _n, ...rest }: Topology): object => rest;
    assert.deepEqual(strip(json), strip(text));
  });
});

describe('lscpu per-CPU tables', () => {
  test('lscpu -e of the offline/isolated machine matches its tarball', async () => {
    const t = imported('lscpu/arm64-offline-isolated.lscpu-e.txt');
    const s = await readSysfsTopology(fixtureRoot('arm64-offline-isolated'));
    assert.equal(t.source, 'lscpu-e');
    assert.equal(t.coarse, false);
    assertSameLayout(t, s);
    assert.equal(t.cpus[3]!.online, false);
    assert.equal(t.cpus[3]!.allowed, false, 'nothing runs on an offline CPU');
    // lscpu -e has no isolation or affinity columns: unknown (null), although sysfs says 4-7 isolated, 12-15 denied.
    assert.ok(t.cpus.every((c) => c.isolated === null));
    assert.equal(formatCpuList(t.cpus.filter((c) => c.allowed === null).map((c) => c.id)), '0-2,4-15');
    // …and unknown means pickable: the presets take every online core, the isolated and denied ones included.
    assert.equal(formatCpuList(allAvailable(t)), '0-2,4-15');
    assert.deepEqual(usable(t, 5), { usable: true, reasons: [] });
    assert.deepEqual(usable(t, 13), { usable: true, reasons: [] });
    assert.equal(usable(t, 3).usable, false);
    assert.match(topologySummary(t), /isolation\/affinity unknown: 0-2,4-15/);
    assert.doesNotMatch(topologySummary(t), /not allowed for this process|isolated: /);
    assert.deepEqual(
      t.nodes.map((n) => n.memoryBytes),
      [null, null],
    );
  });

  test('lscpu -p and lscpu -e of the 80-core dump agree with each other and with the 80-core tarball', async () => {
    const p = imported('lscpu/arm64-altra-1p-80c.lscpu-p.txt');
    const e = imported('lscpu/arm64-altra-1p-80c.lscpu-e.txt');
    const s = await readSysfsTopology(fixtureRoot('arm64-altra-1p-80c'));
    assert.equal(p.source, 'lscpu-p');
    assert.equal(e.source, 'lscpu-e');
    assertSameLayout(p, s);
    assertSameLayout(e, s);
    assert.equal(p.caches.length, 160);
    assert.ok(p.caches.every((c) => c.sizeBytes === null));
    assert.ok(
      p.notes?.some((n) => /online CPUs only/.test(n)),
      '-p without -a hides offline CPUs',
    );
  });
});

describe('bad input', () => {
  test('unknown text names the accepted formats', () => {
    const check = (text: string, extra?: RegExp): void =>
      assert.throws(
        () => importTopology(text, 'notes.txt'),
        (err: Error) => {
          assert.match(err.message, /lscpu -p/);
          assert.match(err.message, /numactl -H/);
          if (extra) assert.match(err.message, extra);
          return true;
        },
      );
    check(fixtureText('README.md'));
    check('', /empty/);
    check('{"hello": 1}', /neither/);
  });

  test('broken JSON and a fixture cut short are reported, not half-read', () => {
    const json = fixtureText('lscpu/x86-1p-4c-smt.lscpu-J.json');
    assert.throws(() => importTopology(json.slice(0, 200), 'cut.json'), /does not parse/);
  });

  test('loadTopology({fromFile}) imports and names the file; a missing file is a clear error', async () => {
    const t = await loadTopology({ fromFile: `${FIXTURES_DIR}/lscpu/altra-q80-30-1p.lscpu.txt` });
    assert.equal(t.origin, 'altra-q80-30-1p.lscpu.txt');
    await assert.rejects(
      loadTopology({ fromFile: `${FIXTURES_DIR}/nope.txt` }),
      /cannot read .*nope\.txt: ENOENT/,
    );
  });
});

/** Output of a tool on this host, or null when it is not installed or fails here. */
function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

describe('live tool output from this host', { skip: process.platform !== 'linux' && 'needs Linux' }, () => {
  test('numactl -H agrees with sysfs on nodes, CPUs and memory', async (t) => {
    const text = run('numactl', ['-H']);
    if (text === null || !/^available:/m.test(text)) return t.skip('numactl not installed or no NUMA here');
    const n = importTopology(text, 'numactl -H');
    const s = await readSysfsTopology('/');
    assert.equal(n.source, 'numactl-H');
    assert.equal(n.coarse, true);
    assert.deepEqual(n.packages, []);
    assert.ok(n.cpus.every((c) => c.package === null && c.core === null));
    assert.deepEqual(nodeLists(n), nodeLists(s));
    assert.deepEqual(
      n.nodes.map((x) => x.distances),
      s.nodes.map((x) => x.distances),
    );
    n.nodes.forEach((node, i) => {
      // numactl rounds MemTotal down to whole MB.
      const sys = s.nodes[i]!.memoryBytes!;
      assert.ok(Math.abs(node.memoryBytes! - sys) < MiB, `node ${node.id} memory`);
    });
  });

  test('lscpu -e, -p, -J -e and reordered --parse columns agree with sysfs', async (t) => {
    const outputs = {
      e: run('lscpu', ['-e']),
      p: run('lscpu', ['-p']),
      je: run('lscpu', ['-J', '-e']),
      reordered: run('lscpu', ['--parse=NODE,ONLINE,CORE,CPU,SOCKET', '--all']),
    };
    if (Object.values(outputs).some((o) => o === null)) return t.skip('lscpu not installed');
    const s = await readSysfsTopology('/');
    for (const [name, text] of Object.entries(outputs)) {
      const x = importTopology(text!, name);
      assert.deepEqual(
        x.cpus.map((c) => [c.id, c.online, c.core, c.node]),
        s.cpus.map((c) => [c.id, c.online, c.core, c.node]),
        name,
      );
      assert.deepEqual(pkgs(x).length, pkgs(s).length, name);
    }
  });
});
