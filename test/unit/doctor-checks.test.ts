/**
 * Each host check on the real kernel dumps with the doctor overlays (test/fixtures/doctor): it fires on its bad
 * value and passes on a good one, reading below the sysroot; checks that need a live machine say so.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runDoctor } from '../../app/doctor';
import { NOT_FROM_A_DUMP } from '../../app/doctor/check';
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
    assert.match(skipped(r, 'thp-not-always')!.reason, /transparent_hugepage\/enabled is absent in the dump/);
    assert.match(skipped(r, 'numa-balancing-on')!.reason, /is absent/);
    assert.match(skipped(r, 'page-size')!.reason, new RegExp(NOT_FROM_A_DUMP));
    assert.equal(skipped(r, 'threads-env-inherited')!.reason, NOT_FROM_A_DUMP);
  });
});
