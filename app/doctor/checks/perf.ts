/**
 * `perf-restricted`: the run's proof counts hardware events with perf (app/run/proof); without perf, or with
 * perf_event_paranoid above what an unprivileged user may count, that evidence is missing from every run.
 */
import { statusField } from '../../topology/proc';
import type { Evidence } from '../../shared/findings';
import type { HostCheck } from '../check';
import { absent, fileEvidence, readTrimmed } from './read';

const PARANOID = '/proc/sys/kernel/perf_event_paranoid';
/**
 * The core PMU's entry in the event source bus: x86 (`cpu`, hybrid `cpu_core`), arm64 (`armv8_pmuv3_0` on Altra and
 * AmpereOne, `armv8_pmuv3` on older kernels). None of them: no hardware counters at all (a VM without a vPMU).
 */
const PMU_TYPES = ['cpu', 'cpu_core', 'armv8_pmuv3_0', 'armv8_pmuv3'].map(
  (d) => `/sys/bus/event_source/devices/${d}/type`,
);
// Capability bits of CapEff that lift perf_event_paranoid (capabilities(7)): CAP_SYS_ADMIN, CAP_PERFMON.
const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;

function privileged(status: string | null): boolean | null {
  if (status === null) return null;
  const uid = statusField(status, 'Uid')?.split(/\s+/)[1];
  if (uid === '0') return true;
  const cap = statusField(status, 'CapEff');
  if (!cap || !/^[0-9a-f]+$/i.test(cap)) return null;
  const bits = BigInt(`0x${cap}`);
  return ((bits >> CAP_SYS_ADMIN) & 1n) === 1n || ((bits >> CAP_PERFMON) & 1n) === 1n;
}

export const perfRestricted: HostCheck = {
  code: 'perf-restricted',
  source: 'kernel docs admin-guide/perf-security.rst (perf_event_paranoid levels, CAP_PERFMON); perf(1)',
  run: async ({ place }) => {
    const text = await readTrimmed(place, PARANOID);
    if (text === null) return absent(place, PARANOID, 'the kernel has no perf events to judge');
    const level = Number(text);
    const evidence: Evidence[] = [fileEvidence(place, PARANOID, text)];
    const problems: string[] = [];
    const fixes: string[] = [];
    if (place.kind !== 'sysroot') {
      const perf = await place.which('perf');
      evidence.push({ source: `command -v perf on ${place.where}`, value: perf ?? 'not found' });
      if (!perf) {
        problems.push('perf is not installed');
        fixes.push('sudo apt-get install -y linux-perf');
      }
    }
    // A dump does not say who would run: its status file is the dumping process's, so privileges are not judged.
    const status = place.kind === 'sysroot' ? null : await place.read('/proc/self/status');
    const priv = privileged(status);
    if (status !== null)
      evidence.push(
        fileEvidence(
          place,
          '/proc/self/status',
          `Uid ${statusField(status, 'Uid')?.split(/\s+/)[1] ?? '?'}, CapEff ${statusField(status, 'CapEff') ?? '?'}`,
        ),
      );
    // Above 1 an unprivileged user loses kernel-side counts (2) or every counter (3, Debian's and Android's
    // default); the run's proof says the same (app/run/proof/perfparse.ts).
    if (Number.isFinite(level) && level > 1 && priv !== true) {
      problems.push(
        `perf_event_paranoid is ${level}${priv === false ? ' and runs are not privileged (not root, no CAP_PERFMON)' : ', which lets only privileged users (root, CAP_PERFMON) count'}`,
      );
      fixes.push('sudo sysctl -w kernel.perf_event_paranoid=1');
    }
    // Dumps do not carry the event source bus: there, its absence says nothing.
    const live = place.kind !== 'sysroot';
    let pmu: string | null = null;
    for (const path of live ? PMU_TYPES : [])
      if (pmu === null && (await place.read(path)) !== null) pmu = path;
    if (live)
      evidence.push(
        pmu
          ? fileEvidence(place, pmu.replace(/\/type$/, ''), 'present')
          : fileEvidence(
              place,
              '/sys/bus/event_source/devices',
              `no core PMU (${PMU_TYPES.map((p) => p.split('/')[5]).join(', ')})`,
            ),
      );
    if (live && pmu === null && problems.length === 0)
      return {
        finding: {
          code: 'perf-restricted',
          severity: 'info',
          message:
            'This machine exposes no hardware performance counters (no core PMU: usual in a VM without a virtual ' +
            'PMU), so runs count only software events (task clock, context switches, migrations, page faults); ' +
            'instructions, cycles and cache misses show as unavailable. The measurements themselves are unaffected.',
          evidence,
          fix: {
            label:
              'Measure on bare metal, or give the VM a virtual PMU (QEMU/KVM: -cpu host,pmu=on; clouds: a metal instance type)',
          },
        },
      };
    if (problems.length === 0)
      return {
        passed: {
          message: `Runs may count hardware events (perf_event_paranoid ${text}${priv ? ', privileged' : ''}${live ? '; core PMU present' : ''})`,
          evidence,
        },
      };
    return {
      finding: {
        code: 'perf-restricted',
        severity: 'info',
        message:
          `Runs cannot count hardware events: ${problems.join('; ')}. Their proof then lacks the counters ` +
          `(instructions, cycles, cache misses) that show where time went; the measurements themselves are unaffected.`,
        evidence,
        fix: {
          label: fixes.some((f) => f.includes('sysctl'))
            ? 'The sysctl lasts until the next reboot; to keep it, write kernel.perf_event_paranoid = 1 to a file in /etc/sysctl.d/'
            : 'Installs perf (Debian: linux-perf; Ubuntu: linux-tools-generic; RHEL: perf)',
          command: fixes.join(' && '),
        },
      },
    };
  },
};
