/**
 * PyTorch's own launcher, `python -m torch.backends.xeon.run_cpu`: one instance on the selected cores. It binds
 * each instance with `numactl -C <cores> -m <their nodes>` itself and exports OMP_NUM_THREADS unless it is
 * already set. Its flags are spelled as the interpreter's torch spells them: 1.x only knows `--core_list
 * --ncores_per_instance --node_id --no_python`; PyTorch PR #94505 (February 2023, "[BE] Prefer dash over
 * underscore in command-line options") made `--core-list …` the names and kept the underscore ones as aliases.
 * The spelling comes from the interpreter's `--help` when the engine could ask it (runcpu-probe.ts); without an
 * answer the underscore spelling is written, which every release accepts.
 */
import type { Topology } from '../../shared/topology';
import { nodesOfCpus } from '../../shared/presets';
import { shellForm } from '../textforms';
import type { Launcher, LauncherInput, LauncherParse } from './types';
import { basename, leadingAssignments, orderedList } from './words';

export type RunCpuSpelling = 'underscore' | 'hyphen';
export const RUN_CPU_MODULE = 'torch.backends.xeon.run_cpu';
/** Written when the interpreter's own --help is not known: accepted by every release (see above). */
export const DEFAULT_RUN_CPU_SPELLING: RunCpuSpelling = 'underscore';

type Flag = 'ninstances' | 'ncores_per_instance' | 'core_list' | 'node_id' | 'no_python' | 'disable_numactl';

export function runCpuFlag(flag: Flag, spelling: RunCpuSpelling): string {
  return `--${spelling === 'hyphen' ? flag.replace(/_/g, '-') : flag}`;
}

function isPython(word: string | undefined): boolean {
  return word !== undefined && /^python[\d.]*$/.test(basename(word));
}

/** The node all the CPUs are on, or null (several nodes, or no topology). */
function singleNode(t: Topology | null, cpus: readonly number[]): number | null {
  if (!t || cpus.length === 0) return null;
  const nodes = nodesOfCpus(t, cpus);
  return nodes.length === 1 ? nodes[0]! : null;
}

function argv(input: LauncherInput): string[] {
  const spelling = input.runCpuSpelling ?? DEFAULT_RUN_CPU_SPELLING;
  const f = (flag: Flag) => runCpuFlag(flag, spelling);
  const { workload } = input.settings;
  const python = isPython(workload[0]) ? workload[0]! : 'python3';
  const out = [python, '-m', RUN_CPU_MODULE];
  if (input.cpus.length > 0) {
    const sorted = [...input.cpus].sort((a, b) => a - b);
    out.push(f('ninstances'), '1', f('ncores_per_instance'), String(sorted.length));
    out.push(f('core_list'), sorted.join(','));
    const node = singleNode(input.topology, input.cpus);
    if (node !== null) out.push(f('node_id'), String(node));
  }
  // run_cpu starts `sys.executable -u SCRIPT` for a .py script; anything else needs its no-python switch.
  const script = isPython(workload[0]) && /\.py$/.test(workload[1] ?? '') && !workload[1]!.startsWith('-');
  if (script) return [...out, ...workload.slice(1)];
  return [...out, f('no_python'), ...workload];
}

export const runCpuLauncher: Launcher = {
  format: 'run_cpu',
  label: 'run_cpu',
  render: (input) => shellForm(input.plan, argv(input), input.settings.cwd),
  limits(input) {
    const out = [
      'run_cpu binds with numactl itself (numactl and lscpu must be installed): -C the core list, -m the nodes of those cores; it may also preload tcmalloc/jemalloc and Intel OpenMP through LD_PRELOAD when it finds them (add --use_default_allocator / --disable_iomp to prevent that).',
      'A .py script is started as `python -u SCRIPT` (unbuffered); other workloads go through --no_python.',
    ];
    if (input.cpus.length === 0)
      out.push('No CPUs are selected: run_cpu then takes every physical core of every node.');
    const p = input.settings.memPolicy;
    if (p === 'preferred' || p === 'interleave' || p === 'local' || p === 'none')
      out.push(
        `run_cpu always binds memory to the cores' nodes (-m): the "${p}" policy of the settings is not expressed.`,
      );
    else if (input.settings.memNodes !== null)
      out.push(
        `run_cpu binds memory to the cores' own nodes: the explicit nodes ${input.memNodes.join(',')} are not expressed.`,
      );
    const ascending = input.cpus.every((id, i) => i === 0 || id > input.cpus[i - 1]!);
    if (!ascending) out.push('run_cpu sorts the core list: the CPU order is kept only in AIO_NUMA_CPUS.');
    if (singleNode(input.topology, input.cpus) !== null)
      out.push(
        'The node id is written for the reader: beside a core list run_cpu takes its cores from the list.',
      );
    out.push(
      `Flags spelled for ${input.runCpuSpelling === undefined ? "any PyTorch release (the interpreter's run_cpu --help was not read)" : `this interpreter's torch (its --help, ${input.runCpuSpelling} spelling)`}.`,
    );
    return out;
  },
  parse(words): LauncherParse | null {
    const { env, next } = leadingAssignments(words);
    const python = words[next];
    if (!isPython(python) || words[next + 1] !== '-m' || words[next + 2] !== RUN_CPU_MODULE) return null;
    const notes: string[] = [];
    const values = new Map<string, string>();
    const flags = new Set<string>();
    let i = next + 3;
    for (; i < words.length; i++) {
      const w = words[i]!;
      if (w === '--') {
        i++;
        break;
      }
      if (!w.startsWith('-')) break;
      const eq = w.indexOf('=');
      const name = (eq >= 0 ? w.slice(2, eq) : w.slice(2)).replace(/-/g, '_');
      const takesValue = [
        'ninstances',
        'ncores_per_instance',
        'core_list',
        'node_id',
        'rank',
        'log_path',
        'log_file_prefix',
      ];
      if (takesValue.includes(name)) {
        const v = eq >= 0 ? w.slice(eq + 1) : words[++i];
        if (v === undefined) return null;
        values.set(name, v);
      } else if (w === '-m' || w === '--module') flags.add('module');
      else {
        flags.add(name);
        if (!['no_python', 'disable_numactl', 'use_default_allocator', 'disable_iomp'].includes(name))
          notes.push(`run_cpu option ${w} is not modelled and is dropped`);
      }
    }
    if (i >= words.length) return null;
    const settings: LauncherParse['settings'] = { env, memPolicy: 'bind', memNodes: null };
    const list = values.get('core_list');
    if (list !== undefined) {
      const cpus = orderedList(list);
      if (cpus === null) return null;
      settings.cpus = cpus;
    } else if (values.has('node_id'))
      notes.push(
        `run_cpu --node_id ${values.get('node_id')} without a core list: the node's cores are not known from the line, so no CPUs are bound`,
      );
    const instances = Number(values.get('ninstances') ?? '1');
    if (instances > 1)
      notes.push(`run_cpu starts ${instances} instances; the import is one run on all the listed cores`);
    if (flags.has('disable_numactl')) {
      notes.push('run_cpu --disable_numactl binds nothing: the import has no binding');
      settings.cpus = [];
      settings.memPolicy = 'none';
    }
    const rest = words.slice(i);
    if (flags.has('module')) settings.workload = [python!, '-m', ...rest];
    else settings.workload = flags.has('no_python') ? rest : [python!, ...rest];
    return { settings, notes };
  },
};
