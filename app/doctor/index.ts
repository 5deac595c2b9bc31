/**
 * Host doctor (issue 14): runs the host checks on this machine, a dump (`sysroot`) or a target, for the run the
 * user is about to start (its settings decide which binding is dry-run, which nodes' memory matters, whether
 * numactl is needed at all). The one entry point the CLI, the API, runs, sweeps and bundles call.
 */
import type { RunSettings } from '../shared/command';
import type { DoctorReport } from '../shared/doctor';
import type { Finding } from '../shared/findings';
import type { Topology } from '../shared/topology';
import { isSysrootArchive, loadTopology, openSysroot } from '../topology';
import type { ToolHost } from '../util/tool';
import type { CheckVerdict, DoctorContext, HostCheck } from './check';
import { cpuFreqCapped, governorNotPerformance } from './checks/cpufreq';
import { engineAbsent, torchVersion } from './checks/engine';
import { cpusetRestricted, nodeMemoryLow, socketsNeNodes } from './checks/machine';
import { numaBalancingOn, pageSizeCheck, swapInUse, thpNotAlways } from './checks/memory';
import { numactlCannotBind, numactlMissing } from './checks/numactl';
import { perfRestricted } from './checks/perf';
import { threadsEnvInherited } from './checks/threads-env';
import { localPlace, sysrootPlace, targetPlace, type DoctorPlace } from './place';

export type { DoctorPlace } from './place';

export interface DoctorOptions {
  /** Read files below this directory instead of `/` (a dump: checks that need a live machine are skipped). */
  sysroot?: string;
  /**
   * A remote target: its URL (named in the report) and the remote adapter's ToolHost to read and run there
   * (app/remote/tools.ts remoteToolHost), with the environment its runs inherit and its probed topology.
   */
  target?: { url: string; host: ToolHost; env: NodeJS.ProcessEnv | null; topology: Topology | null };
  /** The Python that runs the workload (engine-absent, torch-version). */
  python?: string;
  /** The run about to start: its binding is dry-run, its nodes' memory and CPUs judged. */
  settings?: RunSettings;
  /** Environment the tool passes on to runs on this machine (threads-env-inherited); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** This machine's topology when the caller already has it (saves a read). */
  topology?: Topology;
}

/** Every check, in the order the report lists passes and skips. */
export const HOST_CHECKS: readonly HostCheck[] = [
  pageSizeCheck,
  thpNotAlways,
  numaBalancingOn,
  socketsNeNodes,
  governorNotPerformance,
  cpuFreqCapped,
  swapInUse,
  nodeMemoryLow,
  cpusetRestricted,
  numactlMissing,
  numactlCannotBind,
  perfRestricted,
  threadsEnvInherited,
  engineAbsent,
  torchVersion,
];

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

function placeOf(opts: DoctorOptions): DoctorPlace {
  if (opts.target) return targetPlace(opts.target.host, opts.target.env);
  if (opts.sysroot) return sysrootPlace(opts.sysroot);
  return localPlace(opts.env ?? process.env);
}

async function topologyOf(opts: DoctorOptions): Promise<Topology | null> {
  if (opts.target) return opts.target.topology;
  if (opts.topology) return opts.topology;
  try {
    return await loadTopology(opts.sysroot ? { sysroot: opts.sysroot } : {});
  } catch {
    return null; // a check that needs the map says so; the others still run
  }
}

export async function runDoctor(opts: DoctorOptions = {}): Promise<DoctorReport> {
  // A dump archive or support bundle given as the sysroot: examined unpacked, named as given.
  if (opts.sysroot !== undefined && isSysrootArchive(opts.sysroot)) {
    const opened = await openSysroot(opts.sysroot);
    try {
      return await examine({ ...opts, sysroot: opened.dir }, opts.sysroot);
    } finally {
      opened.close();
    }
  }
  return examine(opts, opts.sysroot);
}

async function examine(opts: DoctorOptions, shownAs: string | undefined): Promise<DoctorReport> {
  const place = placeOf(opts);
  if (place.kind === 'sysroot' && shownAs !== undefined) place.where = shownAs;
  const ctx: DoctorContext = {
    place,
    settings: opts.settings ?? null,
    topology: await topologyOf(opts),
    python: opts.python ?? null,
  };
  const report: DoctorReport = {
    source: opts.target
      ? { kind: 'target', url: opts.target.url }
      : opts.sysroot
        ? { kind: 'sysroot', path: shownAs ?? opts.sysroot }
        : { kind: 'host' },
    checkedAt: new Date().toISOString(),
    checks: [],
    passed: [],
    skipped: [],
  };
  const verdicts = await Promise.all(
    HOST_CHECKS.map(async (check): Promise<[HostCheck, CheckVerdict[]]> => {
      try {
        const v = await check.run(ctx);
        return [check, Array.isArray(v) ? v : [v]];
      } catch (e) {
        // A check that breaks must not take the others down: it says so in place of its verdict.
        return [check, [{ skipped: `the check failed: ${(e as Error).message}` }]];
      }
    }),
  );
  for (const [check, vs] of verdicts)
    for (const v of vs) {
      if ('finding' in v) report.checks.push(v.finding);
      else if ('passed' in v) report.passed.push({ code: check.code, ...v.passed });
      else report.skipped.push({ code: check.code, reason: v.skipped });
    }
  report.checks.sort((a: Finding, b: Finding) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return report;
}
