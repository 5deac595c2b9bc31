/**
 * hwloc XML both ways, through the real `lstopo` (Debian hwloc 2.9): what `lstopo --input DIR --of xml` says
 * about a dump must import as the machine the engine reads from the same dump, and what `topology --format xml`
 * writes must be accepted by `lstopo --input FILE`, drawn, and come back from lstopo's own re-export unchanged.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  formatCpuList,
  hwlocXmlFromTopology,
  importTopology,
  readSysfsTopology,
  type Topology,
} from '../../app/topology';
import { FIXTURES_DIR, fixtureRoot } from '../helpers/fixtures';
import { allDumps, realDumpRoot } from '../helpers/reference-topology';

const work = mkdtempSync(join(tmpdir(), 'aio-hwloc-xml-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** lstopo's own XML; its I/O discovery is off (a dump's PCI tree is not what is compared, and it is slow). */
function lstopoXml(input: string, extra: string[] = []): string {
  return execFileSync('lstopo', ['--input', input, '--no-io', ...extra, '--of', 'xml', '-'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  });
}

/**
 * What hwloc and the engine both know, as comparable text: which CPUs exist and are online, and per online CPU
 * its package, node, core and siblings; packages; nodes with their online CPUs, memory and distances; caches
 * with sizes and sharing sets. hwloc keeps offline CPUs out of nodes and caches, so only online ones are compared;
 * it writes no distance matrix for a single node. Caches are compared where both describe them: on x86 hwloc
 * reads caches with cpuid, which a dump cannot replay, so `lstopo --input DIR` of an x86 dump has none, and for
 * a dump without cache directories it reports the caches of the host it runs on.
 */
function layout(t: Topology, opts: { caches: boolean }) {
  const online = new Set(t.cpus.filter((c) => c.online).map((c) => c.id));
  const list = (ids: number[]) => formatCpuList(ids.filter((id) => online.has(id)));
  return {
    offline: formatCpuList(t.cpus.filter((c) => !c.online).map((c) => c.id)),
    cpus: t.cpus
      .filter((c) => c.online)
      .map((c) => `${c.id} pkg ${c.package} node ${c.node} core ${c.core} siblings ${c.siblings?.join(',')}`),
    packages: t.packages.map((p) => `${p.id}: ${formatCpuList(p.cpus)}`),
    nodes: t.nodes.map(
      (n) =>
        `${n.id}: cpus ${list(n.cpus)} memory ${n.memoryBytes} distances ${t.nodes.length > 1 ? n.distances?.join(' ') : '-'}`,
    ),
    caches: opts.caches
      ? t.caches
          .filter((c) => c.sizeBytes !== null && c.cpus.some((id) => online.has(id)))
          .map((c) => `L${c.level} ${c.type} ${c.sizeBytes} ${list(c.cpus)}`)
          .sort()
      : [],
  };
}

/** Dumps on which the engine and lstopo agree today (see the README of test/fixtures/real for their origin). */
const DUMPS: [string, () => string][] = [
  ...[
    'x86-1p-4c-2node',
    'x86-1p-4c-smt',
    'x86-2p-4c-2node',
    'arm64-altra-1p-80c',
    'arm64-altra-2p-160c-2node',
    'arm64-offline-isolated',
  ].map((f): [string, () => string] => [f, () => fixtureRoot(f)]),
  ...[
    'hwloc/32em64t-2n8c+1mic.tar.bz2',
    'hwloc/40intel64-2g2n4c+pci.tar.bz2',
    'hwloc/48amd64-4d2n6c-sparse.tar.bz2',
    'hwloc/fakecpuid1f-64intel64-2p4d2n2c2t.tar.bz2',
    'hwloc/16ia64-8n2s.tar.bz2',
    'hwloc/8em64t-4c2t.tar.bz2',
    'hwloc/2arm-2c.tar.bz2',
    'util-linux/arm-A510-A710-A715-X3.tar.gz',
    'util-linux/armv7.tar.gz',
  ].map((f): [string, () => string] => [f, () => realDumpRoot(f)]),
];

describe('lstopo --input DIR --of xml imports as the engine reads DIR', () => {
  for (const [name, root] of DUMPS) {
    test(name, async () => {
      const dir = root();
      const engine = await readSysfsTopology(dir);
      const xml = lstopoXml(dir);
      const t = importTopology(xml, 'topo.xml');
      assert.equal(t.source, 'hwloc-xml');
      assert.equal(t.origin, 'topo.xml');
      const caches = engine.caches.some((c) => c.sizeBytes !== null) && t.caches.length > 0;
      assert.deepEqual(layout(t, { caches }), layout(engine, { caches }));
      // Nothing here says which CPUs are isolated: unknown, never "no".
      assert.ok(t.cpus.every((c) => c.isolated === null));
    });
  }
});

/**
 * Export is checked on every dump in test/fixtures but one: hwloc's own edited `fakeheterocpunuma` leaves CPUs
 * 4-7 in no node's cpumap, so the engine shows them without a node while lstopo, re-reading our XML, hangs
 * them under a memory node of its choosing.
 */
const EXPORT_DUMPS: [string, () => string][] = allDumps()
  .filter((d) => d.name !== 'hwloc/fakeheterocpunuma')
  .map((d) => [d.name, () => d.root]);

describe('topology --format xml: lstopo draws it and gives back the same machine', () => {
  for (const [name, root] of EXPORT_DUMPS) {
    test(name, async () => {
      const engine = await readSysfsTopology(root());
      const file = join(work, `${name.replace(/\W/g, '_')}.xml`);
      writeFileSync(file, hwlocXmlFromTopology(engine));
      // --whole-system: the CPUs this process may not use (affinity, cgroup) are drawn too, as the map shows them.
      const drawn = spawnSync('lstopo', ['--input', file, '--whole-system', '--of', 'console', '-'], {
        encoding: 'utf8',
      });
      assert.equal(drawn.status, 0, drawn.stderr);
      assert.equal(drawn.stderr, '', 'lstopo has nothing to say against the file');
      const online = engine.cpus.filter((c) => c.online).length;
      assert.equal((drawn.stdout.match(/PU L#\d+/g) ?? []).length, online, drawn.stdout);
      assert.equal((drawn.stdout.match(/NUMANode L#\d+/g) ?? []).length, engine.nodes.length, drawn.stdout);
      const ours = importTopology(readFileSync(file, 'utf8'), 'ours.xml');
      const again = importTopology(lstopoXml(file, ['--whole-system']), 'again.xml');
      const all = { caches: true };
      assert.deepEqual(layout(ours, all), layout(engine, all));
      assert.deepEqual(layout(again, all), layout(engine, all));
      // The disallowed (not offline) CPUs stay known as such both ways.
      const disallowed = (t: Topology) =>
        formatCpuList(t.cpus.filter((c) => c.online && c.allowed === false).map((c) => c.id));
      assert.equal(disallowed(ours), disallowed(engine));
      assert.equal(disallowed(again), disallowed(engine));
    });
  }
});

describe('what hwloc says about offline and disallowed CPUs', () => {
  test('--whole-system: offline CPUs and those the cgroup disallows are told apart', () => {
    const dir = realDumpRoot('hwloc/16amd64-8n2c-cpusets.tar.bz2');
    const t = importTopology(lstopoXml(dir, ['--whole-system']), 'cpusets.xml');
    const lstopoSays = (flags: string[]) =>
      execFileSync('hwloc-calc', ['--input', dir, ...flags, '--po', '--intersect', 'PU', 'all'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    assert.equal(formatCpuList(t.cpus.filter((c) => !c.online).map((c) => c.id)), '4');
    const allowed = t.cpus.filter((c) => c.allowed).map((c) => c.id);
    // hwloc-calc over the same dump names the PUs this process may use (by default it hides the rest).
    assert.equal(allowed.join(','), lstopoSays([]));
    assert.ok(
      t.cpus.some((c) => c.online && c.allowed === false),
      'some online CPUs are disallowed',
    );
    // Nodes the cgroup forbids for memory are marked so, the others not.
    assert.deepEqual(
      t.nodes.filter((n) => n.memAllowed === false).map((n) => n.id),
      [0, 5, 6, 7],
    );
  });

  test('without --whole-system the missing CPUs are shown offline, and the note says why that may be wrong', () => {
    const dir = realDumpRoot('hwloc/16amd64-8n2c-cpusets.tar.bz2');
    const t = importTopology(lstopoXml(dir), 'cpusets.xml');
    assert.equal(formatCpuList(t.cpus.filter((c) => !c.online).map((c) => c.id)), '4,7-11');
    assert.ok(
      t.notes?.some((n) => /CPUs 4,7-11 .*--whole-system/.test(n)),
      JSON.stringify(t.notes),
    );
  });

  test('an offline CPU from the engine stays offline through lstopo', async () => {
    const engine = await readSysfsTopology(fixtureRoot('arm64-offline-isolated'));
    const file = join(work, 'offline.xml');
    writeFileSync(file, hwlocXmlFromTopology(engine));
    const again = importTopology(lstopoXml(file, ['--whole-system']), 'again.xml');
    assert.deepEqual(
      again.cpus.filter((c) => !c.online).map((c) => c.id),
      engine.cpus.filter((c) => !c.online).map((c) => c.id),
    );
  });
});

describe('hwloc 1.x XML', () => {
  test('lstopo --export-xml-flags v1 imports as the 2.x file does', async () => {
    const dirs = [
      fixtureRoot('x86-2p-4c-2node'),
      fixtureRoot('arm64-offline-isolated'),
      realDumpRoot('util-linux/arm-A510-A710-A715-X3.tar.gz'),
    ];
    for (const dir of dirs) {
      const v1 = lstopoXml(dir, ['--export-xml-flags', 'v1']);
      assert.match(v1, /<topology>/);
      assert.match(v1, /type="Socket"/);
      const fromV1 = importTopology(v1, 'v1.xml');
      const fromV2 = importTopology(lstopoXml(dir), 'v2.xml');
      assert.deepEqual(layout(fromV1, { caches: true }), layout(fromV2, { caches: true }));
      const engine = await readSysfsTopology(dir);
      const caches = fromV2.caches.length > 0;
      assert.deepEqual(layout(fromV1, { caches }), layout(engine, { caches }));
    }
  });
});

describe('core types as hwloc CPU kinds', () => {
  test("a big.LITTLE machine's types go through lstopo by name, fastest first, with capacities", async () => {
    const dir = realDumpRoot('util-linux/arm-A510-A710-A715-X3.tar.gz');
    const t = await readSysfsTopology(dir);
    // The types as upstream lscpu 2.41 prints them for this dump (one model block per type, in CPU order), with
    // the kernel's cpu_capacity of their CPUs: real data, whatever the engine itself reads of core types.
    const expected = readFileSync(
      join(FIXTURES_DIR, 'real', 'util-linux', 'expected', 'lscpu-arm-A510-A710-A715-X3'),
      'utf8',
    );
    const names = [...expected.matchAll(/^Model name:\s+(\S+)/gm)].map((m) => m[1]!);
    const counts = [...expected.matchAll(/^Core\(s\) per socket:\s+(\d+)/gm)].map((m) => Number(m[1]));
    assert.deepEqual(names, ['Cortex-A510', 'Cortex-A710', 'Cortex-A715', 'Cortex-X3']);
    let next = 0;
    const blocks = names.map((name, i) => {
      const cpus = Array.from({ length: counts[i]! }, () => next++);
      const capacity = Number(
        readFileSync(join(dir, 'sys/devices/system/cpu', `cpu${cpus[0]}`, 'cpu_capacity'), 'utf8').trim(),
      );
      return { name, cpus, capacity };
    });
    t.coreTypes = [...blocks].reverse(); // fastest (the X3, capacity 1024) first
    const file = join(work, 'big-little.xml');
    writeFileSync(file, hwlocXmlFromTopology(t));
    // lstopo reads the kinds, ranks them and writes them back with their infos.
    const again = importTopology(lstopoXml(file), 'again.xml');
    assert.deepEqual(again.coreTypes, t.coreTypes);
    assert.equal(again.coreTypes?.[0]?.capacity, 1024);
    assert.deepEqual(
      again.cpus.map((c) => c.coreType),
      [
        'Cortex-A510',
        'Cortex-A510',
        'Cortex-A510',
        'Cortex-A710',
        'Cortex-A710',
        'Cortex-A715',
        'Cortex-A715',
        'Cortex-X3',
      ],
    );
  });

  test('kinds lstopo tells apart only by capacity have no model name: no core types are made up', () => {
    const xml = lstopoXml(realDumpRoot('util-linux/arm-A510-A710-A715-X3.tar.gz'));
    assert.match(xml, /<cpukind /);
    const t = importTopology(xml, 'phone.xml');
    assert.equal(t.coreTypes, undefined);
    assert.ok(t.cpus.every((c) => c.coreType === undefined));
  });
});

describe('this host', () => {
  test('lstopo --of xml of the live machine imports as the engine reads /', async () => {
    const xml = execFileSync('lstopo', ['--no-io', '--of', 'xml', '-'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const t = importTopology(xml, 'host.xml');
    const engine = await readSysfsTopology('/');
    const caches = { caches: engine.caches.some((c) => c.sizeBytes !== null) && t.caches.length > 0 };
    assert.deepEqual(layout(t, caches), layout(engine, caches));
    assert.equal(t.kernel?.release, engine.kernel?.release);
    assert.equal(t.arch, engine.arch);
  });
});
