/**
 * Process-group inspection through /proc. A run is started in its own process group, so "the run" is every
 * process whose pgrp is the leader's pid — including grandchildren that outlive the leader.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  /** Field 6: session id. */
  session: number;
  /** Field 22: start time in clock ticks since boot; with the pid, names a process even after pid reuse. */
  starttime: number;
  /** Field 39: CPU the task last ran on. */
  processor: number;
}

/** Parse /proc/<pid>/stat. comm may contain spaces and parentheses, so fields are counted after the last ')'. */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field k is rest[k - 3].
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    session: Number(rest[3]),
    starttime: Number(rest[19]),
    processor: Number(rest[36]),
  };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process exited between listing and reading: normal, not an error
  }
}

/** The pid directories under /proc (empty when it cannot be read). */
function pidDirs(proc: string): string[] {
  try {
    return readdirSync(proc).filter((name) => {
      const c = name.charCodeAt(0);
      return c >= 48 && c <= 57;
    });
  } catch {
    return [];
  }
}

/** The process of one pid directory, or null when it is gone or a zombie. */
function liveStat(proc: string, name: string): ProcStat | null {
  const text = readText(join(proc, name, 'stat'));
  const st = text ? parseStat(text) : null;
  return st && st.state !== 'Z' ? st : null;
}

/** Every live (non-zombie) process. */
export function allProcesses(root = '/'): ProcStat[] {
  const proc = join(root, 'proc');
  const out: ProcStat[] = [];
  for (const name of pidDirs(proc)) {
    const st = liveStat(proc, name);
    if (st) out.push(st);
  }
  return out;
}

/**
 * allProcesses in slices of a few files, yielding to the event loop between them, so the thread that drains a
 * run's pipes goes on draining (a whole scan can take 10-80 ms on a busy machine, long enough for a fast
 * workload to fill its 64 KB pipe and wait). Each read stays synchronous: /proc reads are cheap, and a
 * thread-pool round trip per file costs more than the read.
 */
export async function allProcessesAsync(root = '/'): Promise<ProcStat[]> {
  const proc = join(root, 'proc');
  const out: ProcStat[] = [];
  let n = 0;
  for (const name of pidDirs(proc)) {
    if (++n % SCAN_SLICE === 0) await new Promise((r) => setImmediate(r));
    const st = liveStat(proc, name);
    if (st) out.push(st);
  }
  return out;
}

const SCAN_SLICE = 16;

/** Live (non-zombie) processes of a process group. */
export function groupMembers(pgid: number, root = '/'): ProcStat[] {
  return allProcesses(root).filter((p) => p.pgrp === pgid);
}

// Node gives a child socket pairs, other launchers pipes: either way the fd names `kind:[inode]`. A local run's
// output pipes are unlinked FIFOs (fifos.ts), named by their path; the caller passes those names in.
const STREAM_LINK = /^(?:pipe|socket):\[\d+\]$/;

/**
 * What fd `fd` of `pid` points at when it is a pipe or socket (`pipe:[123]`) or one of `expected` (a run's FIFOs),
 * else null: a workload that already pointed its stdout at a file or /dev/null must not make every process
 * holding that file look like part of the run.
 */
export function streamLink(
  pid: number,
  fd: number,
  expected: readonly string[] = [],
  root = '/',
): string | null {
  try {
    const target = readlinkSync(join(root, 'proc', String(pid), 'fd', String(fd)));
    return STREAM_LINK.test(target) || expected.includes(target) ? target : null;
  } catch {
    return null;
  }
}

/** Processes holding an fd on one of these pipes, sockets or FIFOs (readable only for our own processes, or as root). */
export function pipeHolders(links: ReadonlySet<string>, candidates: ProcStat[], root = '/'): ProcStat[] {
  if (links.size === 0) return [];
  const out: ProcStat[] = [];
  for (const p of candidates) {
    const dir = join(root, 'proc', String(p.pid), 'fd');
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(join(dir, fd));
      } catch {
        continue;
      }
      if (links.has(target)) {
        out.push(p);
        break;
      }
    }
  }
  return out;
}

/**
 * The processes of one run, found by more than the process group, because a child may leave it (`setsid`,
 * `setpgid`): members are the leader's process group and session, every descendant of a member, every process
 * still holding the run's stdout/stderr pipes, and every process once seen as a member that is still alive
 * (same pid and start time), so a daemon that was reparented to init is not forgotten.
 */
export class RunProcesses {
  private readonly known = new Map<number, number>();

  constructor(
    readonly leader: number,
    readonly pipes: ReadonlySet<string>,
    private readonly self = process.pid,
    private readonly root = '/',
  ) {}

  /** The run's live processes now; `withPipes` also looks through every process's fds (slower). */
  scan(withPipes: boolean): ProcStat[] {
    return this.membersOf(allProcesses(this.root), withPipes);
  }

  /** scan(false) without blocking the event loop (see allProcessesAsync). */
  async scanAsync(): Promise<ProcStat[]> {
    return this.membersOf(await allProcessesAsync(this.root), false);
  }

  private membersOf(everyone: ProcStat[], withPipes: boolean): ProcStat[] {
    const all = everyone.filter((p) => p.pid !== this.self);
    const members = new Map<number, ProcStat>();
    for (const p of all)
      if (p.pgrp === this.leader || p.session === this.leader || this.known.get(p.pid) === p.starttime)
        members.set(p.pid, p);
    if (withPipes) for (const p of pipeHolders(this.pipes, all, this.root)) members.set(p.pid, p);
    // Descendants, to a fixed point: a child forked after its parent joined can be deeper than one pass sees.
    let grew = true;
    while (grew) {
      grew = false;
      for (const p of all)
        if (!members.has(p.pid) && members.has(p.ppid)) {
          members.set(p.pid, p);
          grew = true;
        }
    }
    for (const p of members.values()) this.known.set(p.pid, p.starttime);
    return [...members.values()];
  }
}

/** Resident set size from /proc/<pid>/status VmRSS, in bytes (0 when gone or a kernel thread). */
export function rssBytes(pid: number, root = '/'): number {
  const text = readText(join(root, 'proc', String(pid), 'status'));
  const m = text ? /^VmRSS:\s+(\d+)\s*kB/m.exec(text) : null;
  return m ? Number(m[1]) * 1024 : 0;
}

export function groupRssBytes(pgid: number, root = '/'): number {
  let sum = 0;
  for (const p of groupMembers(pgid, root)) sum += rssBytes(p.pid, root);
  return sum;
}

/** One look at a process group's memory: summed VmRSS now, and the largest VmHWM of any one member. */
export interface GroupMemory {
  rssBytes: number;
  /** The kernel's own high-water mark of each process: catches a spike that came and went between samples. */
  maxHwmBytes: number;
}

/** Null when no member could be read (the group is gone, or only zombies are left). */
export function groupMemory(pgid: number, root = '/'): GroupMemory | null {
  return processesMemory(groupMembers(pgid, root), root);
}

/** The same look over any set of processes (a run's, see RunProcesses). */
export function processesMemory(procs: ProcStat[], root = '/'): GroupMemory | null {
  let read = 0;
  let rss = 0;
  let hwm = 0;
  for (const p of procs) {
    const text = readText(join(root, 'proc', String(p.pid), 'status'));
    const r = text ? /^VmRSS:\s+(\d+)\s*kB/m.exec(text) : null;
    if (!r) continue; // exited meanwhile
    read++;
    rss += Number(r[1]) * 1024;
    const h = /^VmHWM:\s+(\d+)\s*kB/m.exec(text!);
    if (h) hwm = Math.max(hwm, Number(h[1]) * 1024);
  }
  return read > 0 ? { rssBytes: rss, maxHwmBytes: hwm } : null;
}

/** Command line of a process as argv (empty when gone). */
export function cmdline(pid: number, root = '/'): string[] {
  const text = readText(join(root, 'proc', String(pid), 'cmdline'));
  return text ? text.split('\0').filter((s) => s !== '') : [];
}
