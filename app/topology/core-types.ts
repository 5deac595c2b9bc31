/**
 * Core types of heterogeneous machines (Arm big.LITTLE / DynamIQ, x86 hybrid P/E cores): which CPU is which
 * kind of core, and the kinds ordered fastest first. lscpu prints one model block per type; this is that grouping,
 * per CPU, so the map, the presets and `--core-type` can use it.
 *
 * Per online CPU, the first source that names it wins:
 *   1. x86 hybrid: `/sys/devices/cpu_core/cpus` and `/sys/devices/cpu_atom/cpus` (the kernel's hybrid PMUs).
 *      Every CPU of an Intel hybrid part has the same /proc/cpuinfo "model name", so only these files tell
 *      P-cores from E-cores.
 *   2. Arm: the CPU's own `regs/identification/midr_el1`, else its /proc/cpuinfo block ("CPU implementer",
 *      "CPU part"), named by the MIDR part table (model-name.ts), as lscpu does.
 *   3. Any other architecture: the CPU's /proc/cpuinfo "model name".
 * Offline CPUs have no type (the kernel hides their registers and cpuinfo block): null, never guessed.
 *
 * Order, fastest first: sysfs `cpu_capacity` (the scheduler's relative performance, 1024 = fastest), then the
 * P-core before the E-core, then `cpufreq/cpuinfo_max_freq`, then the lowest CPU id.
 */
import { join } from 'node:path';
import type { CoreTypeInfo, CpuInfo, Topology } from '../shared/topology';
import { readAttr, readInt } from './fs-read';
import { formatCpuList } from '../shared/cpulist';
import { armCoreName, midrFromCpuinfo, parseMidr } from './model-name';
import { safeCpuList } from './proc';

/**
 * Names of the two x86 hybrid types. The kernel and lscpu call them "Core" and "Atom" (the PMU names cpu_core,
 * cpu_atom), which alone reads like a generic word and a brand; Intel's own terms are P-core and E-core, which is
 * what users ask launchers for. Both are kept so either word matches `--core-type`.
 */
export const X86_P_CORE = 'Intel Core (P-core)';
export const X86_E_CORE = 'Intel Atom (E-core)';

/** What one online CPU says about its kind. */
export interface CpuTypeFact {
  id: number;
  name: string | null;
  capacity: number | null;
  maxFreqKhz: number | null;
}

export interface CoreTypes {
  /** Online CPU id → its type's name (null when no source names it). */
  byCpu: Map<number, string | null>;
  /** Fastest first; empty when no CPU could be named. */
  types: CoreTypeInfo[];
  notes: string[];
}

/** /proc/cpuinfo split into its per-processor blocks, by the block's "processor : N" line. */
export function cpuinfoBlocks(cpuinfo: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const m = /^processor\s*:\s*(\d+)\s*$/im.exec(block);
    if (m) out.set(Number(m[1]), block);
  }
  return out;
}

function blockField(block: string, key: string): string | null {
  const m = new RegExp(`^${key}\\s*:\\s*(.*)$`, 'im').exec(block);
  const v = m?.[1]?.trim();
  return v ? v : null;
}

/**
 * The type name of one CPU from its MIDR text or its cpuinfo block; null when neither names it. The fields
 * after the MIDR are the ones lscpu reads for "Model name": "model name" (x86, LoongArch), "cpu" (PowerPC,
 * SPARC), "uarch" (RISC-V).
 */
export function typeNameOf(midrText: string | null, block: string | null): string | null {
  const midr = (midrText ? parseMidr(midrText) : null) ?? (block ? midrFromCpuinfo(block) : null);
  if (midr) return armCoreName(midr);
  if (!block) return null;
  return blockField(block, 'model name') ?? blockField(block, 'cpu') ?? blockField(block, 'uarch');
}

/** Rank among equal capacities: P-cores before E-cores; other names are equal. */
function hybridRank(name: string): number {
  return name === X86_P_CORE ? 0 : name === X86_E_CORE ? 2 : 1;
}

/** Group the per-CPU facts into types, fastest first (see the module comment for the order). */
export function groupCoreTypes(facts: readonly CpuTypeFact[]): CoreTypeInfo[] {
  const groups = new Map<string, { cpus: number[]; capacity: number | null; freq: number | null }>();
  for (const f of [...facts].sort((a, b) => a.id - b.id)) {
    if (f.name === null) continue;
    const g = groups.get(f.name) ?? { cpus: [], capacity: null, freq: null };
    g.cpus.push(f.id);
    // A type's capacity is its best CPU's: the scheduler may scale some CPUs of one type down (thermal, binning).
    if (f.capacity !== null) g.capacity = Math.max(g.capacity ?? 0, f.capacity);
    if (f.maxFreqKhz !== null) g.freq = Math.max(g.freq ?? 0, f.maxFreqKhz);
    groups.set(f.name, g);
  }
  const rows = [...groups.entries()].map(([name, g]) => ({ name, ...g }));
  rows.sort(
    (a, b) =>
      (b.capacity ?? -1) - (a.capacity ?? -1) ||
      hybridRank(a.name) - hybridRank(b.name) ||
      (b.freq ?? -1) - (a.freq ?? -1) ||
      a.cpus[0]! - b.cpus[0]!,
  );
  return rows.map((r) => {
    const info: CoreTypeInfo = { name: r.name, cpus: r.cpus };
    if (r.capacity !== null) info.capacity = r.capacity;
    return info;
  });
}

/** The facts for every online CPU below `root` (sysfs/procfs, as readSysfsTopology reads them). */
export function readCpuTypeFacts(
  root: string,
  cpus: readonly CpuInfo[],
  cpuinfo: string | null,
): CpuTypeFact[] {
  const cpuRoot = join(root, 'sys/devices/system/cpu');
  const pCores = safeCpuList(readAttr(join(root, 'sys/devices/cpu_core/cpus')));
  const eCores = safeCpuList(readAttr(join(root, 'sys/devices/cpu_atom/cpus')));
  const hybrid = pCores !== null || eCores !== null;
  const pSet = new Set(pCores ?? []);
  const eSet = new Set(eCores ?? []);
  // The cpuinfo blocks are parsed only when a CPU's own MIDR does not name it (x86, old Arm kernels): a
  // 160-CPU Arm machine then reads one register per CPU and no text.
  let byBlock: { names: Map<number, string | null>; wholeFile: string | null } | null = null;
  const fromCpuinfo = (id: number): string | null => {
    if (!cpuinfo) return null;
    if (!byBlock) {
      const names = new Map([...cpuinfoBlocks(cpuinfo)].map(([k, b]) => [k, typeNameOf(null, b)]));
      // Only when no processor block names its CPU (old Arm kernels, SPARC print the model once for the
      // file): a heterogeneous file must never lend one CPU's name to another.
      const perCpu = [...names.values()].some((n) => n !== null);
      byBlock = { names, wholeFile: perCpu ? null : typeNameOf(null, cpuinfo) };
    }
    return byBlock.names.get(id) ?? byBlock.wholeFile;
  };
  const online = cpus.filter((c) => c.online);
  const names = online.map((c) => {
    if (hybrid) return pSet.has(c.id) ? X86_P_CORE : eSet.has(c.id) ? X86_E_CORE : null;
    // cpuinfo is read anyway, so its block goes first; the MIDR register costs one file per CPU.
    return (
      fromCpuinfo(c.id) ??
      typeNameOf(readAttr(join(cpuRoot, `cpu${c.id}`, 'regs/identification/midr_el1')), null)
    );
  });
  // Speed only orders types: a uniform machine reads one CPU's capacity (for the JSON), not every CPU's.
  const several = new Set(names.filter((n) => n !== null)).size > 1;
  // Nothing named: capacities are still read, to say when the CPUs differ although no type can be named.
  const unnamed = names.every((n) => n === null);
  return online.map((c, i) => {
    const dir = join(cpuRoot, `cpu${c.id}`);
    const capacity = several || unnamed || i === 0 ? readInt(join(dir, 'cpu_capacity')) : null;
    // The frequency only orders types that have no capacity.
    const maxFreqKhz = several && capacity === null ? readInt(join(dir, 'cpufreq/cpuinfo_max_freq')) : null;
    return { id: c.id, name: names[i]!, capacity, maxFreqKhz };
  });
}

/** Read and group the core types of the CPUs below `root`. */
export function readCoreTypes(root: string, cpus: readonly CpuInfo[], cpuinfo: string | null): CoreTypes {
  const facts = readCpuTypeFacts(root, cpus, cpuinfo);
  const types = groupCoreTypes(facts);
  const notes: string[] = [];
  const unnamed = facts.filter((f) => f.name === null).map((f) => f.id);
  const capacities = new Set(facts.map((f) => f.capacity).filter((c) => c !== null));
  if (types.length === 0 && capacities.size > 1) {
    const groups = [...capacities]
      .sort((a, b) => b! - a!)
      .map(
        (cap) => `${cap}: CPUs ${formatCpuList(facts.filter((f) => f.capacity === cap).map((f) => f.id))}`,
      );
    notes.push(
      `The CPUs differ in cpu_capacity (${groups.join('; ')}) but nothing names their core types: coreTypes is empty.`,
    );
  }
  if (types.length > 0 && unnamed.length > 0)
    notes.push(
      `Core type unknown for CPU ${unnamed.join(', ')} (no MIDR, cpuinfo block or hybrid PMU list).`,
    );
  // x86 hybrid types are ordered by kind (P before E) and need neither.
  if (
    types.length > 1 &&
    !types.some((x) => x.name === X86_P_CORE) &&
    types.every((t) => t.capacity === undefined) &&
    facts.every((f) => f.maxFreqKhz === null)
  )
    notes.push('No cpu_capacity or cpufreq: the core types are listed in CPU order, not by speed.');
  return { byCpu: new Map(facts.map((f) => [f.id, f.name])), types, notes };
}

/** Set `cpus[].coreType` (null for offline or unnamed CPUs) and `coreTypes` on a topology. */
export function applyCoreTypes(t: Topology, ct: CoreTypes): void {
  for (const c of t.cpus) c.coreType = ct.byCpu.get(c.id) ?? null;
  t.coreTypes = ct.types;
  if (ct.notes.length) t.notes = [...(t.notes ?? []), ...ct.notes];
}
