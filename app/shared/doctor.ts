/**
 * Host doctor (issue 14): the machine settings that decide a result, checked before every run. The report's
 * field names and the check codes are a public contract (`aio-tuner doctor --json`, `system/doctor.json` in
 * bundles, the app's "Host readiness" panel).
 */
import type { Evidence, Finding } from './findings';

/** Stable codes of the host checks (issue 14, "Checks"); more may be added, none renamed. */
export const DOCTOR_CODES = [
  'page-size',
  'thp-not-always',
  'numa-balancing-on',
  'sockets-ne-nodes',
  'governor-not-performance',
  'cpu-freq-capped',
  'swap-in-use',
  'node-memory-low',
  'cpuset-restricted',
  'numactl-missing',
  'numactl-cannot-bind',
  'perf-restricted',
  'threads-env-inherited',
  'engine-absent',
  'torch-version',
] as const;
export type DoctorCode = (typeof DOCTOR_CODES)[number];

/** Codes of the known failures recognised in a run's output (issue 14, "Known failures in logs"). */
export const KNOWN_FAILURE_CODES = [
  'static-tls-libgomp',
  'mempolicy-not-permitted',
  'cpu-not-allowed',
  'oom-killed',
  'threads-mismatch-refused',
] as const;
export type KnownFailureCode = (typeof KNOWN_FAILURE_CODES)[number];

export type DoctorSource =
  { kind: 'host' } | { kind: 'sysroot'; path: string } | { kind: 'target'; url: string };

export interface DoctorReport {
  /** What was examined: this machine, a dump below a directory, or a remote target. */
  source: DoctorSource;
  /** ISO time the checks ran. */
  checkedAt: string;
  /**
   * The problems found, as findings (error, warning, info), `evidence` always filled (what was read: file or command
   * and the value) and `fix.command` where a command fixes it (with `sudo` where needed; the fix label says whether
   * it survives a reboot). Sorted: errors first, then warnings, then info.
   */
  checks: Finding[];
  /** Checks made that found nothing wrong, with what they read. */
  passed: { code: string; message: string; evidence: Evidence[] }[];
  /** Checks that could not be made here and why (e.g. "not checkable from a dump", "perf not installed"). */
  skipped: { code: string; reason: string }[];
}

/** True when a report holds an error: `doctor` exits 3, `run --check` too when the run goes to that machine. */
export function doctorHasError(report: Pick<DoctorReport, 'checks'>): boolean {
  return report.checks.some((c) => c.severity === 'error');
}
