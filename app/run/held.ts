/**
 * Which CPUs runs of this tool hold right now, across processes: the CLI, the browser-mode server and the app
 * each start runs, and none of them sees the others' memory. One small file per live run under
 * `<data home>/held/`, written atomically as the run starts and removed as it ends; a file whose tool process
 * is gone (killed, crashed, machine rebooted) is stale and ignored, and removed when seen.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HeldCpus } from '../shared/contract';

/** One registry file: a run and the CPUs it holds, on the machine `target` names. */
export interface HeldEntry extends HeldCpus {
  /** Where the run goes (the target URL; "local" for this machine). CPUs of different machines never meet. */
  target: string;
  /** Start time of `pid` (/proc/<pid>/stat, clock ticks): a reused pid is not the tool that wrote the file. */
  pidStart: number | null;
}

/** State and start time (clock ticks since boot) of `pid` from /proc; null when it is gone or /proc cannot say. */
function statOf(pid: number): { state: string; start: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields 3 and 22, counted after the command name (which may hold spaces and parentheses).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return Number.isFinite(start) ? { state: fields[0] ?? '', start } : null;
  } catch {
    return null;
  }
}

/** Clock ticks since boot when `pid` started; null when it is gone or /proc cannot say. */
export function processStart(pid: number): number | null {
  return statOf(pid)?.start ?? null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // Another user's process: alive, just not ours to signal.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Is the tool process that wrote `e` still the one running under its pid? */
export function isLive(e: Pick<HeldEntry, 'pid' | 'pidStart'>): boolean {
  if (!alive(e.pid)) return false;
  const now = statOf(e.pid);
  // A zombie has ended (its parent has not reaped it yet); without /proc, a signal-able pid is all we know.
  if (now === null) return true;
  if (now.state === 'Z' || now.state === 'X') return false;
  return e.pidStart === null || now.start === e.pidStart;
}

function entryOf(data: unknown): HeldEntry | null {
  const o = data as Partial<HeldEntry> | null;
  if (typeof o !== 'object' || o === null) return null;
  if (typeof o.runId !== 'string' || !Number.isInteger(o.pid) || !Array.isArray(o.cpus)) return null;
  if (!o.cpus.every((c) => Number.isInteger(c))) return null;
  return {
    runId: o.runId,
    pid: o.pid!,
    cpus: o.cpus,
    startedAt: typeof o.startedAt === 'string' ? o.startedAt : '',
    ...(typeof o.sweepId === 'string' ? { sweepId: o.sweepId } : {}),
    target: typeof o.target === 'string' ? o.target : 'local',
    pidStart: typeof o.pidStart === 'number' ? o.pidStart : null,
  };
}

let ownStart: number | null | undefined;

/** The machine a target URL names, without how it is reached (an ssh `?config=` query): what CPUs belong to. */
export function machineOf(targetUrl: string | null | undefined): string {
  return (targetUrl ?? 'local').replace(/\?.*$/, '');
}

export class HeldRegistry {
  constructor(readonly dir: string) {}

  private file(runId: string): string {
    return join(this.dir, `${runId}.json`);
  }

  /**
   * Record a run as holding its CPUs. Synchronous (runs start synchronously) and atomic: a reader sees the whole
   * file or none. Failing to write only loses the warning for others, so it never stops the run.
   */
  hold(e: Omit<HeldEntry, 'pid' | 'pidStart'>): void {
    ownStart ??= processStart(process.pid);
    const entry: HeldEntry = { ...e, target: machineOf(e.target), pid: process.pid, pidStart: ownStart };
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = join(this.dir, `.${e.runId}.${process.pid}.tmp`);
      writeFileSync(tmp, JSON.stringify(entry) + '\n');
      renameSync(tmp, this.file(e.runId));
    } catch {
      // read-only or full data directory: the run goes on unregistered
    }
  }

  release(runId: string): void {
    try {
      unlinkSync(this.file(runId));
    } catch {
      // already gone (or never written)
    }
  }

  /** Runs holding CPUs of `target`'s machine now. */
  on(target: string | null | undefined): HeldEntry[] {
    const m = machineOf(target);
    return this.list().filter((e) => e.target === m);
  }

  /** Runs holding CPUs now, oldest first; stale files are removed on the way. */
  list(): HeldEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: HeldEntry[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      let entry: HeldEntry | null;
      try {
        entry = entryOf(JSON.parse(readFileSync(join(this.dir, name), 'utf8')));
      } catch {
        continue; // removed meanwhile, or not ours to judge
      }
      if (!entry) continue;
      if (!isLive(entry)) {
        try {
          unlinkSync(join(this.dir, name));
        } catch {
          // another reader removed it first
        }
        continue;
      }
      out.push(entry);
    }
    return out.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  }
}

/**
 * The CPUs two runs share: their common CPUs; a run with no selection may use any CPU, so it shares all of the
 * other's (both unbound: they share the machine, reported as an empty list).
 */
export function sharedCpus(mine: readonly number[], theirs: readonly number[]): number[] | null {
  if (mine.length === 0) return [...theirs];
  if (theirs.length === 0) return [...mine];
  const t = new Set(theirs);
  const common = mine.filter((c) => t.has(c));
  return common.length ? common : null;
}
