/**
 * The map's view of a Topology: packages → nodes → clusters → cores → threads, in display order.
 * Pure functions so picking logic can be reasoned about (and tested) without the DOM.
 */
import type { CpuInfo, NodeInfo, Topology } from '../../../app/shared/topology';

export type Unavailable = 'offline' | 'isolated' | 'not-allowed';

/**
 * Why a CPU cannot be picked; offline wins because an offline CPU's other facts are unknown. Isolation and
 * affinity that the source could not give (null, imports) are no reason: an unknown CPU stays pickable.
 */
export function unavailableReason(c: CpuInfo): Unavailable | null {
  if (!c.online) return 'offline';
  if (c.isolated === true) return 'isolated';
  if (c.allowed === false) return 'not-allowed';
  return null;
}

export const UNKNOWN_TEXT = 'isolation and affinity unknown for an imported topology';

/** For a pickable CPU whose isolation or affinity the source could not give: the words that say so. */
export function unknownAvailability(c: CpuInfo): string | null {
  if (unavailableReason(c) !== null) return null;
  return c.isolated === null || c.allowed === null ? UNKNOWN_TEXT : null;
}

export const REASON_TEXT: Record<Unavailable, string> = {
  offline: 'offline',
  isolated: 'isolated from the scheduler (isolcpus)',
  'not-allowed': 'not allowed for this process (affinity or container cpuset)',
};

export interface CoreView {
  key: string;
  core: number | null;
  cpus: CpuInfo[];
}

export interface ClusterView {
  key: string;
  cluster: number | null;
  cores: CoreView[];
  cpuIds: number[];
}

export interface NodeView {
  key: string;
  /** null when the CPUs' node is unknown (coarse imports, offline CPUs without a placed neighbour). */
  node: NodeInfo | null;
  /** Draw cluster groups only when they say something: more than one cluster, and clusters bigger than a core. */
  showClusters: boolean;
  clusters: ClusterView[];
  cpuIds: number[];
}

export interface PackageView {
  key: string;
  id: number | null;
  nodes: NodeView[];
  cpuIds: number[];
}

export interface MapTree {
  packages: PackageView[];
  /** Nodes with memory but no CPUs (e.g. the 32-bit memory region): shown apart, they cannot be picked. */
  cpulessNodes: NodeInfo[];
  /** Every CPU in display order: the order Shift-ranges and arrow keys follow. */
  order: number[];
  byId: Map<number, CpuInfo>;
  /** Where each CPU is drawn (package, node): may differ from the CPU's own facts for offline CPUs. */
  placedNode: Map<number, number | null>;
  smt: boolean;
  /** Some pickable CPU's isolation or affinity is unknown (an import): the legend says so. */
  unknownAvailability: boolean;
}

/**
 * Offline CPUs have no topology; they keep their place in the map next to the closest lower-numbered CPU whose
 * place is known (the kernel numbers CPUs package by package), so the map does not reshuffle when one goes down.
 */
interface Place {
  pkg: number | null;
  node: number | null;
  cluster: number | null;
}

function placements(cpus: CpuInfo[]): Map<number, Place> {
  const out = new Map<number, Place>();
  let last: Place | null = null;
  const pending: number[] = [];
  for (const c of cpus) {
    if (c.package !== null || c.node !== null) {
      last = { pkg: c.package, node: c.node, cluster: c.cluster };
      for (const p of pending) out.set(p, last);
      pending.length = 0;
      out.set(c.id, last);
    } else if (last) {
      out.set(c.id, last);
    } else {
      pending.push(c.id);
    }
  }
  for (const p of pending) out.set(p, { pkg: null, node: null, cluster: null });
  return out;
}

function groupBy<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function coresOf(cpus: CpuInfo[]): CoreView[] {
  // CPUs without a core id stand alone; siblings share one box.
  const groups = groupBy(cpus, (c) => (c.core === null ? `cpu${c.id}` : `core${c.core}`));
  return [...groups.entries()].map(([key, list]) => ({ key, core: list[0]!.core, cpus: list }));
}

function nodeView(
  pkgKey: string,
  nodeId: number | null,
  cpus: CpuInfo[],
  nodes: NodeInfo[],
  place: Map<number, Place>,
): NodeView {
  const byCluster = groupBy(cpus, (c) => place.get(c.id)!.cluster);
  const clusters: ClusterView[] = [...byCluster.entries()].map(([cluster, list]) => ({
    key: `${pkgKey}-n${nodeId}-c${cluster}`,
    cluster,
    cores: coresOf(list),
    cpuIds: list.map((c) => c.id),
  }));
  const multiCore = clusters.some((cl) => cl.cores.length > 1);
  const showClusters = clusters.length > 1 && multiCore && !byCluster.has(null);
  const merged: ClusterView[] = showClusters
    ? clusters
    : [
        {
          key: `${pkgKey}-n${nodeId}-all`,
          cluster: null,
          cores: coresOf(cpus),
          cpuIds: cpus.map((c) => c.id),
        },
      ];
  return {
    key: `${pkgKey}-n${nodeId}`,
    node: nodes.find((n) => n.id === nodeId) ?? null,
    showClusters,
    clusters: merged,
    cpuIds: cpus.map((c) => c.id),
  };
}

export function buildMapTree(t: Topology): MapTree {
  const cpus = [...t.cpus].sort((a, b) => a.id - b.id);
  const place = placements(cpus);
  const pkgOrder = [...t.packages.map((p) => p.id)];
  const nodeOrder = t.nodes.map((n) => n.id);
  const byPkg = groupBy(cpus, (c) => place.get(c.id)!.pkg);
  const pkgKeys = [...byPkg.keys()].sort((a, b) => rank(pkgOrder, a) - rank(pkgOrder, b));
  const packages: PackageView[] = pkgKeys.map((pkg) => {
    const list = byPkg.get(pkg)!;
    const key = `p${pkg}`;
    const byNode = groupBy(list, (c) => place.get(c.id)!.node);
    const nodeKeys = [...byNode.keys()].sort((a, b) => rank(nodeOrder, a) - rank(nodeOrder, b));
    const nodes = nodeKeys.map((n) => nodeView(key, n, byNode.get(n)!, t.nodes, place));
    return { key, id: pkg, nodes, cpuIds: nodes.flatMap((n) => n.cpuIds) };
  });
  const order = packages.flatMap((p) => p.cpuIds);
  const placedNode = new Map<number, number | null>();
  for (const c of cpus) placedNode.set(c.id, place.get(c.id)!.node);
  return {
    packages,
    cpulessNodes: t.nodes.filter((n) => n.cpus.length === 0),
    order,
    byId: new Map(cpus.map((c) => [c.id, c])),
    placedNode,
    smt: cpus.some((c) => (c.siblings?.length ?? 1) > 1),
    unknownAvailability: cpus.some((c) => unknownAvailability(c) !== null),
  };
}

/** Position of `v` in the engine's order; unknown (null) sorts last. */
function rank(order: number[], v: number | null): number {
  if (v === null) return Number.MAX_SAFE_INTEGER;
  const i = order.indexOf(v);
  return i === -1 ? Number.MAX_SAFE_INTEGER - 1 : i;
}

/**
 * "CPU 12, node 0, package 0, core 12, selected, load 37 %" — what a screen reader announces for a cell: where
 * it is, whether it can be and is picked, and its load when the map shows load.
 */
export function cpuAccessibleName(c: CpuInfo, selected: boolean, load: number | null = null): string {
  const parts = [`CPU ${c.id}`];
  parts.push(c.node === null ? 'node unknown' : `node ${c.node}`);
  parts.push(c.package === null ? 'package unknown' : `package ${c.package}`);
  if (c.core !== null) parts.push(`core ${c.core}`);
  if (c.siblings && c.siblings.length > 1)
    parts.push(`thread ${c.siblings.indexOf(c.id) + 1} of ${c.siblings.length}`);
  const why = unavailableReason(c);
  if (why) parts.push(`${REASON_TEXT[why]}, cannot be picked`);
  else parts.push(selected ? 'selected' : 'usable');
  if (load !== null) parts.push(`load ${Math.round(load * 100)} %`);
  return parts.join(', ');
}
