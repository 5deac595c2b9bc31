/**
 * Counters for a run (issue 13): `perf stat` attached to the workload's process with `-p PID`, without changing
 * its argv or exit code. perf starts right after the workload does, so its first milliseconds (exec, the
 * interpreter's start) are not counted. `-p` attaches to every thread the process has at that moment and, as
 * perf counts with inherit, to the threads and child processes they create afterwards; a process forked before
 * perf attached (a sibling in the same group) is not counted. perf is stopped with SIGINT when the run ends (it
 * prints its counts on SIGINT), or ends by itself when the process exits; one that hangs is killed after a grace
 * time so it never holds the run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Counters } from '../../shared/proof';
import { GENERIC_HW, PMU_EVENTS, SOFTWARE } from './pmu-events';
import { parsePerfStat, permissionError, permissionRefused } from './perfparse';

export interface CounterSession {
  /** End counting and read what perf counted; never throws (a failure is `error` / `unavailable`). */
  stop(): Promise<Counters>;
}

export interface CounterOptions {
  /** CPUs the run is bound to; empty = not bound. perf counts per process (not per CPU), so this is informative. */
  cpus: readonly number[];
  /** perf binary (default: `perf` on PATH). */
  perf?: string;
  /** How long stop() waits for perf after SIGINT before killing it (ms). */
  graceMs?: number;
}

export const PERF_MISSING = 'perf is not installed (Debian: linux-perf)';

function findOnPath(bin: string): string | null {
  if (bin.includes('/')) return existsSync(bin) ? bin : null;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (dir && existsSync(join(dir, bin))) return join(dir, bin);
  }
  return null;
}

export function readParanoid(): number | null {
  try {
    const n = Number(readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** Event names this machine's PMUs list in sysfs (lower case). */
export function listedPmuEvents(root = '/sys/bus/event_source/devices'): Set<string> {
  const names = new Set<string>();
  let pmus: string[];
  try {
    pmus = readdirSync(root);
  } catch {
    return names;
  }
  for (const pmu of pmus) {
    try {
      for (const e of readdirSync(join(root, pmu, 'events'))) names.add(e.toLowerCase());
    } catch {
      /* a PMU without an events directory */
    }
  }
  return names;
}

/** The `-e` list: software counters always, cycles/instructions always (perf says `<not supported>` without a
 * PMU, which becomes `unavailable`), the raw arm64 events only when a PMU lists them. */
export function eventsToAsk(listed: Set<string>): string[] {
  return [...SOFTWARE, ...GENERIC_HW, ...PMU_EVENTS.filter((e) => listed.has(e.name)).map((e) => e.name)];
}

/**
 * The counters of one `perf stat` run from what it left: its `-o` file, its stderr, whether it could not start or
 * had to be killed. The same judgement for a local run and for a target's (app/run/proof/remote.ts): a refusal or
 * an empty count is an `error` with the reason, and the software counters are then null, never zeros.
 */
export function countersFromPerf(r: {
  text: string;
  stderr: string;
  paranoid: number | null;
  spawnError?: string | null;
  hung?: boolean;
  graceMs?: number;
}): Counters {
  const counters = parsePerfStat(r.text, r.paranoid);
  if (r.spawnError) counters.error = `perf could not start: ${r.spawnError}`;
  else if (permissionRefused(r.stderr)) counters.error = permissionError(r.paranoid);
  else if (counters.taskClockMs === null && counters.unavailable.length === 0) {
    const why = r.stderr.trim().split('\n').slice(0, 3).join(' ').trim();
    counters.error = r.hung
      ? `perf did not end within ${r.graceMs ?? 0} ms of the run and was killed; nothing was counted`
      : `perf counted nothing${why ? `: ${why}` : ''}`;
  }
  if (counters.error) {
    counters.taskClockMs = counters.contextSwitches = counters.cpuMigrations = counters.pageFaults = null;
  }
  return counters;
}

/** Counters of a run whose perf never ran: every software counter null, `error` says why. */
export function countersError(error: string): Counters {
  return {
    taskClockMs: null,
    contextSwitches: null,
    cpuMigrations: null,
    pageFaults: null,
    unavailable: [],
    error,
  };
}

function failed(error: string): CounterSession {
  return { stop: () => Promise.resolve(countersError(error)) };
}

export function startCounters(pid: number, opts: CounterOptions): CounterSession | null {
  const perf = findOnPath(opts.perf ?? 'perf');
  if (!perf) return failed(PERF_MISSING);
  const paranoid = readParanoid();
  const graceMs = opts.graceMs ?? 3000;
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), 'aio-perf-'));
  } catch (e) {
    return failed(`perf could not start: ${(e as Error).message}`);
  }
  const outFile = join(dir, 'stat.csv');
  const args = [
    'stat',
    '-x,',
    '--no-big-num',
    '-o',
    outFile,
    '-e',
    eventsToAsk(listedPmuEvents()).join(','),
    '-p',
    String(pid),
  ];
  let stderr = '';
  let spawnError: string | null = null;
  const child = spawn(perf, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 16_000) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.on('error', (e) => {
      spawnError = e.message;
      resolve();
    });
    child.on('close', () => resolve());
  });
  let result: Promise<Counters> | null = null;
  return {
    stop() {
      result ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        let timer: NodeJS.Timeout | undefined;
        const hung = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
        ]);
        clearTimeout(timer);
        if (hung) {
          child.kill('SIGKILL');
          await exited;
        }
        let text = '';
        try {
          text = readFileSync(outFile, 'utf8');
        } catch {
          /* perf wrote nothing */
        }
        rmSync(dir, { recursive: true, force: true });
        return countersFromPerf({ text, stderr, paranoid, spawnError, hung, graceMs });
      })();
      return result;
    },
  };
}
