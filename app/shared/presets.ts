/**
 * CPU selection presets and validation of typed CPU lists, all pure functions of a Topology.
 *
 * "Physical core" means one entry per `CpuInfo.core` (falling back to the sibling group, then the CPU itself when
 * a source does not know cores). The engine pins one thread per core and SMT siblings share a core's execution
 * units, so every preset picks one thread per core unless asked otherwise.
 */
import { plainDigits } from './cpulist';
import type { CoreTypeInfo, CpuInfo, Topology } from './topology';
import { printable } from './printable';

export interface Usability {
  usable: boolean;
  /** Plain reasons, empty when usable. */
  reasons: string[];
}

export const REASON_ABSENT = 'not present on this machine';
export const REASON_OFFLINE = 'offline';
export const REASON_ISOLATED = 'isolated (isolcpus)';
export const REASON_NOT_ALLOWED = 'not allowed for this process (affinity/cgroup)';

/** Can a run be bound to this CPU, and if not, why not (every reason that applies). */
export function usable(t: Topology, cpu: number): Usability {
  const info = cpuInfo(t, cpu);
  if (!info) return { usable: false, reasons: [REASON_ABSENT] };
  const reasons: string[] = [];
  if (!info.online) reasons.push(REASON_OFFLINE);
  // null = the source cannot say (imports): unknown is pickable, only a known "yes"/"no" is a reason.
  if (info.isolated === true) reasons.push(REASON_ISOLATED);
  if (info.allowed === false) reasons.push(REASON_NOT_ALLOWED);
  return { usable: reasons.length === 0, reasons };
}

export function cpuInfo(t: Topology, cpu: number): CpuInfo | undefined {
  // Topology.cpus is ascending by id and usually dense, so try the direct index before searching.
  const direct = t.cpus[cpu];
  if (direct && direct.id === cpu) return direct;
  return t.cpus.find((c) => c.id === cpu);
}

/** A key shared by all logical CPUs of one physical core. */
export function coreKey(c: CpuInfo): string {
  if (c.core !== null) return `core:${c.core}`;
  if (c.siblings && c.siblings.length > 0) return `sib:${Math.min(...c.siblings)}`;
  return `cpu:${c.id}`;
}

function isUsable(c: CpuInfo): boolean {
  return c.online && c.isolated !== true && c.allowed !== false;
}

/**
 * First usable thread of each physical core, in CPU id order, optionally restricted by a filter. When the source
 * knows the threads per core but not which CPUs pair up (an `lscpu` summary of an SMT machine), CPUs of unknown
 * core are taken in id order but never more of them than the cores they can make up: which CPUs are siblings
 * is unknown (cores-unknown says so), how many cores there are is not.
 */
function onePerCore(t: Topology, filter: (c: CpuInfo) => boolean = () => true): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  const coreless: number[] = [];
  for (const c of [...t.cpus].sort((a, b) => a.id - b.id)) {
    if (!isUsable(c) || !filter(c)) continue;
    if (t.threadsPerCore && t.threadsPerCore > 1 && c.core === null && !c.siblings?.length) {
      coreless.push(c.id);
      continue;
    }
    const key = coreKey(c);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c.id);
  }
  if (coreless.length === 0) return out;
  const cores = coreless.slice(0, Math.ceil(coreless.length / t.threadsPerCore!));
  return [...out, ...cores].sort((a, b) => a - b);
}

/**
 * The engine's own default when AIO_NUMA_CPUS is unset: the first `n` physical cores (one thread each), limited
 * to CPUs this process may use. Returns fewer than `n` when the machine has fewer.
 */
export function firstPhysicalCores(t: Topology, n: number): number[] {
  return onePerCore(t).slice(0, Math.max(0, n));
}

/** Every usable physical core of the machine, one thread each. */
export function allAvailable(t: Topology): number[] {
  return onePerCore(t);
}

/** Number of physical cores a run can use on this machine. */
export function usablePhysicalCoreCount(t: Topology): number {
  return onePerCore(t).length;
}

/** The first `n` usable physical cores of NUMA node `node` (fewer when the node has fewer). */
export function coresOnNode(t: Topology, node: number, n: number): number[] {
  return onePerCore(t, (c) => c.node === node).slice(0, Math.max(0, n));
}

/**
 * All usable CPUs of NUMA node `node`: one thread per physical core by default, every usable thread with
 * `{ smt: true }`.
 */
export function wholeNode(t: Topology, node: number, opts: { smt?: boolean } = {}): number[] {
  if (opts.smt) {
    return t.cpus.filter((c) => c.node === node && isUsable(c)).map((c) => c.id);
  }
  return onePerCore(t, (c) => c.node === node);
}

/**
 * `n` physical cores spread evenly over the NUMA nodes that have usable CPUs; the remainder goes to the lowest
 * node ids. When a node has fewer cores than its share, the shortfall moves on to the other nodes. The result is
 * grouped node by node, ascending. Returns fewer than `n` when the machine has fewer usable cores.
 */
export function spread(t: Topology, n: number): number[] {
  const perNode = new Map<number, number[]>();
  for (const id of onePerCore(t)) {
    const node = cpuInfo(t, id)?.node;
    if (node === null || node === undefined) continue;
    const list = perNode.get(node) ?? [];
    list.push(id);
    perNode.set(node, list);
  }
  const nodes = [...perNode.keys()].sort((a, b) => a - b);
  if (nodes.length === 0) return firstPhysicalCores(t, n);
  const take = new Map<number, number>(nodes.map((k) => [k, 0]));
  let left = Math.max(0, n);
  // Hand out cores round by round so the split stays even when some nodes run short.
  while (left > 0) {
    const open = nodes.filter((k) => take.get(k)! < perNode.get(k)!.length);
    if (open.length === 0) break;
    const share = Math.floor(left / open.length);
    let extra = left % open.length;
    for (const k of open) {
      const want = share + (extra > 0 ? 1 : 0);
      if (want === 0) break;
      if (extra > 0) extra--;
      const room = perNode.get(k)!.length - take.get(k)!;
      const got = Math.min(want, room);
      take.set(k, take.get(k)! + got);
      left -= got;
    }
  }
  return nodes.flatMap((k) => perNode.get(k)!.slice(0, take.get(k)!));
}

/** NUMA nodes of the given CPUs, ascending and unique; CPUs whose node is unknown are skipped. */
export function nodesOfCpus(t: Topology, cpus: readonly number[]): number[] {
  const nodes = new Set<number>();
  for (const id of cpus) {
    const node = cpuInfo(t, id)?.node;
    if (node !== null && node !== undefined) nodes.add(node);
  }
  return [...nodes].sort((a, b) => a - b);
}

export interface CpuListIssue {
  /** The piece of the input that is wrong, for inline highlighting. */
  token: string;
  message: string;
}

export interface CpuListValidation {
  /** Every CPU the input names, in typed order, duplicates removed (also when there are errors). */
  cpus: number[];
  errors: CpuListIssue[];
  /** CPUs the input names more than once, in typed order (removed from `cpus`; reported as cpus-duplicate). */
  repeated: number[];
}

const ITEM = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/;
const MAX_RANGE = 1_000_000;

/**
 * Validate a CPU list typed by the user ("0-3,8", "0 1 2 3", "0-15:2") against the topology (when given).
 * Unlike parseCpuList it keeps the typed order (the order threads are pinned in) and reports every bad item
 * instead of stopping at the first one.
 */
export function validateCpuList(text: string, t: Topology | null): CpuListValidation {
  const cpus: number[] = [];
  const seen = new Set<number>();
  const repeated = new Set<number>();
  const errors: CpuListIssue[] = [];
  const maxId = t && t.cpus.length > 0 ? Math.max(...t.cpus.map((c) => c.id)) : null;
  // Spaces and tabs separate like commas; any other control character (a newline) makes its item invalid.
  const tokens = text.split(/[ \t,]+/).filter((x) => x !== '');
  // Catch "1,,2" which the split above would hide.
  if (/,\s*,/.test(text) || /^\s*,/.test(text) || /,\s*$/.test(text)) {
    errors.push({ token: ',', message: 'empty item in the list' });
  }
  for (const token of tokens) {
    const shown = printable(token);
    const m = ITEM.exec(token);
    if (!m) {
      errors.push({ token, message: `"${shown}" is not a CPU number or a range like 4-7` });
      continue;
    }
    const aText = plainDigits(m[1]!);
    const bText = m[2] === undefined ? aText : plainDigits(m[2]);
    const a = Number(aText);
    const b = Number(bText);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    // Past 2^53 a Number is no longer the typed id: report the typed digits, never a rounded value.
    const unsafe = !Number.isSafeInteger(a) || !Number.isSafeInteger(b);
    if (!unsafe && b < a) {
      errors.push({ token, message: `range "${shown}" is reversed (did you mean ${bText}-${aText}?)` });
      continue;
    }
    if (step < 1) {
      errors.push({ token, message: `the stride in "${shown}" must be at least 1` });
      continue;
    }
    if (maxId !== null && (unsafe || b > maxId)) {
      errors.push({
        token,
        message: `CPU ${bText} is out of range (this machine's highest CPU is ${maxId})`,
      });
      continue;
    }
    if (unsafe) {
      errors.push({ token, message: `CPU ${bText} is too large` });
      continue;
    }
    if (b - a > MAX_RANGE) {
      errors.push({ token, message: `range "${shown}" is too large` });
      continue;
    }
    const bad: string[] = [];
    for (let id = a; id <= b; id += step) {
      if (t) {
        const u = usable(t, id);
        if (!u.usable) bad.push(`CPU ${id} is ${u.reasons.join(', ')}`);
      }
      if (!seen.has(id)) {
        seen.add(id);
        cpus.push(id);
      } else repeated.add(id);
    }
    if (bad.length > 0) errors.push({ token, message: bad.join('; ') });
  }
  return { cpus, errors, repeated: [...repeated] };
}

/**
 * A CPU list in the exact order given, for numactl/taskset: the compact range form when it is strictly ascending
 * (order is then implied), otherwise a plain comma list so the order survives.
 */
export function orderedCpuList(cpus: readonly number[]): string {
  const ascending = cpus.every((id, i) => i === 0 || id > cpus[i - 1]!);
  if (!ascending) return cpus.join(',');
  const parts: string[] = [];
  let i = 0;
  while (i < cpus.length) {
    const start = cpus[i]!;
    let end = start;
    while (i + 1 < cpus.length && cpus[i + 1] === end + 1) end = cpus[++i]!;
    parts.push(start === end ? `${start}` : `${start}-${end}`);
    i++;
  }
  return parts.join(',');
}

/** Parse a CPU list keeping its written order ("3,1,0-2" → [3,1,0,2]); throws on malformed input. */
export function parseOrderedCpuList(text: string): number[] {
  const out: number[] = [];
  const trimmed = text.trim();
  if (trimmed === '') return out;
  for (const item of trimmed.split(',')) {
    const m = ITEM.exec(item.trim());
    if (!m) throw new Error(`"${printable(item)}" is not a CPU number or range`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (!Number.isSafeInteger(b)) throw new Error(`CPU ${plainDigits(m[2] ?? m[1]!)} is too large`);
    if (b < a || step < 1 || b - a > MAX_RANGE) throw new Error(`bad range "${printable(item)}"`);
    for (let id = a; id <= b; id += step) out.push(id);
  }
  return out;
}

/**
 * The core type a user names (`--core-type`): "fastest", "slowest", a type's full name, or one word of it
 * ("A510", "X3", "P-core", "E-core"), case-insensitive. The error lists the machine's types when nothing, or
 * more than one type, matches.
 */
export function findCoreType(t: Topology, spec: string): { type: CoreTypeInfo } | { error: string } {
  const types = t.coreTypes ?? [];
  if (types.length === 0)
    return {
      error: `the core types of this machine are unknown (${t.source} source): no core type can be chosen`,
    };
  const list = `types: ${types.map((x) => x.name).join(', ')}; also fastest, slowest`;
  const want = spec.trim().toLowerCase();
  if (want === 'fastest') return { type: types[0]! };
  if (want === 'slowest') return { type: types[types.length - 1]! };
  const exact = types.find((x) => x.name.toLowerCase() === want);
  if (exact) return { type: exact };
  // Words of a name, hyphenated and not: "Intel Core (P-core)" → intel, core, p-core, p.
  const words = (name: string): string[] => [
    ...name.toLowerCase().split(/[\s()]+/),
    ...name.toLowerCase().split(/[\s()-]+/),
  ];
  const hits = want ? types.filter((x) => words(x.name).includes(want)) : [];
  if (hits.length === 1) return { type: hits[0]! };
  const shown = printable(spec);
  if (hits.length > 1) return { error: `"${shown}" matches more than one core type (${list})` };
  return { error: `no core type "${shown}" on this machine (${list})` };
}

/**
 * The usable physical cores of one core type, one thread each, in CPU id order; the first `n` when given. The
 * preset "only the fastest type" is `coresOfType(t, t.coreTypes[0].name)`.
 */
export function coresOfType(t: Topology, name: string, n?: number): number[] {
  const all = onePerCore(t, (c) => c.coreType === name);
  return n === undefined ? all : all.slice(0, Math.max(0, n));
}

/** Only the fastest core type (every usable physical core of it); empty when the types are unknown. */
export function fastestType(t: Topology): number[] {
  const first = t.coreTypes?.[0];
  return first ? coresOfType(t, first.name) : [];
}
