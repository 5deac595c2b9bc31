/**
 * Process-group inspection through /proc. A run is started in its own process group, so "the run" is every
 * process whose pgrp is the leader's pid — including grandchildren that outlive the leader.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
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

/** Live (non-zombie) processes of a process group. */
export function groupMembers(pgid: number, root = '/'): ProcStat[] {
  const proc = join(root, 'proc');
  const out: ProcStat[] = [];
  let names: string[];
  try {
    names = readdirSync(proc);
  } catch {
    return out;
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const text = readText(join(proc, name, 'stat'));
    const st = text ? parseStat(text) : null;
    if (st && st.pgrp === pgid && st.state !== 'Z') out.push(st);
  }
  return out;
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
  let read = 0;
  let rss = 0;
  let hwm = 0;
  for (const p of groupMembers(pgid, root)) {
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
