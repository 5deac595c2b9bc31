/** formatTopologySummary over the real fixtures: grouped, ranged, and short enough for one screen. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTopologySummary, importTopology, readSysfsTopology } from '../../app/topology';
import { fixtureRoot, fixtureText, lscpuFixtures, tarballFixtures } from '../helpers/fixtures';

const sysfsSummary = async (name: string): Promise<string> =>
  formatTopologySummary(await readSysfsTopology(fixtureRoot(name)));

describe('formatTopologySummary', () => {
  test('2-socket Altra: a package line with its node, memory and distances', async () => {
    const s = await sysfsSummary('arm64-altra-2p-160c-2node');
    const lines = s.split('\n');
    assert.match(
      lines[0]!,
      /^Ampere Altra \(Neoverse-N1\) · aarch64 · 160 CPUs, 160 cores, 2 packages, 2 NUMA nodes/,
    );
    assert.ok(lines.includes('package 0: CPUs 0-79 · 80 cores, 40 clusters'));
    assert.ok(lines.includes('package 1: CPUs 80-159 · 80 cores, 40 clusters'));
    assert.ok(lines.includes('  node 1: CPUs 80-159 · 1.0 GiB (0.9 GiB free) · distances 20 10'));
    assert.ok(lines.includes('caches: L1d size unknown ×160, L1i size unknown ×160'));
    // The package lines come before their nodes.
    assert.ok(
      lines.indexOf('package 1: CPUs 80-159 · 80 cores, 40 clusters') <
        lines.findIndex((l) => /node 1:/.test(l)),
    );
  });

  test('offline, isolated, not-allowed CPUs and the memory-less node are marked', async () => {
    const s = await sysfsSummary('arm64-offline-isolated');
    assert.match(s, /offline: 3 · isolated: 4-7 · not allowed for this process: 12-15/);
    assert.match(s, /node 1: CPUs 8-15 · no memory · distances 20 10/);
    assert.match(s, /package 0: CPUs 0-2,4-7 · 7 cores, 4 clusters/);
  });

  test('x86 SMT: cache summary with sharing', async () => {
    const s = await sysfsSummary('x86-1p-4c-smt');
    assert.match(s, /package 0: CPUs 0-7 · 4 cores, SMT2/);
    assert.match(
      s,
      /caches: L1d 32 KiB ×8, L1i 32 KiB ×8, L2 4 MiB ×4 \(2 CPUs each\), L3 16 MiB ×1 \(8 CPUs each\)/,
    );
    assert.match(s, /page size 4 KiB/);
  });

  test('256-CPU Altra Max import fits one screen, ranges only', () => {
    const t = importTopology(fixtureText('lscpu/altramax-m128-30-2p.lscpu.txt'), 'altramax');
    const lines = formatTopologySummary(t).split('\n');
    assert.ok(lines.length < 40, `${lines.length} lines`);
    assert.ok(lines.includes('package 1: CPUs 128-255 · 128 cores'));
    assert.ok(lines.includes('caches: L1d 64 KiB ×256, L1i 64 KiB ×256, L2 1 MiB ×256'));
    assert.ok(lines.some((l) => /coarse/.test(l)));
  });

  test('every fixture summarises in under 40 lines with no per-CPU lines', async () => {
    const texts = [
      ...(await Promise.all(tarballFixtures().map(sysfsSummary))),
      ...lscpuFixtures().map((rel) => formatTopologySummary(importTopology(fixtureText(rel), rel))),
    ];
    for (const s of texts) {
      const lines = s.split('\n');
      assert.ok(lines.length < 40, lines[0]);
      assert.ok(!lines.some((l) => /^\s*CPU \d+\b/.test(l)), 'no per-CPU lines');
    }
  });
});
