/**
 * Reads a pasted command line or script back into RunSettings: `VAR=… numactl … workload`, `env …`, `export`
 * lines, numactl and taskset bindings, bash quoting. What it does not understand is kept verbatim in the
 * workload (and explained in a note), never dropped.
 */
import { parseCpuList, parseCpuMask } from '../shared/cpulist';
import type { Topology } from '../shared/topology';
import { defaultMemoryNodes } from './memnodes';
import { engineMemBindConflicts, ompPlaces } from './plan';
import { isOnednnLine } from './engines/detect';
import { parseOrderedCpuList } from '../shared/presets';
import { assignmentOf, lex, type Word } from './shlex';
import { defaultSettings, type MemPolicy, type RunSettings } from '../shared/command';
import { parseLauncherWords } from './launchers';

export interface ParseResult {
  settings: RunSettings;
  /** Plain explanations of everything that was interpreted loosely or kept as is. */
  notes: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Commands in a script that only prepare the shell; they carry nothing the run needs. */
const SILENT = new Set(['set', 'shopt', 'true', ':']);

interface Binding {
  cpus: number[] | null;
  cpuSource: string | null;
  memPolicy: MemPolicy;
  memNodes: number[] | null;
  usedNumactl: boolean;
}

export function parseCommandLine(text: string, t: Topology | null): ParseResult {
  const { commands, notes } = lex(text);
  const env = new Map<string, string | null>();
  let cwd: string | null = null;
  let main: Word[] | null = null;
  const setEnv = (name: string, value: string | null) => {
    // Re-insert so the latest assignment also decides the position.
    env.delete(name);
    env.set(name, value);
  };

  for (const words of commands) {
    const head = words[0]!;
    if (words.every((w) => assignmentOf(w) !== null)) {
      for (const w of words) {
        const a = assignmentOf(w)!;
        setEnv(a.name, a.value);
      }
      notes.push(
        `${words.map((w) => assignmentOf(w)!.name).join(', ')} assigned on a line of its own (a shell variable); ` +
          'taken as part of the environment',
      );
      continue;
    }
    if (assignmentOf(head) === null) {
      if (head.value === 'export' || head.value === 'declare' || head.value === 'typeset') {
        for (const w of words.slice(1)) {
          const eq = w.value.indexOf('=');
          const name = eq < 0 ? w.value : w.value.slice(0, eq);
          if (w.value === '-x') continue;
          if (!ENV_NAME.test(name)) notes.push(`"${head.value} ${w.raw}" was not understood and is ignored`);
          else if (eq >= 0) setEnv(name, w.value.slice(eq + 1));
          else if (!env.has(name))
            notes.push(`"${head.value} ${name}" names a variable the text does not set; ignored`);
        }
        continue;
      }
      if (head.value === 'unset') {
        for (const w of words.slice(1)) {
          if (w.value === '-v') continue;
          if (ENV_NAME.test(w.value)) setEnv(w.value, null);
          else notes.push(`"unset ${w.raw}" was not understood and is ignored`);
        }
        continue;
      }
      if (head.value === 'cd') {
        let k = 1;
        while (k < words.length && ['-P', '-L', '-e', '-@'].includes(words[k]!.value)) k++;
        if (words[k]?.value === '--') k++;
        const args = words.slice(k);
        if (args.length === 1) {
          cwd = joinPath(cwd, args[0]!.value);
          if (args[0]!.expansion)
            notes.push(`the directory ${args[0]!.raw} contains a shell expansion; kept literally`);
        } else notes.push(`"${words.map((w) => w.raw).join(' ')}" was not understood and is ignored`);
        continue;
      }
      if (SILENT.has(head.value)) continue;
    }
    if (main !== null) notes.push(`only the last command is run; "${rawOf(main)}" is not part of the run`);
    main = words;
  }

  const settings = defaultSettings();
  settings.workload = [];
  settings.memPolicy = 'none';
  let binding: Binding = {
    cpus: null,
    cpuSource: null,
    memPolicy: 'none',
    memNodes: null,
    usedNumactl: false,
  };

  if (main !== null) {
    const r = interpretLauncher(main, t, notes, setEnv) ?? interpretMain(main, t, notes, setEnv);
    binding = r.binding;
    settings.workload = r.workload;
    if (r.cwd !== null) cwd = joinPath(cwd, r.cwd);
    for (const w of r.workloadWords) {
      if (w.operator)
        notes.push(
          `${w.raw} looks like a pipe or redirection; AIO Tuner runs one command, so it is kept as an argument`,
        );
      else if (w.expansion)
        notes.push(`${w.raw} contains a shell expansion; it is kept literally, not expanded`);
      else if (w.glob) notes.push(`${w.raw} contains a wildcard; it is kept literally, not expanded`);
    }
  } else {
    notes.push('no command to run was found');
  }

  settings.cwd = cwd;
  settings.memPolicy = binding.memPolicy;
  let cpus = binding.cpus ?? [];

  const onednn = isOnednnLine(env);
  // numactl's list only fixes the set of CPUs; when it is written ascending, AIO_NUMA_CPUS may hold the real order.
  const numaCpus = env.get('AIO_NUMA_CPUS');
  if (cpus.length > 0 && typeof numaCpus === 'string') {
    const ids = numaCpus.trim().split(/\s+/).map(Number);
    const ascending = cpus.every((id, i) => i === 0 || id > cpus[i - 1]!);
    if (ascending && ids.every(Number.isInteger) && ids.length === cpus.length && sameSet(ids, cpus))
      cpus = ids;
    if (ids.length === cpus.length && ids.every((x, i) => x === cpus[i])) env.delete('AIO_NUMA_CPUS');
  }
  settings.cpus = cpus;

  if (binding.memNodes !== null) {
    const derived = t && cpus.length > 0 ? defaultMemoryNodes(t, cpus) : null;
    const nodes = [...new Set(binding.memNodes)].sort((a, b) => a - b);
    settings.memNodes = derived !== null && sameList(derived, nodes) ? null : nodes;
  }

  // Equal values, or one of the two given on its own, are the thread count: the rebuilt command then sets both
  // (Ampere's scripts refuse differing values, so one variable must not become a mismatch against the CPU count).
  const aio = env.get('AIO_NUM_THREADS');
  const omp = env.get('OMP_NUM_THREADS');
  const given = aio === undefined ? omp : omp === undefined ? aio : aio === omp ? aio : null;
  if (typeof given === 'string' && /^[1-9]\d*$/.test(given)) {
    const n = Number(given);
    settings.threads = n === new Set(cpus).size ? null : n;
    env.delete('AIO_NUM_THREADS');
    env.delete('OMP_NUM_THREADS');
  }
  const debug = env.get('AIO_DEBUG_MODE');
  if (typeof debug === 'string' && /^[0-4]$/.test(debug)) {
    settings.debugMode = Number(debug);
    env.delete('AIO_DEBUG_MODE');
  }
  if (onednn) {
    settings.engine = 'onednn';
    // The places and binding --engine onednn derives from the CPUs are the selection, not settings of their own.
    if (
      cpus.length > 0 &&
      env.get('OMP_PLACES') === ompPlaces(cpus) &&
      env.get('OMP_PROC_BIND') === 'close'
    ) {
      env.delete('OMP_PLACES');
      env.delete('OMP_PROC_BIND');
    }
    notes.push(
      'read as --engine onednn: the line sets no AIO_* variable and sets OpenMP binding or oneDNN variables',
    );
  }
  settings.env = Object.fromEntries(env);
  // AIO_MEM_BIND=0 next to a numactl memory policy is what the builder writes itself; keep it only when the
  // rebuilt command would not (then it is the user's choice).
  if (settings.env.AIO_MEM_BIND === '0') {
    const { AIO_MEM_BIND: _derived, ...rest } = settings.env;
    if (engineMemBindConflicts({ ...settings, env: rest }, t)) settings.env = rest;
  }
  return { settings, notes };
}

function rawOf(words: readonly Word[]): string {
  return words.map((w) => w.raw).join(' ');
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function joinPath(base: string | null, dir: string): string {
  if (base === null || dir.startsWith('/')) return dir;
  return `${base.replace(/\/+$/, '')}/${dir}`;
}

function basename(cmd: string): string {
  return cmd.slice(cmd.lastIndexOf('/') + 1);
}

interface MainResult {
  binding: Binding;
  workload: string[];
  workloadWords: Word[];
  cwd: string | null;
}

/**
 * Walk the main command: prefix assignments, then wrappers (exec, env, numactl, taskset) in any order, then the
 * workload. A wrapper used in a way this parser does not model is kept whole as the start of the workload.
 */
function interpretMain(
  words: Word[],
  t: Topology | null,
  notes: string[],
  setEnv: (name: string, value: string | null) => void,
): MainResult {
  const binding: Binding = {
    cpus: null,
    cpuSource: null,
    memPolicy: 'none',
    memNodes: null,
    usedNumactl: false,
  };
  let cwd: string | null = null;
  let i = 0;
  for (; i < words.length; i++) {
    const a = assignmentOf(words[i]!);
    if (!a) break;
    setEnv(a.name, a.value);
  }

  while (i < words.length) {
    const cmd = basename(words[i]!.value);
    if (cmd === 'exec' && words[i]!.value === 'exec') {
      i++;
      if (words[i]?.value === '--') i++;
      continue;
    }
    if (cmd === 'env') {
      const r = readEnv(words, i + 1, setEnv, notes);
      if (r === null) break;
      if (r.cwd !== null) cwd = r.cwd;
      i = r.next;
      continue;
    }
    if (cmd === 'numactl') {
      if (binding.usedNumactl) {
        notes.push('a second numactl is kept as part of the command');
        break;
      }
      const r = readNumactl(words, i + 1, t, notes);
      if (r === null) break;
      binding.usedNumactl = true;
      if (r.cpus !== null) {
        if (binding.cpus !== null)
          notes.push(`numactl's CPU list replaces the one from ${binding.cpuSource}`);
        binding.cpus = r.cpus;
        binding.cpuSource = 'numactl';
      }
      binding.memPolicy = r.memPolicy;
      binding.memNodes = r.memNodes;
      i = r.next;
      continue;
    }
    if (cmd === 'taskset') {
      const r = readTaskset(words, i + 1, notes);
      if (r === null) break;
      if (binding.cpus !== null) {
        notes.push('taskset inside numactl: the numactl CPU list is used');
      } else {
        binding.cpus = r.cpus;
        binding.cpuSource = 'taskset';
        notes.push(
          'the taskset CPU binding is expressed with numactl --physcpubind when the command is rebuilt',
        );
      }
      i = r.next;
      continue;
    }
    break;
  }
  const workloadWords = words.slice(i);
  return { binding, workload: workloadWords.map((w) => w.value), workloadWords, cwd };
}

/** Wrappers a launcher line never starts with: those lines are numactl's (interpretMain). */
const NOT_LAUNCHERS = new Set(['numactl']);

/**
 * A line of another launcher (taskset, docker --cpuset-cpus, systemd-run, run_cpu, OpenMP variables, …): its
 * leading assignments and `env` wrapper are read here, the rest by the launcher's own parse(). Null when no
 * launcher reads it (the numactl importer then does).
 */
function interpretLauncher(
  words: Word[],
  t: Topology | null,
  notes: string[],
  setEnv: (name: string, value: string | null) => void,
): MainResult | null {
  const local = new Map<string, string | null>();
  const keep = (name: string, value: string | null) => {
    local.delete(name);
    local.set(name, value);
  };
  const scratch: string[] = [];
  let cwd: string | null = null;
  let i = 0;
  for (; i < words.length; i++) {
    const a = assignmentOf(words[i]!);
    if (a) keep(a.name, a.value);
    else if (words[i]!.value === 'exec') continue;
    else if (basename(words[i]!.value) === 'env') {
      const r = readEnv(words, i + 1, keep, scratch);
      if (r === null) return null;
      if (r.cwd !== null) cwd = r.cwd;
      i = r.next - 1;
    } else break;
  }
  if (i >= words.length || NOT_LAUNCHERS.has(basename(words[i]!.value))) return null;
  const assigned = [...local].filter((e): e is [string, string] => e[1] !== null);
  const hit = parseLauncherWords([
    ...assigned.map(([k, v]) => `${k}=${v}`),
    ...words.slice(i).map((w) => w.value),
  ]);
  if (hit === null) return null;
  const { settings: got, notes: more } = hit.parsed;
  notes.push(...scratch, ...more.map((n) => `${hit.launcher.label}: ${n}`));
  for (const [name, value] of local) if (value === null) setEnv(name, null);
  for (const [name, value] of Object.entries(got.env ?? {})) setEnv(name, value);
  const workload = got.workload ?? [];
  // The workload is the tail of the line: its words keep their quoting flags for the notes.
  const workloadWords = words.slice(words.length - workload.length);
  const binding: Binding = {
    cpus: got.cpus !== undefined && got.cpus.length > 0 ? got.cpus : null,
    cpuSource: hit.launcher.format,
    memPolicy: got.memPolicy ?? 'none',
    memNodes: got.memNodes ?? null,
    usedNumactl: false,
  };
  if (got.cwd !== undefined && got.cwd !== null) cwd = cwd === null ? got.cwd : joinPath(cwd, got.cwd);
  // A numactl line inside (the docker run form, a taskset around numactl) is read as numactl's.
  if (workload.length > 0 && ['numactl', 'env', 'taskset'].includes(basename(workload[0]!))) {
    const inner = interpretMain(workloadWords, t, notes, setEnv);
    if (inner.binding.cpus !== null) binding.cpus ??= inner.binding.cpus;
    if (inner.binding.usedNumactl && binding.memPolicy === 'none') {
      binding.memPolicy = inner.binding.memPolicy;
      binding.memNodes = inner.binding.memNodes;
    }
    return { binding, workload: inner.workload, workloadWords: inner.workloadWords, cwd: inner.cwd ?? cwd };
  }
  return { binding, workload, workloadWords, cwd };
}

/** `env [-u NAME]… [-C DIR] [--] [NAME=VALUE]…`; null when an option is not modelled (kept verbatim). */
function readEnv(
  words: Word[],
  i: number,
  setEnv: (name: string, value: string | null) => void,
  notes: string[],
): { next: number; cwd: string | null } | null {
  let cwd: string | null = null;
  const pending: Array<[string, string | null]> = [];
  for (; i < words.length; i++) {
    const v = words[i]!.value;
    if (v === '--') {
      i++;
      break;
    }
    if (!v.startsWith('-') || v === '-') break;
    let m: RegExpExecArray | null;
    if (v === '-u' || v === '--unset' || v === '-C' || v === '--chdir') {
      const arg = words[i + 1]?.value;
      if (arg === undefined) return null;
      if (v === '-u' || v === '--unset') pending.push([arg, null]);
      else cwd = arg;
      i++;
    } else if ((m = /^(?:-u|--unset=)(.+)$/.exec(v))) {
      pending.push([m[1]!, null]);
    } else if ((m = /^(?:-C|--chdir=)(.+)$/.exec(v))) {
      cwd = m[1]!;
    } else if (v === '-i' || v === '--ignore-environment') {
      notes.push(
        'env -i (start from an empty environment) is not modelled; the run inherits the environment',
      );
    } else {
      notes.push(`env option ${v} is not modelled; the env command is kept as part of the workload`);
      return null;
    }
  }
  if (words[i]?.value === '-') {
    notes.push('env - (start from an empty environment) is not modelled; the run inherits the environment');
    i++;
  }
  for (; i < words.length; i++) {
    const v = words[i]!.value;
    const eq = v.indexOf('=');
    if (eq <= 0) break;
    const name = v.slice(0, eq);
    if (!ENV_NAME.test(name)) {
      notes.push(
        `env assignment "${words[i]!.raw}" has a name a shell cannot use; the env command is kept as is`,
      );
      return null;
    }
    pending.push([name, v.slice(eq + 1)]);
  }
  for (const [name, value] of pending) {
    if (ENV_NAME.test(name)) setEnv(name, value);
    else notes.push(`env -u ${name}: not a valid variable name; ignored`);
  }
  return { next: i, cwd };
}

type NumactlOpt = 'physcpubind' | 'cpunodebind' | 'membind' | 'preferred' | 'interleave' | 'localalloc';
const NUMACTL_LONG: NumactlOpt[] = [
  'physcpubind',
  'cpunodebind',
  'membind',
  'preferred',
  'interleave',
  'localalloc',
];
const NUMACTL_SHORT: Record<string, NumactlOpt> = {
  C: 'physcpubind',
  N: 'cpunodebind',
  m: 'membind',
  p: 'preferred',
  i: 'interleave',
  l: 'localalloc',
};

/** numactl options we model; null (numactl kept verbatim) for anything else. */
function readNumactl(
  words: Word[],
  i: number,
  t: Topology | null,
  notes: string[],
): { next: number; cpus: number[] | null; memPolicy: MemPolicy; memNodes: number[] | null } | null {
  let cpus: number[] | null = null;
  let memPolicy: MemPolicy = 'none';
  let memNodes: number[] | null = null;
  const opaque = (why: string) => {
    notes.push(`numactl ${why}; the numactl command is kept as part of the workload`);
    return null;
  };
  for (; i < words.length; i++) {
    const w = words[i]!.value;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    let opt: NumactlOpt | undefined;
    let value: string | undefined;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = w.slice(2, eq < 0 ? undefined : eq);
      // getopt_long accepts any unambiguous prefix of a long option.
      const hits = NUMACTL_LONG.filter((o) => o.startsWith(name));
      opt = hits.length === 1 && name.length > 0 ? hits[0] : NUMACTL_LONG.find((o) => o === name);
      if (eq >= 0) value = w.slice(eq + 1);
    } else {
      opt = NUMACTL_SHORT[w[1]!];
      if (w.length > 2) value = w.slice(2);
    }
    if (opt === undefined) return opaque(`option ${w} is not modelled`);
    if (opt === 'localalloc') {
      if (value !== undefined) return opaque(`option ${w} is not modelled`);
      memPolicy = 'local';
      memNodes = null;
      continue;
    }
    if (value === undefined) {
      value = words[i + 1]?.value;
      if (value === undefined) return opaque(`option ${w} has no value`);
      i++;
    }
    if (opt === 'physcpubind') {
      try {
        cpus = parseOrderedCpuList(value);
      } catch {
        return opaque(`CPU list "${value}" uses a form this tool does not model`);
      }
      continue;
    }
    let nodes: number[];
    try {
      nodes = parseCpuList(value);
    } catch {
      return opaque(`node list "${value}" uses a form this tool does not model`);
    }
    if (opt === 'cpunodebind') {
      if (!t) return opaque(`--cpunodebind=${value} needs the machine topology to know which CPUs it means`);
      const ids = t.nodes
        .filter((n) => nodes.includes(n.id))
        .flatMap((n) => n.cpus)
        .filter((id) => {
          const c = t.cpus.find((x) => x.id === id);
          return c !== undefined && c.online && c.allowed !== false;
        })
        .sort((a, b) => a - b);
      if (ids.length === 0) return opaque(`--cpunodebind=${value} names no usable CPUs on this machine`);
      if (cpus === null) {
        cpus = ids;
        notes.push(`--cpunodebind=${value} was expanded to the CPUs of node ${value}: ${ids.join(',')}`);
      }
      continue;
    }
    memPolicy = opt === 'membind' ? 'bind' : opt;
    memNodes = nodes;
  }
  return { next: i, cpus, memPolicy, memNodes };
}

/** `taskset [-a] -c LIST cmd` or `taskset MASK cmd`; null for the pid form or anything else. */
function readTaskset(words: Word[], i: number, notes: string[]): { next: number; cpus: number[] } | null {
  let list = false;
  for (; i < words.length; i++) {
    const w = words[i]!.value;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-')) break;
    if (w === '--cpu-list') list = true;
    else if (w === '--all-tasks') continue;
    else if (/^-[ac]+$/.test(w)) list ||= w.includes('c');
    else {
      notes.push(`taskset option ${w} is not modelled; the taskset command is kept as part of the workload`);
      return null;
    }
  }
  const spec = words[i]?.value;
  if (spec === undefined || i + 1 >= words.length) {
    notes.push('taskset without a command is kept as part of the workload');
    return null;
  }
  try {
    const cpus = list ? parseOrderedCpuList(spec) : maskToCpus(spec);
    return { next: i + 1, cpus };
  } catch {
    notes.push(
      `taskset CPU ${list ? 'list' : 'mask'} "${spec}" was not understood; the taskset command is kept`,
    );
    return null;
  }
}

function maskToCpus(spec: string): number[] {
  const hex = spec.replace(/^0x/i, '');
  if (!/^[0-9a-fA-F,]+$/.test(hex)) throw new Error('bad mask');
  // taskset masks are one hex number; split into the 32-bit words parseCpuMask expects.
  const digits = hex.replace(/,/g, '');
  const words: string[] = [];
  for (let end = digits.length; end > 0; end -= 8) words.unshift(digits.slice(Math.max(0, end - 8), end));
  return parseCpuMask(words.join(','));
}
