/**
 * Findings about RunSettings before a run: each has a stable code (public contract for the UI, CLI and tests),
 * a severity, a plain explanation and, where one exists, a fix expressed as a settings patch.
 */
import type { Topology } from '../shared/topology';
import { defaultMemoryNodes, nearestMemoryNodes, nodeCanHoldMemory } from './memnodes';
import {
  boundCpus,
  engineOf,
  ompPlaces,
  memoryNodes,
  planFor,
  policyNodes,
  threadCount,
  type RunPlan,
} from './plan';
import { checkEngine } from './engines/checks';
import {
  coreKey,
  cpuInfo,
  nodesOfCpus,
  REASON_ISOLATED,
  usable,
  usablePhysicalCoreCount,
} from '../shared/presets';
import { isValidEnvName, printable } from '../shared/quote';
import type { Check, CheckFix, RunSettings, Severity } from '../shared/command';
import { replacementFor, valueProblem } from '../shared/variables';

export interface CheckOptions {
  /** Whether numactl exists where the run happens; undefined = unknown, so no numactl-missing finding. */
  numactlAvailable?: boolean;
  /** The plan the builder made for these settings; made here when only the findings are wanted. */
  plan?: RunPlan;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
const THREAD_VARS = ['AIO_NUM_THREADS', 'OMP_NUM_THREADS'];

/** Every finding for the settings, errors first, then warnings, then info (stable within a severity). */
export function runChecks(s: RunSettings, t: Topology | null, opts: CheckOptions = {}): Check[] {
  const out: Check[] = [];
  const add = (code: string, severity: Severity, message: string, fix?: CheckFix) =>
    out.push(fix ? { code, severity, message, fix } : { code, severity, message });

  const plan = opts.plan ?? planFor(s, t);
  checkInput(s, add);
  checkThreads(s, t, plan, add);
  checkNumaCpus(s, add);
  if (t) checkSelection(s, t, plan, add);
  checkMemory(s, t, add);
  checkVariables(s, t, plan, add);
  checkNumactl(s, t, plan, opts, add);
  checkEngine(s, t, plan, add);

  return out
    .map((c, i) => ({ c, i }))
    .sort((a, b) => RANK[a.c.severity] - RANK[b.c.severity] || a.i - b.i)
    .map((x) => x.c);
}

type Add = (code: string, severity: Severity, message: string, fix?: CheckFix) => void;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function list(ids: readonly number[]): string {
  return ids.join(', ');
}

function positiveInt(v: string | undefined): number | null {
  return v !== undefined && /^\d+$/.test(v) && Number(v) >= 1 ? Number(v) : null;
}

function checkInput(s: RunSettings, add: Add): void {
  for (const name of Object.keys(s.env)) {
    if (!isValidEnvName(name)) {
      add(
        'invalid-env-name',
        'error',
        `"${printable(name)}" is not a valid variable name (letters, digits and _, not starting with a digit); it is left out.`,
        { label: `Remove "${printable(name)}"`, patch: {}, removeEnv: [name] },
      );
    }
  }
  const withNul =
    s.workload.some((a) => a.includes('\0')) ||
    (s.cwd?.includes('\0') ?? false) ||
    Object.values(s.env).some((v) => v?.includes('\0'));
  if (withNul) {
    add(
      'invalid-character',
      'error',
      'A value contains a NUL character, which no command line or environment can carry.',
    );
  }
  if (s.workload.length === 0) add('no-workload', 'error', 'There is no command to run.');
}

function checkThreads(s: RunSettings, t: Topology | null, plan: RunPlan, add: Add): void {
  const { env } = plan;
  const aio = env.AIO_NUM_THREADS;
  const omp = env.OMP_NUM_THREADS;
  const dropOverrides = THREAD_VARS.filter((n) => n in s.env);

  // Stock PyTorch (engine onednn) runs without a thread count: it takes one thread per core.
  if (aio === undefined && omp === undefined && engineOf(s) === 'onednn') return;
  if (aio === undefined && omp === undefined) {
    const n = t ? usablePhysicalCoreCount(t) : 0;
    add(
      'no-threads',
      'error',
      'Neither AIO_NUM_THREADS nor OMP_NUM_THREADS is set; the Ampere benchmark scripts refuse to run like this. ' +
        'Select CPUs or set a thread count.',
      n > 0
        ? { label: `Use ${plural(n, 'thread')}`, patch: { threads: n }, removeEnv: dropOverrides }
        : undefined,
    );
    return;
  }

  if (aio !== undefined && omp !== undefined && aio !== omp) {
    const n = positiveInt(aio) ?? positiveInt(omp);
    add(
      'threads-mismatch',
      'error',
      `AIO_NUM_THREADS (${aio}) and OMP_NUM_THREADS (${omp}) differ; the Ampere benchmark scripts refuse to run ` +
        'unless they are equal.',
      n !== null ? { label: `Set both to ${n}`, patch: { threads: n }, removeEnv: dropOverrides } : undefined,
    );
  }

  const n = positiveInt(aio ?? omp);
  if (n === null) return;
  const cpus = boundCpus(s);
  const physical = t ? usablePhysicalCoreCount(t) : null;
  if (physical !== null && physical > 0 && n > physical) {
    const target = cpus.length > 0 ? Math.min(physical, cpus.length) : physical;
    add(
      'threads-exceed-cores',
      'error',
      `${plural(n, 'thread')} but this machine has only ${plural(physical, 'usable physical core')}; threads ` +
        'would share cores and slow each other down.',
      { label: `Use ${plural(target, 'thread')}`, patch: { threads: target }, removeEnv: dropOverrides },
    );
  } else if (cpus.length > 0 && n > cpus.length) {
    add(
      'threads-exceed-cores',
      'warning',
      `${plural(n, 'thread')} on ${plural(cpus.length, 'selected CPU')}: several threads would share one CPU.`,
      {
        label: `Use ${plural(cpus.length, 'thread')} (one per selected CPU)`,
        patch: { threads: null },
        removeEnv: dropOverrides,
      },
    );
  }
}

function checkNumaCpus(s: RunSettings, add: Add): void {
  if (!('AIO_NUMA_CPUS' in s.env) || s.cpus.length === 0) return;
  const fix: CheckFix = {
    label: 'Let the tool set AIO_NUMA_CPUS from the selection',
    patch: {},
    removeEnv: ['AIO_NUMA_CPUS'],
  };
  const value = s.env.AIO_NUMA_CPUS;
  if (value === null || value === undefined) {
    add(
      'numa-cpus-mismatch',
      'warning',
      'AIO_NUMA_CPUS is removed, so the engine pins its threads to the first physical cores of the machine, ' +
        'which need not be the CPUs numactl runs the process on.',
      fix,
    );
    return;
  }
  const ids = value.trim() === '' ? [] : value.trim().split(/\s+/).map(Number);
  if (ids.some((x) => !Number.isInteger(x))) return; // invalid-value reports malformed lists
  const bound = boundCpus(s);
  if (ids.length === bound.length && ids.every((x, i) => x === bound[i])) return;
  const selected = new Set(s.cpus);
  const outside = ids.filter((x) => !selected.has(x));
  if (outside.length > 0) {
    add(
      'numa-cpus-mismatch',
      'error',
      `AIO_NUMA_CPUS names CPU ${list(outside)}, which numactl does not bind the process to; the engine would pin ` +
        'threads to CPUs the process may not use.',
      fix,
    );
  } else {
    add(
      'numa-cpus-mismatch',
      'warning',
      'AIO_NUMA_CPUS lists CPUs differently from the numactl binding (order or count), so threads are pinned in ' +
        'an order other than the selection.',
      fix,
    );
  }
}

function checkSelection(s: RunSettings, t: Topology, plan: RunPlan, add: Add): void {
  const counts = new Map<number, number>();
  for (const id of s.cpus) counts.set(id, (counts.get(id) ?? 0) + 1);
  const dups = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  if (dups.length > 0) {
    add('cpus-duplicate', 'warning', `CPU ${list(dups)} is selected more than once.`, {
      label: 'Remove the repeats',
      patch: { cpus: [...new Set(s.cpus)] },
    });
  }

  const unavailable: string[] = [];
  const unavailableIds: number[] = [];
  const isolated: number[] = [];
  for (const id of new Set(s.cpus)) {
    const u = usable(t, id);
    if (u.usable) continue;
    const hard = u.reasons.filter((r) => r !== REASON_ISOLATED);
    if (hard.length > 0) {
      unavailable.push(`CPU ${id} is ${hard.join(' and ')}`);
      unavailableIds.push(id);
    } else isolated.push(id);
  }
  if (unavailableIds.length > 0) {
    const bad = new Set(unavailableIds);
    add('cpus-unavailable', 'error', `Cannot bind to every selected CPU: ${unavailable.join('; ')}.`, {
      label: `Remove CPU ${list(unavailableIds)}`,
      patch: { cpus: s.cpus.filter((id) => !bad.has(id)) },
    });
  }
  if (isolated.length > 0) {
    const bad = new Set(isolated);
    // Isolated CPUs can be bound, but the scheduler never balances threads onto them: only threads pinned one
    // per CPU (the engine's own) spread out, everything else piles onto the first one.
    add(
      'cpus-isolated',
      'warning',
      `CPU ${list(isolated)} ${isolated.length === 1 ? 'is' : 'are'} isolated (isolcpus): the kernel does not ` +
        "spread threads over isolated CPUs, so PyTorch's own threads may all run on one of them.",
      { label: `Remove CPU ${list(isolated)}`, patch: { cpus: s.cpus.filter((id) => !bad.has(id)) } },
    );
  }

  const byCore = new Map<string, number[]>();
  for (const id of new Set(s.cpus)) {
    const info = cpuInfo(t, id);
    if (!info) continue;
    const key = coreKey(info);
    byCore.set(key, [...(byCore.get(key) ?? []), id]);
  }
  const shared = [...byCore.values()].filter((ids) => ids.length > 1);
  if (shared.length > 0) {
    const keep = new Set(shared.map((ids) => ids[0]!));
    const extra = new Set(shared.flatMap((ids) => ids).filter((id) => !keep.has(id)));
    add(
      'smt-siblings-selected',
      'warning',
      `Some selected CPUs are threads of the same physical core (${shared.map((g) => g.join('+')).join(', ')}); ` +
        'the engine runs best with one thread per core.',
      {
        label: `Drop the sibling CPU ${list([...extra])}`,
        patch: { cpus: [...new Set(s.cpus)].filter((id) => !extra.has(id)) },
      },
    );
  }

  // A summary import (plain `lscpu` of an SMT machine) gives threads per core but not which CPUs pair up, so
  // neither the presets nor smt-siblings-selected can tell siblings apart: say so rather than stay silent.
  const coreless = [...new Set(s.cpus)].filter((id) => {
    const info = cpuInfo(t, id);
    return info !== undefined && info.online && info.core === null && !info.siblings?.length;
  });
  if (coreless.length > 1) {
    add(
      'cores-unknown',
      'warning',
      `The machine description does not say which CPUs share a physical core, so CPU ${list(coreless)} may ` +
        'include SMT siblings of one core (threads that share its execution units). Load the topology from ' +
        'the machine itself, or import `lscpu -e` / `lscpu -p` output, to pick one thread per core.',
    );
  }

  const nodes = nodesOfCpus(t, s.cpus);
  if (nodes.length > 1) {
    const perNode = nodes.map((k) => ({ k, ids: boundCpus(s).filter((id) => cpuInfo(t, id)?.node === k) }));
    // A node without memory would only trade the interconnect for another one (and cannot take a binding).
    const withMemory = perNode.filter((p) => nodeCanHoldMemory(t, p.k));
    const best = (withMemory.length > 0 ? withMemory : perNode).reduce((a, b) =>
      b.ids.length > a.ids.length ? b : a,
    );
    add(
      'cross-node-cores',
      'warning',
      `The selection spans NUMA nodes ${list(nodes)}: threads on different nodes reach each other's memory ` +
        'through the slower interconnect. For throughput, prefer one process per node.',
      {
        label: `Keep only the ${plural(best.ids.length, 'CPU')} on node ${best.k}`,
        patch: { cpus: best.ids },
      },
    );
  }

  const { env } = plan;
  const memBind = env.AIO_MEM_BIND;
  const engineOn = env.AIO_PROCESS_MODE !== '0' && engineOf(s) === 'aio';
  const hasNode0 = t.nodes.some((n) => n.id === 0);
  // numactl binding to exactly node 0 is the same placement; mem-policy-remote-node covers it when remote.
  const policy = policyNodes(s, t);
  const numactlNode0 = s.memPolicy === 'bind' && policy.length === 1 && policy[0] === 0;
  if (
    engineOn &&
    (memBind === undefined || memBind === '1') &&
    hasNode0 &&
    t.nodes.length > 1 &&
    !numactlNode0
  ) {
    // Node 0 is not remote for CPUs whose own node has no memory when node 0 is their nearest with memory.
    const remote = nodes.filter((k) => !nearestMemoryNodes(t, k).includes(0));
    const target = defaultMemoryNodes(t, s.cpus);
    if (remote.length > 0 && target.length > 0) {
      add(
        'mem-bind-remote-node',
        'warning',
        `The engine puts its memory on NUMA node 0 (AIO_MEM_BIND is ${memBind === undefined ? 'unset, default 1' : '1'}), ` +
          `but selected CPUs are on node ${list(remote)}, so they work on remote memory. Turn AIO_MEM_BIND off ` +
          "and let numactl bind memory to the cores' nodes; numactl also covers the buffers PyTorch allocates itself.",
        {
          label: `Bind memory with numactl to node ${list(target)} and set AIO_MEM_BIND=0`,
          patch: { memPolicy: 'bind', memNodes: null, env: { AIO_MEM_BIND: '0' } },
        },
      );
    }
  }
}

function checkMemory(s: RunSettings, t: Topology | null, add: Add): void {
  if (s.memPolicy === 'none' || s.memPolicy === 'local') return;
  const nodes = memoryNodes(s, t);
  if (nodes.length === 0) {
    const cpuNodes = t ? nodesOfCpus(t, s.cpus) : [];
    if (t && cpuNodes.length > 0) {
      // The CPUs' nodes are known, but neither they nor any node near them can take memory.
      add(
        'membind-memoryless-node',
        'error',
        `No NUMA node this process may use has memory for the selected CPUs (node ${list(cpuNodes)}); ` +
          `memory policy "${s.memPolicy}" cannot be applied.`,
        { label: 'Leave memory placement to the kernel', patch: { memPolicy: 'none', memNodes: null } },
      );
      return;
    }
    add(
      'mem-policy-without-nodes',
      'info',
      s.cpus.length === 0
        ? `Memory policy "${s.memPolicy}" has no nodes to apply to until CPUs or memory nodes are chosen.`
        : t
          ? `Memory policy "${s.memPolicy}" needs the NUMA nodes of the selected CPUs, which the machine ` +
            'description does not give; choose memory nodes explicitly.'
          : `Memory policy "${s.memPolicy}" needs the nodes of the selected CPUs, which are unknown without the ` +
            'machine topology; choose memory nodes explicitly.',
    );
    return;
  }
  if (s.memPolicy === 'preferred' && nodes.length > 1) {
    add(
      'preferred-multiple-nodes',
      'warning',
      `numactl --preferred takes a single node; only node ${nodes[0]} is used (not ${list(nodes.slice(1))}).`,
      { label: `Prefer node ${nodes[0]} only`, patch: { memNodes: [nodes[0]!] } },
    );
  }
  if (!t) return;

  const known = new Set(t.nodes.map((n) => n.id));
  const unknown = nodes.filter((k) => !known.has(k));
  if (unknown.length > 0) {
    const rest = nodes.filter((k) => known.has(k));
    add('node-unknown', 'error', `This machine has no NUMA node ${list(unknown)}.`, {
      label: s.cpus.length > 0 ? "Use the selected CPUs' nodes" : `Remove node ${list(unknown)}`,
      patch: { memNodes: s.cpus.length > 0 ? null : rest.length > 0 ? rest : null },
    });
  }

  const used = policyNodes(s, t).filter((k) => known.has(k));
  const noMemory = used.filter((k) => !nodeCanHoldMemory(t, k));
  if (noMemory.length > 0) {
    const fixNodes = [
      ...new Set(used.flatMap((k) => (noMemory.includes(k) ? nearestMemoryNodes(t, k) : [k]))),
    ].sort((a, b) => a - b);
    // Interleaving skips a node it cannot use as long as another one in the list can take memory.
    const strict = s.memPolicy !== 'interleave' || noMemory.length === used.length;
    const why = noMemory.map((k) => {
      const n = t.nodes.find((x) => x.id === k);
      return n?.memoryBytes === 0
        ? `node ${k} has no memory`
        : `node ${k} is not in this process's allowed memory nodes (Mems_allowed)`;
    });
    add(
      'membind-memoryless-node',
      strict ? 'error' : 'warning',
      `NUMA ${why.join('; ')}; ${
        s.memPolicy === 'bind'
          ? 'binding memory to it makes allocations fail'
          : s.memPolicy === 'interleave' && strict
            ? 'no listed node can take memory'
            : 'memory cannot be placed there'
      }.`,
      fixNodes.length > 0
        ? { label: `Use node ${list(fixNodes)} (nearest with memory)`, patch: { memNodes: fixNodes } }
        : undefined,
    );
    return;
  }

  // All memory on nodes no selected CPU is on, although a selected CPU's own node has memory: every access
  // crosses the interconnect. (CPUs on memory-less nodes have no local memory to prefer.)
  const cpuNodes = nodesOfCpus(t, s.cpus);
  const localWithMemory = cpuNodes.filter((k) => nodeCanHoldMemory(t, k));
  if (used.length > 0 && localWithMemory.length > 0 && !used.some((k) => cpuNodes.includes(k))) {
    const target = defaultMemoryNodes(t, s.cpus);
    add(
      'mem-policy-remote-node',
      'warning',
      `numactl puts all memory on node ${list(used)}, but the selected CPUs are on node ${list(cpuNodes)}, ` +
        `whose memory (node ${list(localWithMemory)}) is closer; every access crosses the interconnect.`,
      { label: `Use node ${list(target)} (the CPUs' own memory)`, patch: { memNodes: null } },
    );
  }
}

/** Another node that can hold memory closest to `from` by the kernel's distance table (lowest id on ties). */
export function nearestNodeWithMemory(t: Topology, from: number): number | null {
  const others = { ...t, nodes: t.nodes.map((n) => (n.id === from ? { ...n, memoryBytes: 0 } : n)) };
  return nearestMemoryNodes(others, from)[0] ?? null;
}

function workloadPrecision(workload: readonly string[]): string | null {
  for (let i = 0; i < workload.length; i++) {
    const a = workload[i]!;
    if ((a === '-p' || a === '--precision') && i + 1 < workload.length) return workload[i + 1]!;
    const m = /^(?:-p=?|--precision=)(.+)$/.exec(a);
    if (m) return m[1]!;
  }
  return null;
}

function checkVariables(s: RunSettings, t: Topology | null, plan: RunPlan, add: Add): void {
  for (const [name, value] of Object.entries(s.env)) {
    if (value === null || !isValidEnvName(name)) continue;
    const replacement = replacementFor(name);
    if (replacement === null) continue;
    const already = replacement in s.env;
    let fix: CheckFix;
    if (name === 'AIO_QUANTIZE_INT8') {
      fix =
        value === 'ALL' && !already
          ? {
              label: 'Use AIO_QUANTIZE_INT8_FILTER=.*',
              patch: { env: { [replacement]: '.*' } },
              removeEnv: [name],
            }
          : { label: `Remove ${name}`, patch: {}, removeEnv: [name] };
    } else if (already) {
      fix = { label: `Remove ${name} (${replacement} is already set)`, patch: {}, removeEnv: [name] };
    } else if (replacement === 'AIO_NUM_THREADS' && positiveInt(value) !== null) {
      fix = {
        label: `Use ${positiveInt(value)} threads`,
        patch: { threads: positiveInt(value) },
        removeEnv: [name],
      };
    } else if (replacement === 'AIO_DEBUG_MODE' && /^[0-4]$/.test(value)) {
      fix = { label: `Use AIO_DEBUG_MODE=${value}`, patch: { debugMode: Number(value) }, removeEnv: [name] };
    } else {
      fix = {
        label: `Rename to ${replacement}`,
        patch: { env: { [replacement]: value } },
        removeEnv: [name],
      };
    }
    add(
      'deprecated-variable',
      'warning',
      name === 'AIO_QUANTIZE_INT8'
        ? 'AIO_QUANTIZE_INT8 is the old switch; current engines read AIO_QUANTIZE_INT8_FILTER (ALL becomes ".*").'
        : `${name} is a name from before the engine was renamed; only old images read it. Use ${replacement}.`,
      fix,
    );
  }

  const { env } = plan;
  for (const [name, value] of Object.entries(env)) {
    const problem = valueProblem(name, value, engineOf(s));
    if (problem === null) continue;
    const fix: CheckFix | undefined =
      name in s.env
        ? { label: `Remove ${name}`, patch: {}, removeEnv: [name] }
        : name === 'AIO_DEBUG_MODE'
          ? { label: 'Use the default debug level', patch: { debugMode: null } }
          : undefined;
    add('invalid-value', 'error', problem + '.', fix);
  }

  if (env.AIO_QUANTIZE_INT8_CONVERT_OUT_DTYPE !== undefined) {
    const precision = workloadPrecision(s.workload);
    const fix: CheckFix = {
      label: 'Remove AIO_QUANTIZE_INT8_CONVERT_OUT_DTYPE',
      patch: {},
      removeEnv: ['AIO_QUANTIZE_INT8_CONVERT_OUT_DTYPE'],
    };
    if (precision !== null && precision !== 'fp16') {
      add(
        'convert-out-needs-fp16',
        'warning',
        `AIO_QUANTIZE_INT8_CONVERT_OUT_DTYPE only applies to an FP16 model, but the workload runs with -p ${precision}.`,
        fix,
      );
    } else if (precision === null) {
      add(
        'convert-out-needs-fp16',
        'info',
        'AIO_QUANTIZE_INT8_CONVERT_OUT_DTYPE only applies to an FP16 model (model.half(), AML "-p fp16"); make ' +
          'sure the workload runs one.',
        fix,
      );
    }
  }
}

function checkNumactl(s: RunSettings, t: Topology | null, plan: RunPlan, opts: CheckOptions, add: Add): void {
  if (plan.argv[0] !== 'numactl') return;
  const unsupported = t?.bindingSupported === false;
  if (opts.numactlAvailable !== false && !unsupported) return;
  const threads = threadCount(s);
  // Without numactl, AIO_NUMA_CPUS (aio) or OMP_PLACES (onednn, derived from the CPUs) keeps the pinning.
  const keepPins = s.cpus.length > 0 && engineOf(s) === 'aio' && !('AIO_NUMA_CPUS' in s.env);
  const onednnPins = s.cpus.length > 0 && engineOf(s) === 'onednn' && !('OMP_PLACES' in s.env);
  add(
    'numactl-missing',
    'error',
    unsupported
      ? 'CPU and memory binding with numactl is not available on this system.'
      : 'numactl is not installed, so the CPU and memory binding cannot be applied (install the "numactl" package).',
    {
      label:
        s.cpus.length > 0
          ? engineOf(s) === 'onednn'
            ? 'Run without numactl (OpenMP still pins its threads via OMP_PLACES)'
            : 'Run without numactl (the engine still pins its own threads via AIO_NUMA_CPUS)'
          : 'Run without numactl',
      patch: {
        memPolicy: 'none',
        memNodes: null,
        cpus: [],
        threads,
        env: keepPins
          ? { AIO_NUMA_CPUS: boundCpus(s).join(' ') }
          : onednnPins
            ? { OMP_PLACES: ompPlaces(boundCpus(s)), OMP_PROC_BIND: 'close' }
            : {},
      },
    },
  );
}
