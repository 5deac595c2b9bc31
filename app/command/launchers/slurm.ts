/**
 * The run plan as one Slurm job step (issue 17): `srun -n1 -c T --exclusive --cpu-bind=mask_cpu:0x…
 * --mem-bind=… --export=ALL [--chdir=DIR] [env …] workload`. Grammar: the srun(1) man page of Slurm 22.05.
 *
 * Three facts of that page shape the line, each checked against a real slurmctld + slurmd (test/e2e):
 * - "Explicitly specified masks or bindings are only honored when the job step has been allocated every
 *   available CPU on the node": with `-c 1` the step holds one CPU Slurm picks, and srun refuses a mask naming
 *   another one ("CPU binding outside of job step allocation"). So the step asks for the whole node (`-c` = the
 *   machine's CPU count, `--exclusive`) and the mask narrows the task to the selection.
 * - map_cpu gives each task ONE CPU; a multi-threaded process needs a "fat" mask: mask_cpu, one mask per task.
 * - `--export=ALL,NAME=value` lets a value already in the caller's environment win over the one given, so
 *   the variables are set inside the step with `env` instead, where nothing overrides them.
 */
import type { MemPolicy, RunSettings } from '../../shared/command';
import { shellQuote } from '../../shared/quote';
import { engineMemBindConflicts } from '../plan';
import type { Launcher, LauncherInput, LauncherParse } from './types';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Hex mask (no 0x) with bit k set for each id k; any width, no grouping commas (srun reads a comma as the next task's mask). */
export function hexMask(ids: readonly number[]): string {
  if (ids.length === 0) return '0';
  const max = Math.max(...ids);
  const nibbles = new Array<number>(Math.floor(max / 4) + 1).fill(0);
  for (const id of ids) nibbles[Math.floor(id / 4)]! |= 1 << (id % 4);
  return nibbles
    .reverse()
    .map((n) => n.toString(16))
    .join('')
    .replace(/^0+(?=.)/, '');
}

/** The ids of a hex mask (optional 0x); throws on anything that is not hex. */
export function maskIds(text: string): number[] {
  const hex = text.replace(/^0x/i, '');
  if (!/^[0-9a-f]+$/i.test(hex)) throw new Error(`"${text}" is not a hexadecimal mask`);
  const ids: number[] = [];
  for (let i = 0; i < hex.length; i++) {
    const nibble = parseInt(hex[hex.length - 1 - i]!, 16);
    for (let b = 0; b < 4; b++) if (nibble & (1 << b)) ids.push(i * 4 + b);
  }
  return ids;
}

/** CPUs the step asks for: every online CPU of the machine (see the header), or the selection when unknown. */
function stepCpus(input: LauncherInput): number | null {
  const online = input.topology ? input.topology.cpus.filter((c) => c.online).length : 0;
  const n = Math.max(online, input.cpus.length);
  return n > 0 ? n : null;
}

function memBindOption(policy: MemPolicy, nodes: number[]): string | null {
  switch (policy) {
    case 'bind':
      return nodes.length > 0 ? `--mem-bind=mask_mem:0x${hexMask(nodes)}` : null;
    case 'preferred':
      return nodes.length > 0 ? `--mem-bind=prefer,map_mem:${nodes[0]}` : null;
    case 'local':
      return '--mem-bind=local';
    case 'interleave':
    case 'none':
      return null;
  }
}

function render(input: LauncherInput): string {
  const { settings: s, plan, cpus } = input;
  const words: string[] = ['srun', '-n1'];
  const c = stepCpus(input);
  if (c !== null) words.push(`-c${c}`, '--exclusive');
  words.push(cpus.length > 0 ? `--cpu-bind=mask_cpu:0x${hexMask(cpus)}` : '--cpu-bind=none');
  const mem = memBindOption(s.memPolicy, input.memNodes);
  if (mem !== null) words.push(mem);
  words.push('--export=ALL');
  if (s.cwd !== null) words.push(shellQuote(`--chdir=${s.cwd}`));
  const assignments = Object.entries(plan.env);
  const leadingDash = s.workload[0]?.startsWith('-') ?? false;
  if (assignments.length > 0 || plan.unset.length > 0) {
    words.push('env');
    for (const name of plan.unset) words.push('-u', shellQuote(name));
    // After `--` env reads no more options, so a workload word starting with "-" is the command.
    if (leadingDash) words.push('--');
    for (const [name, value] of assignments) words.push(`${name}=${shellQuote(value)}`);
  } else if (leadingDash) {
    words.push('--');
  }
  for (const w of s.workload) words.push(shellQuote(w));
  return words.join(' ');
}

function limits(input: LauncherInput): string[] {
  const { settings: s, cpus } = input;
  const out: string[] = [];
  const c = stepCpus(input);
  if (cpus.length > 0) {
    out.push(
      'Slurm honours an explicit mask only when the step holds every CPU of the node, so the line asks for the ' +
        `whole node (-c${c} --exclusive) and the mask narrows the task to the selection; on a node Slurm ` +
        'configures with fewer CPUs srun refuses it ("CPU binding outside of job step allocation"). ' +
        `SLURM_CPUS_PER_TASK is therefore ${c}; the thread count is in OMP_NUM_THREADS and AIO_NUM_THREADS.`,
    );
    out.push(
      'One mask for the task (mask_cpu), because map_cpu gives a task a single CPU and a multi-threaded ' +
        'process would lose the others. Slurm binds the set of CPUs, not their order (AIO_NUMA_CPUS keeps it).',
    );
    if (input.topology === null)
      out.push(
        `The machine's CPU count is unknown here, so -c asks for the ${cpus.length} selected CPU(s) only; ` +
          'Slurm binds the mask only if the step happens to hold those CPUs.',
      );
  } else {
    out.push('No CPUs are selected: --cpu-bind=none, the task may run on every CPU of the node.');
  }
  const nodes = input.memNodes;
  if (s.memPolicy === 'interleave')
    out.push(
      'srun --mem-bind has no interleave policy: the line sets no memory binding ' +
        '(run the workload under numactl --interleave to keep it).',
    );
  else if (s.memPolicy === 'local')
    out.push(
      "--mem-bind=local binds memory to the nodes of the task's CPUs (strict), where numactl --localalloc " +
        'only prefers the node a thread runs on.',
    );
  else if ((s.memPolicy === 'bind' || s.memPolicy === 'preferred') && nodes.length === 0)
    out.push(
      'No memory node is known for the policy (no CPUs, no topology): the line sets no memory binding.',
    );
  return out;
}

// srun's options that take a value (`srun --help` of Slurm 22.05; options whose value is optional, such as
// --nice[=N] or -K[0|1], take it only attached), so a skipped option never swallows the command.
const VALUE_LONG = new Set(
  (
    'account acctg-freq bb bbf bcast bcast-exclude begin chdir cluster-constraint clusters comment constraint ' +
    'container core-spec cores-per-socket cpu-bind cpu-freq cpus-per-gpu cpus-per-task deadline delay-boot ' +
    'dependency distribution epilog error exclude export extra-node-info gid gpu-bind gpu-freq gpus ' +
    'gpus-per-node gpus-per-socket gpus-per-task gres gres-flags het-group hint input job-name jobid licenses ' +
    'mail-type mail-user mcs-label mem mem-bind mem-per-cpu mem-per-gpu mincpus mpi network nodelist nodes ' +
    'ntasks ntasks-per-core ntasks-per-gpu ntasks-per-node ntasks-per-socket output partition power prefer ' +
    'priority profile prolog qos relative reservation signal slurmd-debug sockets-per-node switches ' +
    'task-epilog task-prolog thread-spec threads threads-per-core time time-min tmp tres-per-task uid wait ' +
    'wckey cpu_bind mem_bind'
  ).split(' '),
);
const VALUE_SHORT = new Set('ABCDGJLMNSTWbcdeimnopqrtwx'.split(''));

interface SrunOption {
  name: string;
  value: string | null;
  raw: string;
}

/** One srun option at words[i] (and its value word), or null at the command. */
function readOption(words: readonly string[], i: number): { opt: SrunOption; next: number } | null {
  const w = words[i]!;
  if (!w.startsWith('-') || w === '-' || w === '--') return null;
  if (w.startsWith('--')) {
    const eq = w.indexOf('=');
    const name = w.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) return { opt: { name, value: w.slice(eq + 1), raw: w }, next: i + 1 };
    if (VALUE_LONG.has(name) && i + 1 < words.length)
      return { opt: { name, value: words[i + 1]!, raw: `${w} ${words[i + 1]}` }, next: i + 2 };
    return { opt: { name, value: null, raw: w }, next: i + 1 };
  }
  const letter = w[1]!;
  if (!VALUE_SHORT.has(letter)) return { opt: { name: letter, value: null, raw: w }, next: i + 1 };
  if (w.length > 2) return { opt: { name: letter, value: w.slice(2), raw: w }, next: i + 1 };
  if (i + 1 < words.length)
    return { opt: { name: letter, value: words[i + 1]!, raw: `${w} ${words[i + 1]}` }, next: i + 2 };
  return { opt: { name: letter, value: null, raw: w }, next: i + 1 };
}

const CANONICAL: Record<string, string> = {
  n: 'ntasks',
  N: 'nodes',
  c: 'cpus-per-task',
  D: 'chdir',
  cpu_bind: 'cpu-bind',
  mem_bind: 'mem-bind',
};

/** The first task's entry of a map/mask list, without its `*count` repetition. */
function firstEntry(list: string, notes: string[], what: string): string {
  const entries = list.split(',');
  if (entries.length > 1)
    notes.push(
      `${what} lists ${entries.length} entries; one task runs, so only the first (${entries[0]}) is used`,
    );
  return entries[0]!.replace(/\*\d+$/, '');
}

/** Splits a --cpu-bind/--mem-bind value into its keywords and the map/mask list (commas inside the list stay). */
function bindParts(value: string): { flags: string[]; type: string | null; list: string | null } {
  const m = /(?:^|,)((?:map|mask)_[a-z]+):(.*)$/.exec(value);
  const head = m ? value.slice(0, m.index) : value;
  const flags = head.split(',').filter((x) => x !== '');
  return m ? { flags, type: m[1]!, list: m[2]! } : { flags, type: null, list: null };
}

function parseCpuBind(value: string, notes: string[]): number[] | null {
  const { flags, type, list } = bindParts(value);
  if (type === 'mask_cpu' && list !== null) {
    const ids = maskIds(firstEntry(list, notes, '--cpu-bind mask_cpu'));
    return ids;
  }
  if (type === 'map_cpu' && list !== null) {
    const entry = firstEntry(list, notes, '--cpu-bind map_cpu');
    const id = /^0x/i.test(entry) ? parseInt(entry.slice(2), 16) : /^\d+$/.test(entry) ? Number(entry) : NaN;
    if (!Number.isInteger(id)) throw new Error(`map_cpu entry "${entry}" is not a CPU id`);
    return [id];
  }
  const kinds = flags.filter((f) => !/^(q|quiet|v|verbose)$/.test(f));
  if (type !== null || kinds.some((k) => !/^(no|none)$/.test(k)))
    notes.push(
      `--cpu-bind=${value} lets Slurm choose the CPUs (or binds to NUMA domains); no CPU list is carried over`,
    );
  return null;
}

function parseMemBind(value: string, notes: string[]): { policy: MemPolicy; nodes: number[] | null } {
  const { flags, type, list } = bindParts(value);
  const prefer = flags.some((f) => f === 'p' || f === 'prefer');
  if (type !== null && list !== null) {
    const entry = firstEntry(list, notes, `--mem-bind ${type}`);
    let nodes: number[];
    if (type === 'mask_mem') nodes = maskIds(entry);
    else if (type === 'map_mem') {
      const id = /^0x/i.test(entry)
        ? parseInt(entry.slice(2), 16)
        : /^\d+$/.test(entry)
          ? Number(entry)
          : NaN;
      if (!Number.isInteger(id)) throw new Error(`map_mem entry "${entry}" is not a NUMA node id`);
      nodes = [id];
    } else {
      notes.push(`--mem-bind=${value} is not modelled; no memory policy is carried over`);
      return { policy: 'none', nodes: null };
    }
    if (prefer) return { policy: 'preferred', nodes: nodes.slice(0, 1) };
    return { policy: 'bind', nodes };
  }
  if (flags.includes('local')) return { policy: 'local', nodes: null };
  if (flags.includes('rank'))
    notes.push('--mem-bind=rank binds by task rank; no memory policy is carried over');
  return { policy: 'none', nodes: null };
}

/** `env [-u NAME]… [--] [NAME=VALUE]…` inside the step; null when env uses an option not modelled. */
function readEnv(words: readonly string[], i: number, env: Map<string, string | null>): number | null {
  const pending: Array<[string, string | null]> = [];
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    let m: RegExpExecArray | null;
    if ((w === '-u' || w === '--unset') && i + 1 < words.length) pending.push([words[++i]!, null]);
    else if ((m = /^(?:-u|--unset=)(.+)$/.exec(w))) pending.push([m[1]!, null]);
    else return null;
  }
  for (; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    if (eq <= 0 || !ENV_NAME.test(w.slice(0, eq))) break;
    pending.push([w.slice(0, eq), w.slice(eq + 1)]);
  }
  for (const [name, value] of pending) {
    env.delete(name);
    env.set(name, value);
  }
  return i;
}

function parse(words: string[]): LauncherParse | null {
  const notes: string[] = [];
  const env = new Map<string, string | null>();
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    if (eq <= 0 || !ENV_NAME.test(w.slice(0, eq))) break;
    env.set(w.slice(0, eq), w.slice(eq + 1));
  }
  if (words[i] === 'exec') i++;
  const head = words[i];
  if (head === undefined || head.slice(head.lastIndexOf('/') + 1) !== 'srun') return null;
  i++;

  let cpus: number[] | null = null;
  let mem: { policy: MemPolicy; nodes: number[] | null } = { policy: 'none', nodes: null };
  let cwd: string | null = null;
  const exported: Array<[string, string]> = [];
  for (;;) {
    if (words[i] === '--') {
      i++;
      break;
    }
    const r = i < words.length ? readOption(words, i) : null;
    if (r === null) break;
    i = r.next;
    const { value, raw } = r.opt;
    const name = CANONICAL[r.opt.name] ?? r.opt.name;
    try {
      if (name === 'cpu-bind' && value !== null) cpus = parseCpuBind(value, notes);
      else if (name === 'mem-bind' && value !== null) mem = parseMemBind(value, notes);
      else if (name === 'chdir' && value !== null) cwd = value;
      else if (name === 'ntasks' && value !== null) {
        if (value !== '1')
          notes.push(`srun starts ${value} tasks; AIO Tuner runs one process, bound like the first task`);
      } else if (name === 'nodes' && value !== null) {
        if (value !== '1') notes.push(`srun ${raw}: one process runs, on one node`);
      } else if (name === 'export' && value !== null) {
        for (const item of value.split(',')) {
          const eq = item.indexOf('=');
          if (item === 'NONE')
            notes.push(
              "--export=NONE (a step without the caller's environment) is not modelled; the run inherits it",
            );
          else if (eq > 0 && ENV_NAME.test(item.slice(0, eq)))
            exported.push([item.slice(0, eq), item.slice(eq + 1)]);
        }
      } else if (name !== 'cpus-per-task' && name !== 'exclusive')
        notes.push(`srun option ${raw} is Slurm's own and is not carried over`);
    } catch (e) {
      notes.push(`srun ${raw} was not understood (${(e as Error).message}); not carried over`);
    }
  }
  if (exported.length > 0) {
    for (const [k, v] of exported) if (!env.has(k)) env.set(k, v);
    notes.push(
      `--export values (${exported.map(([k]) => k).join(', ')}) taken as the environment; with ALL, srun lets ` +
        "a value already in the caller's environment win over them",
    );
  }
  if (words[i] !== undefined && words[i]!.slice(words[i]!.lastIndexOf('/') + 1) === 'env') {
    const next = readEnv(words, i + 1, env);
    if (next === null)
      notes.push('env inside the step uses an option not modelled; it is kept as part of the workload');
    else i = next;
  }
  const workload = words.slice(i);
  if (workload.length === 0) notes.push('no command to run was found after srun');

  const settings: Partial<RunSettings> = {
    cpus: cpus ?? [],
    memPolicy: mem.policy,
    memNodes: mem.nodes,
    workload,
    cwd,
    threads: null,
  };
  const order = env.get('AIO_NUMA_CPUS');
  if (settings.cpus!.length > 0 && typeof order === 'string') {
    // The mask only fixes the set; AIO_NUMA_CPUS holds the order the tool binds them in.
    const ids = order.trim().split(/\s+/).map(Number);
    const set = new Set(settings.cpus);
    if (ids.length === set.size && ids.every((x) => set.has(x))) {
      settings.cpus = ids;
      env.delete('AIO_NUMA_CPUS');
    }
  }
  const aio = env.get('AIO_NUM_THREADS');
  const omp = env.get('OMP_NUM_THREADS');
  const given = aio === undefined ? omp : omp === undefined ? aio : aio === omp ? aio : null;
  if (typeof given === 'string' && /^[1-9]\d*$/.test(given)) {
    const n = Number(given);
    settings.threads = n === new Set(settings.cpus).size ? null : n;
    env.delete('AIO_NUM_THREADS');
    env.delete('OMP_NUM_THREADS');
  }
  const debug = env.get('AIO_DEBUG_MODE');
  if (typeof debug === 'string' && /^[0-4]$/.test(debug)) {
    settings.debugMode = Number(debug);
    env.delete('AIO_DEBUG_MODE');
  }
  let envOut: Record<string, string | null> = Object.fromEntries(env);
  // AIO_MEM_BIND=0 beside a memory binding is what render writes itself; kept only when it would not.
  if (envOut.AIO_MEM_BIND === '0') {
    const { AIO_MEM_BIND: _derived, ...rest } = envOut;
    const probe = { ...(settings as RunSettings), env: rest };
    if (engineMemBindConflicts(probe, null)) envOut = rest;
  }
  settings.env = envOut;
  return { settings, notes };
}

export const slurmLauncher: Launcher = {
  format: 'slurm',
  label: 'Slurm srun',
  render,
  limits,
  parse,
};
