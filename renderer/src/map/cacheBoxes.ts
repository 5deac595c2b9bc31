/**
 * lstopo's cache boxes on the map: a shared cache (L2 and beyond) is drawn around the group of the map whose CPUs
 * are exactly the ones sharing it — a package (Altra's SLC, a desktop's L3), a NUMA node (an EPYC's L3 split at
 * the node boundary), a cluster (Arm's shared L2) or a core (a per-core L2, shared by its SMT threads). The
 * outermost group that matches wins, so an L3 that spans both a package and its one node is drawn once, around
 * the package. An instance that matches no group (an L3 per CCX inside a flat node) is listed in the text of the
 * smallest group that holds it, so no cache goes unsaid. L1 is per core everywhere: the header's summary says it.
 */
import type { CacheInfo } from '../../../app/shared/topology';
import type { MapTree } from './model';
import { formatBytes } from '../common/format';
import { formatCpuList } from '../../../app/shared/cpulist';

export interface CacheLabel {
  /** "L3", "L2"… */
  level: string;
  sizeBytes: number | null;
  cpus: number[];
}

export interface CacheBoxes {
  /** Group key (a package's, node's, cluster's or core's `key`) → caches drawn around exactly that group. */
  around: Map<string, CacheLabel[]>;
  /**
   * Node key → caches inside a node drawn flat that hold whole cores but match no group (an EPYC's L3 per CCX):
   * boxes drawn around runs of those cores.
   */
  cores: Map<string, CacheLabel[]>;
  /** Group key → caches inside it that match no group of the map and cannot be boxed (shown as text). */
  within: Map<string, CacheLabel[]>;
}

function levelName(c: CacheInfo): string {
  return c.type === 'Unified' ? `L${c.level}` : `L${c.level}${c.type === 'Data' ? 'd' : 'i'}`;
}

/** "L3 16 MiB" — the box's label. */
export function cacheText(c: CacheLabel): string {
  return `${c.level} ${c.sizeBytes === null ? 'size unknown' : formatBytes(c.sizeBytes)}`;
}

/** "L3 16 MiB, shared by CPUs 0-7" — the box's tooltip and accessible name. */
export function cacheTitle(c: CacheLabel): string {
  return `${cacheText(c)}, shared by ${c.cpus.length === 1 ? 'CPU' : 'CPUs'} ${formatCpuList(c.cpus)}`;
}

interface Group {
  key: string;
  depth: number;
  /** The group's online CPUs: caches list only those (an offline CPU has no cache directory). */
  cpus: number[];
}

const setKey = (ids: number[]) => [...ids].sort((a, b) => a - b).join(',');

export function cacheBoxes(tree: MapTree, caches: CacheInfo[]): CacheBoxes {
  const around = new Map<string, CacheLabel[]>();
  const cores = new Map<string, CacheLabel[]>();
  const within = new Map<string, CacheLabel[]>();
  const shared = caches.filter((c) => c.level >= 2 && c.cpus.length > 0);
  if (shared.length === 0) return { around, cores, within };
  // A core's CPUs by CPU: a cache of whole cores covers every sibling of each of its CPUs.
  const coreOf = new Map<number, number[]>();
  const flatNodes = new Set<string>();
  for (const p of tree.packages)
    for (const n of p.nodes) {
      if (!n.showClusters) flatNodes.add(n.key);
      for (const cl of n.clusters)
        for (const core of cl.cores)
          for (const c of core.cpus)
            coreOf.set(
              c.id,
              core.cpus.map((x) => x.id),
            );
    }
  const online = (ids: number[]) => ids.filter((id) => tree.byId.get(id)?.online === true);
  const groups: Group[] = [];
  for (const p of tree.packages) {
    groups.push({ key: p.key, depth: 0, cpus: online(p.cpuIds) });
    for (const n of p.nodes) {
      groups.push({ key: n.key, depth: 1, cpus: online(n.cpuIds) });
      for (const cl of n.clusters) {
        if (n.showClusters) groups.push({ key: cl.key, depth: 2, cpus: online(cl.cpuIds) });
        for (const core of cl.cores)
          groups.push({ key: core.key, depth: 3, cpus: online(core.cpus.map((c) => c.id)) });
      }
    }
  }
  // Outermost first: the first group with this exact CPU set is the one the box goes around.
  const byCpus = new Map<string, Group>();
  for (const g of groups) {
    if (g.cpus.length === 0) continue;
    const key = setKey(g.cpus);
    if (!byCpus.has(key)) byCpus.set(key, g);
  }
  const seen = new Set<string>();
  for (const c of [...shared].sort((a, b) => b.level - a.level)) {
    const label: CacheLabel = {
      level: levelName(c),
      sizeBytes: c.sizeBytes,
      cpus: [...c.cpus].sort((a, b) => a - b),
    };
    // label.cpus is sorted: its key is its join.
    const key = label.cpus.join(',');
    const id = `${label.level}:${key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const exact = byCpus.get(key);
    if (exact) {
      push(around, exact.key, label);
      continue;
    }
    // The smallest group holding every CPU of the cache.
    const holder = groups
      .filter((g) => label.cpus.every((id) => g.cpus.includes(id)))
      .sort((a, b) => b.depth - a.depth)[0];
    if (!holder) continue;
    const wholeCores = label.cpus.every((id) =>
      (coreOf.get(id) ?? []).every((x) => tree.byId.get(x)?.online !== true || label.cpus.includes(x)),
    );
    push(holder.depth === 1 && flatNodes.has(holder.key) && wholeCores ? cores : within, holder.key, label);
  }
  return { around, cores, within };
}

function push(m: Map<string, CacheLabel[]>, key: string, label: CacheLabel): void {
  const list = m.get(key);
  if (list) list.push(label);
  else m.set(key, [label]);
}
