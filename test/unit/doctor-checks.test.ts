/**
 * Each host check on the real kernel dumps with the doctor overlays (test/fixtures/doctor): it fires on its bad
 * value and passes on a good one, reading below the sysroot; checks that need a live machine say so.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runDoctor } from '../../app/doctor';
import { NOT_FROM_A_DUMP } from '../../app/doctor/check';
import { defaultSettings } from '../../app/shared/command';
import type { DoctorReport } from '../../app/shared/doctor';
import { doctorRoot } from '../helpers/doctor-fixtures';

const DUMP = 'arm64-offline-isolated';

async function doctor(...cases: string[]): Promise<DoctorReport> {
  return runDoctor({ sysroot: doctorRoot(DUMP, ...cases) });
}
const finding = (r: DoctorReport, code: string) => r.checks.find((c) => c.code === code);
const passed = (r: DoctorReport, code: string) => r.passed.find((c) => c.code === code);
const skipped = (r: DoctorReport, code: string) => r.skipped.find((c) => c.code === code);

describe('doctor checks on dumps', () => {
  test('a tuned dump passes the file-based checks, with what each read', async () => {
    const r = await doctor('good');
    for (const code of ['thp-not-always', 'numa-balancing-on', 'swap-in-use', 'page-size']) {
      const p = passed(r, code);
      assert.ok(
        p,
        `${code} passed: ${JSON.stringify(r.checks.find((c) => c.code === code) ?? skipped(r, code))}`,
      );
      assert.ok(p.evidence.length > 0 && p.evidence.every((e) => e.value !== ''), code);
    }
    assert.equal(
      passed(r, 'page-size')!.evidence[0]!.source.startsWith(
        '/sys/kernel/mm/transparent_hugepage/hpage_pmd_size',
      ),
      true,
    );
  });

  test('thp-not-always fires on madvise and never, naming the file, the value and the fix', async () => {
    for (const [c, mode] of [
      ['thp-madvise', 'madvise'],
      ['thp-never', 'never'],
    ] as const) {
      const f = finding(await doctor('good', c), 'thp-not-always');
      assert.ok(f, c);
      assert.equal(f.severity, 'warning');
      assert.match(f.message, new RegExp(`\`${mode}\``));
      assert.match(f.evidence![0]!.source, /^\/sys\/kernel\/mm\/transparent_hugepage\/enabled \(/);
      assert.match(f.evidence![0]!.value, new RegExp(`\\[${mode}\\]`));
      assert.equal(f.fix!.command, 'echo always | sudo tee /sys/kernel/mm/transparent_hugepage/enabled');
      assert.match(f.fix!.label, /reboot.*transparent_hugepage=always/);
    }
  });

  test('numa-balancing-on fires on 1 with the sysctl fix', async () => {
    const f = finding(await doctor('good', 'numa-balancing'), 'numa-balancing-on');
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    assert.equal(f.evidence![0]!.value, '1');
    assert.equal(f.fix!.command, 'sudo sysctl -w kernel.numa_balancing=0');
    assert.match(f.fix!.label, /sysctl\.d/);
  });

  test('page-size fires on a 4 KiB-page arm64 kernel (2 MiB PMD pages)', async () => {
    const f = finding(await doctor('good', 'page-4k'), 'page-size');
    assert.ok(f);
    assert.match(f.message, /4 KiB, not 64 KiB/);
    assert.match(f.evidence![0]!.value, /^2097152 /);
  });

  test('swap-in-use fires when SwapFree < SwapTotal, with /proc/swaps as evidence', async () => {
    const f = finding(await doctor('good', 'swap'), 'swap-in-use');
    assert.ok(f);
    assert.match(f.message, /^256 MiB of memory is swapped out/);
    assert.ok(f.evidence!.some((e) => e.source.startsWith('/proc/swaps') && e.value.includes('/dev/vda2')));
    assert.equal(f.fix!.command, 'sudo swapoff -a');
  });

  test('the plain shared dump: files it lacks are skipped, never passed', async () => {
    const r = await runDoctor({ sysroot: doctorRoot(DUMP) });
    assert.match(
      skipped(r, 'thp-not-always')!.reason,
      /transparent_hugepage\/enabled is not in the dump .*\(the dump did not copy it, or the kernel lacks it\)$/,
    );
    assert.match(skipped(r, 'numa-balancing-on')!.reason, /numa_balancing is not in the dump/);
    assert.match(skipped(r, 'page-size')!.reason, new RegExp(NOT_FROM_A_DUMP));
    assert.equal(skipped(r, 'threads-env-inherited')!.reason, NOT_FROM_A_DUMP);
  });

  test('governor-not-performance fires on schedutil, naming the CPUs and the cpupower fix', async () => {
    const good = await doctor('good');
    assert.ok(passed(good, 'governor-not-performance'));
    assert.ok(passed(good, 'cpu-freq-capped'));
    const f = finding(await doctor('good', 'governor'), 'governor-not-performance');
    assert.ok(f);
    assert.match(f.message, /^CPUs 0-2,4-15 of the online CPUs run the schedutil governor/);
    assert.match(f.evidence![0]!.source, /^\/sys\/devices\/system\/cpu\/cpu0\/cpufreq\/scaling_governor/);
    assert.equal(f.fix!.command, 'sudo cpupower -c 0-2,4-15 frequency-set -g performance');
    assert.match(f.fix!.label, /cpufreq\.default_governor=performance/);
  });

  test("cpu-freq-capped fires on the capped CPUs only, and judges the run's CPUs when there is a run", async () => {
    const root = doctorRoot(DUMP, 'good', 'capped');
    const r = await runDoctor({ sysroot: root });
    const f = finding(r, 'cpu-freq-capped');
    assert.ok(f);
    assert.match(f.message, /^CPUs 0-2,4-7 of the online CPUs are capped at 2\.00 GHz .* 3\.00 GHz/);
    assert.equal(f.fix!.command, 'sudo cpupower -c 0-2,4-7 frequency-set -u 3000000kHz');
    const onFast = await runDoctor({ sysroot: root, settings: { ...defaultSettings(), cpus: [8, 9] } });
    assert.match(passed(onFast, 'cpu-freq-capped')!.message, /^The run's CPUs may reach/);
  });

  test('no cpufreq in the dump: both frequency checks are skipped, saying why', async () => {
    const r = await doctor();
    assert.match(skipped(r, 'governor-not-performance')!.reason, /no cpufreq policy .* in this dump/);
    assert.match(skipped(r, 'cpu-freq-capped')!.reason, /no cpufreq policy/);
  });

  test('node-memory-low fires on node 0 with 60 MiB free of 976 MiB, offering to drop the page cache', async () => {
    assert.ok(passed(await doctor('good'), 'node-memory-low'));
    const f = finding(await doctor('good', 'node-memory-low'), 'node-memory-low');
    assert.ok(f);
    assert.match(f.message, /^Node 0 \(60 MiB free of 976 MiB\)/);
    assert.match(f.evidence![0]!.source, /^\/sys\/devices\/system\/node\/node0\/meminfo/);
    assert.equal(f.fix!.command, 'sync && echo 3 | sudo tee /proc/sys/vm/drop_caches');
  });

  test('cpuset-restricted: info for the dump made under taskset 0-11, warning when the run uses CPU 13', async () => {
    const r = await doctor('good');
    const f = finding(r, 'cpuset-restricted');
    assert.ok(f);
    assert.equal(f.severity, 'info');
    assert.match(f.message, /may not use CPUs 12-15 of the machine/);
    assert.match(f.evidence![0]!.value, /Cpus_allowed_list: 0-2,4-11/);
    const run = await runDoctor({
      sysroot: doctorRoot(DUMP, 'good'),
      settings: { ...defaultSettings(), cpus: [0, 13] },
    });
    const w = finding(run, 'cpuset-restricted')!;
    assert.equal(w.severity, 'warning');
    assert.match(w.message, /the run asks for CPU 13, which numactl will refuse/);
  });

  test('cpuset-restricted passes on a dump whose process could use every CPU', async () => {
    const r = await runDoctor({ sysroot: doctorRoot('arm64-altra-2p-160c-2node') });
    assert.ok(passed(r, 'cpuset-restricted'), JSON.stringify(finding(r, 'cpuset-restricted')));
  });

  test('sockets-ne-nodes passes where each socket is one node', async () => {
    for (const dump of ['arm64-altra-1p-80c', 'arm64-altra-2p-160c-2node', 'x86-2p-4c-2node', DUMP]) {
      const p = passed(await runDoctor({ sysroot: doctorRoot(dump) }), 'sockets-ne-nodes');
      assert.ok(p, dump);
      assert.match(p.evidence[0]!.value, /^(1 socket, 1 NUMA node|2 sockets, 2 NUMA nodes) with CPUs/);
    }
  });

  test('sockets-ne-nodes warns on one socket split into two NUMA nodes, with the monolithic-mode fix', async () => {
    const f = finding(await runDoctor({ sysroot: doctorRoot('x86-1p-4c-2node') }), 'sockets-ne-nodes');
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /^The machine has 1 socket but 2 NUMA nodes with CPUs .*keep each run \(and its memory\) on one node/,
    );
    assert.deepEqual(
      f.evidence!.map((e) => e.value),
      ['1 socket, 2 NUMA nodes with CPUs'],
    );
    assert.match(f.evidence![0]!.source, /physical_package_id, \/sys\/devices\/system\/node/);
    assert.match(f.fix!.label, /NUMA mode \(ANC\) to monolithic/);
    assert.equal(f.fix!.command, undefined, 'a firmware setting has no command');
  });

  test('perf-restricted: info at paranoid 3 on a dump, with the sysctl fix; passes at 1', async () => {
    assert.ok(passed(await doctor('good'), 'perf-restricted'));
    const f = finding(await doctor('good', 'perf-restricted'), 'perf-restricted');
    assert.ok(f);
    assert.equal(f.severity, 'info');
    assert.equal(f.fix!.command, 'sudo sysctl -w kernel.perf_event_paranoid=1');
  });

  test('live-only checks are skipped on a dump: numactl, the dry run, the engine probe', async () => {
    const r = await runDoctor({
      sysroot: doctorRoot(DUMP, 'good'),
      settings: { ...defaultSettings(), cpus: [0, 1] },
      python: '/usr/bin/python3',
    });
    for (const code of [
      'numactl-missing',
      'numactl-cannot-bind',
      'engine-absent',
      'torch-version',
      'threads-env-inherited',
    ])
      assert.equal(skipped(r, code)?.reason, NOT_FROM_A_DUMP, code);
  });
});
