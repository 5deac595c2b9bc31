/**
 * Checks made before a run starts. The workload usually runs under numactl, so a missing program would
 * otherwise surface as numactl's own terse "execution of … failed" inside the log: users must see the real cause.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import { formatCpuList, parseCpuList } from '../shared/cpulist';
import type { RunSettings } from '../shared/command';
import { cwdProblem, startError } from './starterrors';

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Human message for what prevents the workload from starting, or null when nothing does. */
export function preflightProblem(
  s: RunSettings,
  pathEnv: string | undefined = process.env.PATH,
): string | null {
  const cwd = s.cwd ? resolve(s.cwd) : process.cwd();
  if (s.cwd) {
    const bad = cwdProblem(cwd);
    if (bad) return bad;
  }
  const prog = s.workload[0];
  if (!prog) return 'no workload to run: give a command, e.g. python3 run.py -p fp32';
  const path = s.env.PATH ?? pathEnv ?? '';
  if (prog.includes('/')) {
    const p = isAbsolute(prog) ? prog : join(cwd, prog);
    try {
      statSync(p);
    } catch {
      return startError.missing(prog);
    }
    return isExecutableFile(p) ? null : startError.notExecutable(prog);
  }
  for (const dir of path.split(delimiter)) {
    if (dir && isExecutableFile(join(dir, prog))) return null;
  }
  return startError.notOnPath(prog);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** numactl option values in a built argv, up to the workload. */
function numactlValues(argv: readonly string[]): { cpus: string | null; nodes: string[] } {
  const out = { cpus: null as string | null, nodes: [] as string[] };
  if (!argv[0] || basename(argv[0]) !== 'numactl') return out;
  for (const a of argv.slice(1)) {
    if (!a.startsWith('-')) break;
    const m = /^--(physcpubind|membind|preferred|interleave)=(.*)$/.exec(a);
    if (!m) continue;
    if (m[1] === 'physcpubind') out.cpus = m[2]!;
    else out.nodes.push(m[2]!);
  }
  return out;
}

/**
 * The map may show another machine (a sysroot, an imported lscpu) while runs happen here: binding to CPUs or
 * nodes this machine does not have makes numactl print its usage text and exit 1, which reads like the
 * workload failing. Say what is wrong before starting instead.
 */
export function hostBindingProblem(argv: readonly string[], root = '/'): string | null {
  const { cpus, nodes } = numactlValues(argv);
  if (cpus) {
    const allowedLine = /^Cpus_allowed_list:\s*(\S+)/m.exec(readText(join(root, 'proc/self/status')) ?? '');
    if (allowedLine) {
      let wanted: number[];
      let allowed: number[];
      try {
        wanted = parseCpuList(cpus);
        allowed = parseCpuList(allowedLine[1]!);
      } catch {
        return null; // numactl's own syntax (e.g. "all", "+1"): let numactl judge it
      }
      const ok = new Set(allowed);
      const missing = wanted.filter((c) => !ok.has(c));
      if (missing.length)
        return `cannot bind: CPU${missing.length > 1 ? 's' : ''} ${formatCpuList(missing)} ${missing.length > 1 ? 'are' : 'is'} not available on this machine (this process may use CPUs ${allowedLine[1]}). The map shows a different machine or an older state: pick CPUs this machine has, or run on the right target.`;
    }
  }
  const online = readText(join(root, 'sys/devices/system/node/online'));
  if (online && nodes.length) {
    let have: Set<number>;
    try {
      have = new Set(parseCpuList(online));
    } catch {
      return null;
    }
    for (const list of nodes) {
      let wanted: number[];
      try {
        wanted = parseCpuList(list);
      } catch {
        continue;
      }
      const missing = wanted.filter((n) => !have.has(n));
      if (missing.length)
        return `cannot bind memory: NUMA node${missing.length > 1 ? 's' : ''} ${formatCpuList(missing)} ${missing.length > 1 ? 'do' : 'does'} not exist on this machine (nodes ${online.trim()}).`;
    }
  }
  return null;
}
