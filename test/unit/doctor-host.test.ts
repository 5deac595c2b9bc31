/**
 * The doctor on this machine: each verdict is what this host's own files and programs justify (read here again
 * by the test), and the live-only checks (numactl, its dry run, the engine probe) run the real programs.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { runDoctor } from '../../app/doctor';
import { defaultSettings, type RunSettings } from '../../app/shared/command';
import type { DoctorReport } from '../../app/shared/doctor';

const finding = (r: DoctorReport, code: string) => r.checks.find((c) => c.code === code);
const passed = (r: DoctorReport, code: string) => r.passed.find((c) => c.code === code);
const skipped = (r: DoctorReport, code: string) => r.skipped.find((c) => c.code === code);
const read = (p: string): string | null => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return null;
  }
};
const run = (s: Partial<RunSettings>): RunSettings => ({ ...defaultSettings(), workload: ['true'], ...s });

describe('doctor on this host', () => {
  test("THP, NUMA balancing and swap verdicts follow this host's files", async () => {
    const r = await runDoctor();
    const thp = read('/sys/kernel/mm/transparent_hugepage/enabled');
    if (thp === null) assert.ok(skipped(r, 'thp-not-always'));
    else if (/\[always\]/.test(thp)) assert.ok(passed(r, 'thp-not-always'));
    else assert.equal(finding(r, 'thp-not-always')?.evidence?.[0]?.value, thp); // madvise on the CI VM
    const nb = read('/proc/sys/kernel/numa_balancing');
    if (nb === null) assert.ok(skipped(r, 'numa-balancing-on'));
    else assert.ok(nb === '0' ? passed(r, 'numa-balancing-on') : finding(r, 'numa-balancing-on'));
    const mi = read('/proc/meminfo')!;
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(mi)![1]);
    assert.ok(kb('SwapTotal') - kb('SwapFree') > 0 ? finding(r, 'swap-in-use') : passed(r, 'swap-in-use'));
    // The core PMU: this VM exposes none (perf counts cycles `<not supported>`), a bare-metal host does.
    const pmu = ['cpu', 'cpu_core', 'armv8_pmuv3_0', 'armv8_pmuv3'].some(
      (d) => read(`/sys/bus/event_source/devices/${d}/type`) !== null,
    );
    const perf = finding(r, 'perf-restricted');
    if (!pmu) assert.match(perf?.message ?? '', /exposes no hardware performance counters/);
    else assert.ok(!perf || !/no hardware performance counters/.test(perf.message));
    // Every check answers exactly once, and every finding says what it read.
    const codes = [...r.checks, ...r.passed, ...r.skipped].map((x) => x.code).sort();
    assert.equal(new Set(codes).size, codes.length);
    for (const f of r.checks) assert.ok(f.evidence?.length, f.code);
  });

  test('numactl-cannot-bind dry-runs the exact binding: node 7 is refused, CPUs alone work', async () => {
    const r = await runDoctor({ settings: run({ cpus: [0], memNodes: [7] }) });
    const f = finding(r, 'numactl-cannot-bind');
    assert.ok(f);
    assert.equal(f.severity, 'error');
    assert.equal(f.evidence![0]!.source, 'numactl --physcpubind=0 --membind=7 true on this machine');
    assert.match(f.evidence![0]!.value, /^exit 1: libnuma: Warning: node argument 7 is out of range$/);
    assert.match(f.message, /memory nodes are outside .* or do not exist/);
    assert.deepEqual(f.fix!.patch, { memPolicy: 'none', memNodes: null });
    assert.ok(
      f.evidence!.some(
        (e) => e.source === 'numactl --physcpubind=0 true on this machine' && e.value === 'exit 0',
      ),
    );
    const ok = await runDoctor({ settings: run({ cpus: [0] }) });
    assert.equal(
      passed(ok, 'numactl-cannot-bind')?.evidence[0]?.source,
      'numactl --physcpubind=0 --membind=0 true on this machine',
    );
    assert.match(skipped(await runDoctor(), 'numactl-cannot-bind')!.reason, /^no run given/);
  });

  test("numactl-missing: an error with the command check's words when the run binds, a warning otherwise", async () => {
    const env = { PATH: '/nonexistent' };
    const r = await runDoctor({ env, settings: run({ cpus: [0] }) });
    const f = finding(r, 'numactl-missing')!;
    assert.equal(f.severity, 'error');
    assert.match(f.message, /numactl is not installed, so the CPU and memory binding cannot be applied/);
    assert.deepEqual(f.evidence, [{ source: 'command -v numactl on this machine', value: 'not found' }]);
    assert.equal(finding(await runDoctor({ env }), 'numactl-missing')!.severity, 'warning');
    assert.ok(passed(await runDoctor(), 'numactl-missing'));
  });

  test('engine-absent and torch-version from the real /usr/bin/python3 (PyTorch 1.13, no engine)', async () => {
    const r = await runDoctor({ python: '/usr/bin/python3' });
    const e = finding(r, 'engine-absent')!;
    assert.equal(e.severity, 'warning');
    assert.ok(e.evidence!.some((x) => x.value === 'False'));
    const t = finding(r, 'torch-version')!;
    assert.equal(t.severity, 'info');
    assert.match(t.message, /has torch 1\.13.*no torch\.compile/);
    const none = await runDoctor();
    assert.match(skipped(none, 'engine-absent')!.reason, /^no Python named/);
  });
});
