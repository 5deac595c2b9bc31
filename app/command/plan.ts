/**
 * The run plan derived from RunSettings: thread count, environment, numactl options and the argv. Shared by
 * the builder (text forms) and the checks, so both reason about exactly what will run.
 */
import { formatCpuList } from '../shared/cpulist';
import type { Topology } from '../shared/topology';
import { defaultMemoryNodes } from './memnodes';
import { orderedCpuList } from '../shared/presets';
import { isValidEnvName } from '../shared/quote';
import type { Engine, RunSettings } from '../shared/command';

/** Variables derived from the selection come first, in this order; everything else follows sorted by name. */
export const DERIVED_ORDER = [
  'AIO_NUM_THREADS',
  'OMP_NUM_THREADS',
  'AIO_NUMA_CPUS',
  'AIO_DEBUG_MODE',
] as const;

/** The same for engine onednn: its thread count and the OpenMP binding derived from the selection. */
export const ONEDNN_DERIVED_ORDER = ['OMP_NUM_THREADS', 'OMP_PLACES', 'OMP_PROC_BIND'] as const;

/** The engine the settings are for; settings saved before engines existed have none and mean aio. */
export function engineOf(s: Pick<RunSettings, 'engine'>): Engine {
  return s.engine ?? 'aio';
}

/** OpenMP places naming each CPU in order, so with OMP_PROC_BIND=close thread i runs on the i-th CPU. */
export function ompPlaces(cpus: readonly number[]): string {
  return cpus.map((id) => `{${id}}`).join(',');
}

export interface EnvPlan {
  /** Variables to set, in display order. */
  env: Record<string, string>;
  /** Variables to remove from the inherited environment, sorted. */
  unset: string[];
}

/**
 * The CPUs the run binds to, in order, each once. A repeated CPU (typed, imported or picked twice) is dropped
 * here so the numactl list, AIO_NUMA_CPUS and the thread count all agree; the cpus-duplicate check reports it.
 */
export function boundCpus(s: Pick<RunSettings, 'cpus'>): number[] {
  return [...new Set(s.cpus)];
}

/** Thread count the run uses: the pinned value, else one per selected CPU, else null (left to the engine). */
export function threadCount(s: RunSettings): number | null {
  if (s.threads !== null) return s.threads;
  const n = boundCpus(s).length;
  return n > 0 ? n : null;
}

/**
 * The environment the tool sets for a run. Explicit `s.env` entries win over derived values, so a user can still
 * force any variable; the checks then point out contradictions. Names that are not valid shell names are left
 * out (the checks report them) because no text form could express them.
 */
export function envFor(s: RunSettings, t?: Topology | null): EnvPlan {
  const values = new Map<string, string>();
  const threads = threadCount(s);
  const onednn = engineOf(s) === 'onednn';
  if (onednn) {
    // No AIO_* here: stock PyTorch reads none of them, and OpenMP itself does the pinning AIO_NUMA_CPUS does.
    if (threads !== null) values.set('OMP_NUM_THREADS', String(threads));
    const cpus = boundCpus(s);
    if (cpus.length > 0) {
      values.set('OMP_PLACES', ompPlaces(cpus));
      values.set('OMP_PROC_BIND', 'close');
    }
  } else if (threads !== null) {
    values.set('AIO_NUM_THREADS', String(threads));
    values.set('OMP_NUM_THREADS', String(threads));
  }
  if (!onednn) {
    const cpus = boundCpus(s);
    if (cpus.length > 0) values.set('AIO_NUMA_CPUS', cpus.join(' '));
    // The engine's own binding always means node 0; any other numactl policy must not be fought by it.
    if (engineMemBindConflicts(s, t ?? null)) values.set('AIO_MEM_BIND', '0');
    if (s.debugMode !== null) values.set('AIO_DEBUG_MODE', String(s.debugMode));
  }
  const unset = new Set<string>();
  for (const [name, value] of Object.entries(s.env)) {
    if (!isValidEnvName(name)) continue;
    if (value === null) {
      values.delete(name);
      unset.add(name);
    } else {
      values.set(name, value);
      unset.delete(name);
    }
  }
  const order: readonly string[] = onednn ? ONEDNN_DERIVED_ORDER : DERIVED_ORDER;
  const env: Record<string, string> = {};
  for (const name of order) {
    const v = values.get(name);
    if (v !== undefined) env[name] = v;
  }
  for (const name of [...values.keys()].filter((n) => !order.includes(n)).sort())
    env[name] = values.get(name)!;
  return { env, unset: [...unset].sort() };
}

/**
 * Memory nodes the policy applies to: the explicit list (never changed), else the nodes of the selected CPUs
 * with each memory-less or disallowed node replaced by its nearest node(s) that can hold memory (needs t).
 */
export function memoryNodes(s: RunSettings, t: Topology | null): number[] {
  if (s.memNodes !== null) return [...new Set(s.memNodes)].sort((a, b) => a - b);
  if (t && s.cpus.length > 0) return defaultMemoryNodes(t, s.cpus);
  return [];
}

/** The nodes numactl's memory option names (preferred takes one), or [] when numactl sets no memory policy. */
export function policyNodes(s: RunSettings, t: Topology | null): number[] {
  if (s.memPolicy !== 'bind' && s.memPolicy !== 'preferred' && s.memPolicy !== 'interleave') return [];
  const nodes = memoryNodes(s, t);
  return s.memPolicy === 'preferred' ? nodes.slice(0, 1) : nodes;
}

/**
 * AIO_MEM_BIND=1 (the engine's default) puts the engine's memory on node 0. That only agrees with numactl when
 * numactl binds to exactly node 0; with any other policy the engine must leave placement to numactl. An
 * explicit AIO_MEM_BIND (value or unset) is the user's and is left alone.
 */
export function engineMemBindConflicts(s: RunSettings, t: Topology | null): boolean {
  if (engineOf(s) !== 'aio' || 'AIO_MEM_BIND' in s.env) return false;
  const nodes = policyNodes(s, t);
  if (nodes.length === 0) return false;
  return !(s.memPolicy === 'bind' && nodes.length === 1 && nodes[0] === 0);
}

/**
 * numactl options for the settings (without the `numactl` word). Empty when nothing is to be bound — then
 * numactl is left out entirely. A policy that needs nodes but has none known (no CPUs, no topology, no explicit
 * nodes) contributes nothing; the checks say so.
 */
export function numactlArgs(s: RunSettings, t: Topology | null): string[] {
  const args: string[] = [];
  const cpus = boundCpus(s);
  if (cpus.length > 0) args.push(`--physcpubind=${orderedCpuList(cpus)}`);
  const nodes = memoryNodes(s, t);
  switch (s.memPolicy) {
    case 'bind':
      if (nodes.length > 0) args.push(`--membind=${formatCpuList(nodes)}`);
      break;
    case 'preferred':
      // numactl --preferred takes exactly one node; a check flags the extra ones.
      if (nodes.length > 0) args.push(`--preferred=${nodes[0]}`);
      break;
    case 'interleave':
      if (nodes.length > 0) args.push(`--interleave=${formatCpuList(nodes)}`);
      break;
    case 'local':
      args.push('--localalloc');
      break;
    case 'none':
      break;
  }
  return args;
}

/** What gets executed: numactl (when there is anything to bind) followed by the workload. */
export function argvFor(s: RunSettings, t: Topology | null): string[] {
  const args = numactlArgs(s, t);
  if (args.length === 0) return [...s.workload];
  // Without `--`, numactl would read a workload starting with "-" as one of its own options.
  const sep = s.workload[0]?.startsWith('-') ? ['--'] : [];
  return ['numactl', ...args, ...sep, ...s.workload];
}

/** What runs, as the builder and the checks both see it: computed once, so they cannot disagree. */
export interface RunPlan extends EnvPlan {
  argv: string[];
}

export function planFor(s: RunSettings, t: Topology | null): RunPlan {
  return { ...envFor(s, t), argv: argvFor(s, t) };
}

/**
 * The canonical form of settings: two settings that build the same command normalise to the same value (threads
 * equal to the CPU count become null, memory nodes equal to the CPUs' nodes become null, a policy without nodes
 * becomes 'none', preferred keeps only the node numactl uses). Useful to compare settings, e.g. unsaved changes.
 */
export function normalizeSettings(s: RunSettings, t: Topology | null): RunSettings {
  const out: RunSettings = { ...s, cpus: boundCpus(s), env: { ...s.env }, workload: [...s.workload] };
  // Absent and 'aio' are the same engine.
  if (out.engine === 'aio') delete out.engine;
  if (out.threads !== null && out.threads === out.cpus.length) out.threads = null;
  const nodes = memoryNodes(s, t);
  const needsNodes = s.memPolicy === 'bind' || s.memPolicy === 'preferred' || s.memPolicy === 'interleave';
  if (needsNodes && nodes.length === 0) out.memPolicy = 'none';
  if (out.memPolicy === 'none' || out.memPolicy === 'local') {
    out.memNodes = null;
  } else {
    const used = out.memPolicy === 'preferred' ? nodes.slice(0, 1) : nodes;
    const derived = t && s.cpus.length > 0 ? defaultMemoryNodes(t, s.cpus) : null;
    out.memNodes =
      derived !== null && derived.length === used.length && derived.every((k, i) => k === used[i])
        ? null
        : used;
  }
  return out;
}
