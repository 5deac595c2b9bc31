/**
 * Finding the processes of a multi-instance run while they run. RunManager does not hand out pids, and an
 * instance is recognised anyway by what makes it one: its environment carries the run's RESULTS_DIR and its own
 * AIO_NUMA_CPUS. Reading Cpus_allowed_list then proves where the kernel actually lets it run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAffinity } from '../run';

export interface FoundInstance {
  pid: number;
  /** AIO_NUMA_CPUS of the process, as set ("0 1 2"). */
  numaCpus: string | null;
  allowed: number[];
}

function environ(pid: string, root: string): Map<string, string> | null {
  let raw: string;
  try {
    raw = readFileSync(join(root, 'proc', pid, 'environ'), 'utf8');
  } catch {
    return null; // someone else's process, or gone: both normal
  }
  const m = new Map<string, string>();
  for (const kv of raw.split('\0')) {
    const eq = kv.indexOf('=');
    if (eq > 0) m.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return m;
}

function comm(pid: string, root: string): string {
  try {
    return readFileSync(join(root, 'proc', pid, 'comm'), 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Processes whose environment has RESULTS_DIR=`dir`. numactl itself is skipped: it sets the binding and then
 * execs the workload under the same pid, so only after the exec does Cpus_allowed_list show the binding.
 */
export function findInstances(dir: string, root = '/'): FoundInstance[] {
  let names: string[];
  try {
    names = readdirSync(join(root, 'proc'));
  } catch {
    return [];
  }
  const out: FoundInstance[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const env = environ(name, root);
    if (env?.get('RESULTS_DIR') !== dir) continue;
    if (comm(name, root) === 'numactl') continue;
    const aff = processAffinity(Number(name), root);
    if (aff)
      out.push({ pid: Number(name), numaCpus: env.get('AIO_NUMA_CPUS') ?? null, allowed: aff.allowed });
  }
  return out;
}

/**
 * A multi-instance point's RESULTS_DIR on a remote target (app/remote/results.ts): the workload writes its dumps
 * where it runs, so the directory is made, watched and read there, and the dumps copied back afterwards.
 */
export interface RemoteResults {
  /** A fresh, empty directory on the target; returns its path there. */
  create(): Promise<string>;
  /** What findInstances finds, looked up on the target. */
  find(dir: string): Promise<FoundInstance[]>;
  /** Copy the target's <pid>.json dumps of `dir` into the local directory `into`. */
  fetch(dir: string, into: string): Promise<void>;
  remove(dir: string): Promise<void>;
}

/** Polls until every expected AIO_NUMA_CPUS value has been seen or `stop()` is called; returns what it found. */
export function watchInstances(
  dir: string,
  expected: readonly string[],
  everyMs = 200,
  find: (dir: string) => FoundInstance[] | Promise<FoundInstance[]> = findInstances,
): { stop(): Map<string, FoundInstance> } {
  const seen = new Map<string, FoundInstance>();
  let busy = false;
  let stopped = false;
  const tick = async (): Promise<void> => {
    // A remote look is a round trip that can outlast the interval: never stack them.
    if (busy) return;
    busy = true;
    try {
      const found = await find(dir);
      if (stopped) return;
      for (const f of found) if (f.numaCpus !== null && !seen.has(f.numaCpus)) seen.set(f.numaCpus, f);
    } catch {
      // the target did not answer this once; a lost connection is reported by the runs themselves
    } finally {
      busy = false;
    }
    if (expected.every((e) => seen.has(e))) clearInterval(timer);
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      return seen;
    },
  };
}
