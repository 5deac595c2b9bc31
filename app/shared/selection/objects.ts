/**
 * The machine as likwid-pin and hwloc-calc number it: packages, NUMA nodes and last-level caches by LOGICAL index
 * (0…N-1), never by the kernel's ids (package ids are opaque labels such as 56 or 76), and cores in CPU order.
 */
import { coreKey } from '../presets';
import type { CpuInfo, Topology } from '../topology';

export interface Core {
  /** The core's online CPUs (hardware threads), ascending. */
  cpus: number[];
  /** Every thread of the core the kernel names (siblings), ascending: a thread's SMT index is its place here. */
  threads: number[];
}

export interface Objects {
  /** Online CPUs, ascending. */
  online: number[];
  /** Packages in id order (as hwloc numbers them), each its online CPUs ascending. */
  packages: number[][];
  /** NUMA nodes in id order (CPU-less ones too: both tools count them), each its online CPUs ascending. */
  nodes: number[][];
  /** Last-level cache instances in order of their lowest CPU, each its online CPUs ascending. */
  llcs: number[][];
  /** Physical cores in machine order: by package, then by NUMA node, then by lowest CPU. */
  cores: Core[];
  /** CPU id → its core (index into `cores`). */
  coreOf: Map<number, number>;
}

const asc = (a: number, b: number) => a - b;

/** The logical objects of `t` over the CPUs `keep` admits (online ones only: offline CPUs exist in neither tool). */
export function objectsOf(t: Topology, keep: (c: CpuInfo) => boolean = () => true): Objects {
  const live = t.cpus.filter((c) => c.online && keep(c));
  const ids = new Set(live.map((c) => c.id));
  const inside = (list: readonly number[]) => list.filter((id) => ids.has(id)).sort(asc);
  const packages = [...t.packages].sort((a, b) => a.id - b.id).map((p) => inside(p.cpus));
  const nodes = [...t.nodes].sort((a, b) => a.id - b.id).map((n) => inside(n.cpus));
  const llcLevel = Math.max(0, ...t.caches.filter((c) => c.type !== 'Instruction').map((c) => c.level));
  const llcs = t.caches
    .filter((c) => c.level === llcLevel && c.type !== 'Instruction')
    .map((c) => inside(c.cpus))
    .filter((s) => s.length > 0)
    .sort((a, b) => a[0]! - b[0]!);

  const rank = (sets: number[][]) => {
    const m = new Map<number, number>();
    sets.forEach((s, i) => s.forEach((id) => m.set(id, i)));
    return m;
  };
  const pkgRank = rank(packages);
  const nodeRank = rank(nodes);
  const byKey = new Map<string, CpuInfo[]>();
  for (const c of live) {
    const k = coreKey(c);
    byKey.set(k, [...(byKey.get(k) ?? []), c]);
  }
  // hwloc numbers cores in its tree's order: package, then every cache level from the largest down (cores under
  // one L2 side by side, even when their CPU numbers interleave with another L2's), then by CPU.
  const levels = [...new Set(t.caches.filter((c) => c.type !== 'Instruction').map((c) => c.level))].sort(
    (a, b) => b - a,
  );
  // CPU → the lowest CPU of its cache instance, per level: the tree position of its cache at that level.
  const cacheFirst = levels.map((lv) => {
    const m = new Map<number, number>();
    for (const c of t.caches.filter((x) => x.level === lv && x.type !== 'Instruction')) {
      const s = inside(c.cpus);
      for (const id of s) if (!m.has(id)) m.set(id, s[0]!);
    }
    return m;
  });
  const keys = new Map<number, number[]>();
  const key = (cpus: number[]) => {
    const first = cpus[0]!;
    let k = keys.get(first);
    if (!k) {
      k = [
        pkgRank.get(first) ?? 0,
        nodeRank.get(first) ?? 0,
        ...cacheFirst.map((m) => m.get(first) ?? 0),
        first,
      ];
      keys.set(first, k);
    }
    return k;
  };
  const cores: Core[] = [...byKey.values()]
    .map((cs) => {
      const cpus = cs.map((c) => c.id).sort(asc);
      const sib = cs.find((c) => c.siblings && c.siblings.length > 0)?.siblings;
      return { cpus, threads: sib ? [...sib].sort(asc) : cpus };
    })
    .sort((a, b) => {
      const ka = key(a.cpus);
      const kb = key(b.cpus);
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
      return 0;
    });
  const coreOf = new Map<number, number>();
  cores.forEach((c, i) => c.cpus.forEach((id) => coreOf.set(id, i)));
  return { online: [...ids].sort(asc), packages, nodes, llcs, cores, coreOf };
}

/** `cpus` in machine order: core by core, each core's threads ascending (likwid's domain list, hwloc's PU order). */
export function machineOrder(o: Objects, cpus: Iterable<number>): number[] {
  const set = new Set(cpus);
  return o.cores.flatMap((c) => c.cpus.filter((id) => set.has(id)));
}

/** A thread's SMT index in its core (0 for the first hardware thread), as likwid sorts "physical cores first". */
export function smtIndex(o: Objects, cpu: number): number {
  const core = o.cores[o.coreOf.get(cpu) ?? -1];
  const i = core ? core.threads.indexOf(cpu) : -1;
  return i < 0 ? 0 : i;
}
