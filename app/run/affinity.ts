/**
 * Proof of binding: the CPUs a process may run on (Cpus_allowed_list, what numactl/taskset set) and the CPU each
 * of its threads last ran on (/proc/<pid>/task/<tid>/stat field 39).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCpuList } from '../shared/cpulist';
import { parseStat } from './proctree';

export interface ThreadCpu {
  tid: number;
  comm: string;
  /** CPU the thread last ran on. */
  cpu: number;
}

export interface ProcessAffinity {
  pid: number;
  allowed: number[];
  threads: ThreadCpu[];
  /** Distinct CPUs the threads last ran on, ascending. */
  lastCpus: number[];
}

/** Null when the process is gone. */
export function processAffinity(pid: number, root = '/'): ProcessAffinity | null {
  const base = join(root, 'proc', String(pid));
  let status: string;
  try {
    status = readFileSync(join(base, 'status'), 'utf8');
  } catch {
    return null;
  }
  const m = /^Cpus_allowed_list:\s*(.*)$/m.exec(status);
  const allowed = m ? parseCpuList(m[1]!) : [];
  const threads: ThreadCpu[] = [];
  let tids: string[] = [];
  try {
    tids = readdirSync(join(base, 'task'));
  } catch {
    // exited meanwhile
  }
  for (const tid of tids) {
    try {
      const st = parseStat(readFileSync(join(base, 'task', tid, 'stat'), 'utf8'));
      if (st && Number.isFinite(st.processor))
        threads.push({ tid: Number(tid), comm: st.comm, cpu: st.processor });
    } catch {
      // thread ended between listing and reading
    }
  }
  const lastCpus = [...new Set(threads.map((t) => t.cpu))].sort((a, b) => a - b);
  return { pid, allowed, threads, lastCpus };
}
