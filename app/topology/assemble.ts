/**
 * Turns per-CPU facts from any source (sysfs, lscpu -p/-e) into the model's CPU, package and cache lists.
 * Kept in one place so that every source numbers cores and clusters the same way: the kernel's core_id and
 * cluster_id repeat (per package, and on Altra even per 2-core cluster), so the physical core is the set of
 * CPUs that share it, numbered machine-wide in order of each set's lowest CPU.
 */
import type { CacheInfo, CpuInfo, PackageInfo } from '../shared/topology';

export interface RawCpu {
  id: number;
  online: boolean;
  /** Package label as the source gives it (opaque). */
  packageId: number | null;
  node: number | null;
  /** Anything that is equal for exactly the CPUs of one physical core (e.g. the sibling list text). */
  coreKey: string | null;
  /** The source's own core label, kept for display. */
  coreId: number | null;
  clusterKey: string | null;
  clusterId: number | null;
  /** null when the source cannot say (see CpuInfo). */
  isolated: boolean | null;
  allowed: boolean | null;
}

/** Group ids by key, returning the groups ordered by their lowest id (ids ascending inside). */
function groupsByLowest(items: { id: number; key: string | null }[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const { id, key } of items) {
    if (key === null) continue;
    const g = groups.get(key);
    if (g) g.push(id);
    else groups.set(key, [id]);
  }
  for (const g of groups.values()) g.sort((a, b) => a - b);
  return new Map([...groups].sort((a, b) => a[1][0]! - b[1][0]!));
}

/** An offline CPU as every source records it: nothing about its place is known, and nothing may run on it. */
export function offlineRaw(id: number, isolated: boolean | null): RawCpu {
  return {
    id,
    online: false,
    packageId: null,
    node: null,
    coreKey: null,
    coreId: null,
    clusterKey: null,
    clusterId: null,
    isolated,
    allowed: false,
  };
}

export function assembleCpus(raw: RawCpu[]): CpuInfo[] {
  const sorted = [...raw].sort((a, b) => a.id - b.id);
  const live = sorted.filter((c) => c.online);
  const cores = groupsByLowest(live.map((c) => ({ id: c.id, key: c.coreKey })));
  const clusters = groupsByLowest(live.map((c) => ({ id: c.id, key: c.clusterKey })));
  const coreIndex = new Map([...cores.keys()].map((k, i) => [k, i]));
  const clusterIndex = new Map([...clusters.keys()].map((k, i) => [k, i]));

  return sorted.map((c): CpuInfo => {
    if (!c.online) {
      // An offline CPU has no topology in sysfs; anything we said about it would be a guess.
      return {
        id: c.id,
        package: null,
        node: null,
        core: null,
        cluster: null,
        siblings: null,
        online: false,
        isolated: c.isolated,
        allowed: false,
        coreId: null,
        clusterId: null,
      };
    }
    return {
      id: c.id,
      package: c.packageId,
      node: c.node,
      core: c.coreKey === null ? null : (coreIndex.get(c.coreKey) ?? null),
      cluster: c.clusterKey === null ? null : (clusterIndex.get(c.clusterKey) ?? null),
      siblings: c.coreKey === null ? null : [...(cores.get(c.coreKey) ?? [c.id])],
      online: true,
      isolated: c.isolated,
      allowed: c.allowed,
      coreId: c.coreId,
      clusterId: c.clusterId,
    };
  });
}

/** Packages in order of their lowest CPU (labels are opaque, so their numeric order means nothing). */
export function packagesOf(cpus: CpuInfo[]): PackageInfo[] {
  const byId = new Map<number, number[]>();
  for (const c of cpus) {
    if (c.package === null) continue;
    const list = byId.get(c.package);
    if (list) list.push(c.id);
    else byId.set(c.package, [c.id]);
  }
  return [...byId]
    .map(([id, list]) => ({ id, cpus: list.sort((a, b) => a - b) }))
    .sort((a, b) => a.cpus[0]! - b.cpus[0]!);
}

const TYPE_ORDER: Record<CacheInfo['type'], number> = { Data: 0, Instruction: 1, Unified: 2 };

/** One entry per distinct (level, type, sharing set); sorted by level, type, then lowest CPU. */
export function dedupeCaches(entries: CacheInfo[]): CacheInfo[] {
  const seen = new Map<string, CacheInfo>();
  // Readers hand the same array to every CPU that shares a cache (one parse per distinct text): normalise and
  // spell each array once, not once per CPU (384 CPUs × a 384-CPU L2 was a tenth of a 384-CPU read).
  const spelled = new Map<number[], { cpus: number[]; text: string }>();
  for (const e of entries) {
    let s = spelled.get(e.cpus);
    if (!s) {
      const cpus = [...new Set(e.cpus)].sort((a, b) => a - b);
      s = { cpus, text: cpus.join(',') };
      spelled.set(e.cpus, s);
    }
    const cpus = s.cpus;
    const key = `${e.level}|${e.type}|${s.text}`;
    const prev = seen.get(key);
    if (!prev) seen.set(key, { ...e, cpus });
    else if (prev.sizeBytes === null && e.sizeBytes !== null) prev.sizeBytes = e.sizeBytes;
  }
  return [...seen.values()].sort(
    (a, b) =>
      a.level - b.level || TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || (a.cpus[0] ?? -1) - (b.cpus[0] ?? -1),
  );
}

/** sysfs and lscpu spell cache types "Data", "Instruction", "Unified"; lscpu column names use "d"/"i"/none. */
export function cacheType(text: string): CacheInfo['type'] | null {
  const t = text.trim().toLowerCase();
  if (t === 'data' || t === 'd') return 'Data';
  if (t === 'instruction' || t === 'i') return 'Instruction';
  if (t === 'unified' || t === '') return 'Unified';
  return null;
}
