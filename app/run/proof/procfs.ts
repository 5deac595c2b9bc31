/**
 * Pure readers of the /proc texts placement proof rests on (issue 13), shared by the local sampler and the
 * remote one (whose target sends the same texts): a thread's stat and status, a process's numa_maps.
 */

export interface TaskStat {
  tid: number;
  /** `comm`: the thread's name (may hold spaces and parentheses). */
  name: string;
  state: string;
  /** utime + stime, in clock ticks (USER_HZ, 100 on Linux). */
  ticks: number;
  /** The CPU it last ran on (field 39). */
  processor: number;
  /** When it started, in clock ticks since boot (field 22); null when the line lacks it. */
  startTicks: number | null;
}

/** One line of /proc/PID/task/TID/stat; null when it cannot be read as one. */
export function parseTaskStat(text: string): TaskStat | null {
  // comm is between the first "(" and the LAST ")": a name may itself contain ")".
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const tid = Number(text.slice(0, open).trim());
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  const processor = Number(rest[39 - 3]);
  const start = Number(rest[22 - 3]);
  if (
    !Number.isInteger(tid) ||
    !Number.isFinite(utime) ||
    !Number.isFinite(stime) ||
    !Number.isInteger(processor)
  )
    return null;
  return {
    tid,
    name: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ticks: utime + stime,
    processor,
    startTicks: Number.isFinite(start) && start >= 0 ? start : null,
  };
}

/**
 * /proc/PID/task/TID/schedstat: time on a CPU and time runnable but waiting in a run queue (ns), since the thread
 * started. Null when it cannot be read as such (kernels without CONFIG_SCHED_INFO have no such file).
 */
export function parseSchedstat(text: string): { runNs: number; waitNs: number } | null {
  const [run, wait] = text.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(run) || !Number.isFinite(wait)) return null;
  return { runNs: run!, waitNs: wait! };
}

/** The first number of /proc/uptime: seconds since boot, the clock of a thread's start time; null if unreadable. */
export function parseUptime(text: string): number | null {
  const up = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(up) && up >= 0 ? up : null;
}

/** `Cpus_allowed_list` of /proc/PID/task/TID/status, expanded; null when absent. */
export function allowedFromStatus(text: string): number[] | null {
  const m = /^Cpus_allowed_list:\s*(\S*)\s*$/m.exec(text);
  if (!m) return null;
  const out: number[] = [];
  for (const part of m[1]!.split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) return null;
    const hi = b === undefined ? a! : b;
    if (!Number.isInteger(hi) || hi < a!) return null;
    for (let c = a!; c <= hi; c++) out.push(c);
  }
  return out;
}

/**
 * Resident bytes per NUMA node from /proc/PID/numa_maps: each mapping's `N<node>=<pages>` counts, in pages of
 * its `kernelpagesize_kB` (4 kB when absent; huge pages say theirs).
 */
export function memoryByNodeFromNumaMaps(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const ps = /\bkernelpagesize_kB=(\d+)/.exec(line);
    const page = (ps ? Number(ps[1]) : 4) * 1024;
    const re = /\bN(\d+)=(\d+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null) {
      const node = Number(m[1]);
      out.set(node, (out.get(node) ?? 0) + Number(m[2]) * page);
    }
  }
  return out;
}

/**
 * Keeps, per process, its numa_maps look with the most resident bytes. A look taken as the process exits reads a
 * map being torn down — empty, or cut short part-way (a remote target reads it line by line) — and must not
 * shrink the run's footprint; a CI run saw 7 MB kept for a process that held 71 MB for four seconds.
 */
export function keepLargestLook(
  memoryOf: Map<number, Map<number, number>>,
  pid: number,
  nodes: Map<number, number>,
): void {
  const total = (m: Map<number, number>): number => [...m.values()].reduce((s, b) => s + b, 0);
  const prev = memoryOf.get(pid);
  if (nodes.size > 0 && (!prev || total(nodes) >= total(prev))) memoryOf.set(pid, nodes);
}
