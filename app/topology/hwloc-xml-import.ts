/**
 * `--from topo.xml`: the machine from `lstopo --of xml` output (hwloc 2.x, and 1.x as `--export-xml-flags v1`
 * writes it). PUs are CPUs by os_index; the Package, Core and Cluster group above each PU give its package, core
 * and cluster; cache objects give the caches and the PUs below them their sharing set; NUMANode objects give the
 * nodes with local_memory; `<distances2>` (2.x) or `<distances>` (1.x) the distance rows.
 */
import { assembleCpus, dedupeCaches, offlineRaw, packagesOf, type RawCpu } from './assemble';
import { visible } from './damaged';
import { parseHwlocBitmap } from './hwloc-xml-bitmap';
import { parseXml, XmlSyntaxError, type XmlElement } from './hwloc-xml-parse';
import { formatCpuList } from '../shared/cpulist';
import type { CacheInfo, CoreTypeInfo, NodeInfo, Topology } from '../shared/topology';

/** Does this text start like an XML document (declaration, DOCTYPE, comment or a root tag)? */
export function looksLikeXml(text: string): boolean {
  return /^(\uFEFF)?\s*<[?!A-Za-z_]/.test(text);
}

/** I/O and Misc objects carry no CPUs: nothing below them is read. */
const NOT_CPU_SIDE = new Set(['Bridge', 'PCIDev', 'OSDev', 'Misc']);

interface PuFacts {
  id: number;
  line: number;
  packageId: number | null;
  packageKey: string | null;
  coreKey: string | null;
  coreId: number | null;
  clusterKey: string | null;
  clusterId: number | null;
  /** The NUMANode object above it (hwloc 1.x puts nodes above packages). */
  nodeAbove: number | null;
  /** Its own complete_nodeset, when that names exactly one node. */
  nodeOwn: number | null;
}

interface NodeObj {
  id: number;
  cpus: number[] | null;
  memoryBytes: number | null;
  gpIndex: string | undefined;
  line: number;
}

function int(text: string | undefined): number | null {
  if (text === undefined || !/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return Number.isSafeInteger(n) ? n : null;
}

function infoOf(el: XmlElement, name: string): string | null {
  for (const c of el.children) if (c.name === 'info' && c.attrs.name === name) return c.attrs.value ?? null;
  return null;
}

/** hwloc 2 names caches L1Cache…L5Cache and L1iCache…; hwloc 1 writes "Cache" with depth and cache_type. */
function cacheOf(el: XmlElement): { level: number; type: CacheInfo['type'] } | null {
  const type = el.attrs.type ?? '';
  const m = /^L(\d)(i?)Cache$/.exec(type);
  let level: number | null = null;
  let instruction = false;
  if (m) {
    level = Number(m[1]);
    instruction = m[2] === 'i';
  } else if (type === 'Cache') level = int(el.attrs.depth);
  if (level === null || level < 1) return null;
  const kind = int(el.attrs.cache_type);
  if (instruction || kind === 2) return { level, type: 'Instruction' };
  return { level, type: kind === 1 ? 'Data' : 'Unified' };
}

/**
 * Each Package object is a package, even when two carry the same os_index (hwloc keeps the kernel's
 * physical_package_id, which some machines repeat: 16ia64-8n2s gives P#0 to two). The model labels packages
 * uniquely, so a repeated label goes to the package with the lowest CPU and the others take the lowest free
 * number, as the sysfs reader does.
 */
function uniquePackageLabels(raw: RawCpu[], puById: Map<number, PuFacts>): void {
  const groups = new Map<string, RawCpu[]>();
  for (const r of raw) {
    const key = r.online ? puById.get(r.id)?.packageKey : null;
    if (key) groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const ordered = [...groups.values()].sort((a, b) => a[0]!.id - b[0]!.id);
  const taken = new Set<number>();
  const clashing: RawCpu[][] = [];
  for (const g of ordered) {
    const label = g[0]!.packageId;
    if (label !== null && !taken.has(label)) taken.add(label);
    else clashing.push(g);
  }
  let next = 0;
  for (const g of clashing) {
    while (taken.has(next)) next++;
    taken.add(next);
    for (const r of g) r.packageId = next;
  }
}

class Reader {
  readonly pus: PuFacts[] = [];
  readonly caches: CacheInfo[] = [];
  readonly nodes: NodeObj[] = [];
  private serial = 0;
  packageCount = 0;
  model: string | null = null;
  vendor: string | null = null;

  constructor(private readonly origin: string) {}

  bad(el: XmlElement, what: string): never {
    throw new Error(`${this.origin}: line ${el.line}: ${what}`);
  }

  /** Walks one object and everything below it; returns the PUs found below, this one included. */
  walk(el: XmlElement, above: Omit<PuFacts, 'id' | 'line' | 'nodeOwn'>, depth = 0): number[] {
    const type = el.attrs.type;
    if (type === undefined) this.bad(el, '<object> without a type attribute');
    if (NOT_CPU_SIDE.has(type!)) return [];
    const here = { ...above };
    const key = `${type}#${++this.serial}`;
    if (type === 'Package' || type === 'Socket') {
      here.packageKey = key;
      here.packageId = int(el.attrs.os_index) ?? this.packageCount;
      this.packageCount++;
      this.model ??= infoOf(el, 'CPUModel')?.trim() || null;
      this.vendor ??= infoOf(el, 'CPUVendor')?.trim() || null;
    } else if (type === 'Core') {
      here.coreKey = key;
      here.coreId = int(el.attrs.os_index);
    } else if (type === 'Group' && el.attrs.subtype === 'Cluster') {
      here.clusterKey = key;
      here.clusterId = int(el.attrs.os_index);
    } else if (type === 'NUMANode') {
      const id = int(el.attrs.os_index);
      if (id === null) this.bad(el, 'a NUMANode without a numeric os_index');
      const cpus = el.attrs.cpuset === undefined ? null : parseHwlocBitmap(el.attrs.cpuset);
      const mem = el.attrs.local_memory;
      if (mem !== undefined && int(mem) === null)
        this.bad(el, `local_memory "${visible(mem)}" of NUMANode ${id} is not a number of bytes`);
      this.nodes.push({ id: id!, cpus, memoryBytes: int(mem), gpIndex: el.attrs.gp_index, line: el.line });
      here.nodeAbove = id;
    }
    const below: number[] = [];
    if (type === 'PU') {
      const id = int(el.attrs.os_index);
      if (id === null) this.bad(el, 'a PU without a numeric os_index');
      const own = el.attrs.complete_nodeset ?? el.attrs.nodeset;
      const nodes = own === undefined ? null : parseHwlocBitmap(own);
      this.pus.push({ ...here, id: id!, line: el.line, nodeOwn: nodes?.length === 1 ? nodes[0]! : null });
      below.push(id!);
    }
    for (const child of el.children) {
      if (child.name !== 'object') continue;
      if (depth > 128) this.bad(child, 'objects nested deeper than any hwloc topology');
      below.push(...this.walk(child, here, depth + 1));
    }
    const cache = cacheOf(el);
    if (cache) {
      const size = int(el.attrs.cache_size);
      this.caches.push({ ...cache, sizeBytes: size === null || size === 0 ? null : size, cpus: [...below] });
    }
    return below;
  }
}

/** The NUMA distance matrix as rows in the order of `nodes`, or null when the file has none that covers them. */
function distanceRows(doc: XmlElement, nodes: NodeObj[], notes: string[]): (number[] | null)[] | null {
  const none = null;
  const v2 = doc.children.filter(
    (c) =>
      c.name === 'distances2' &&
      c.attrs.type === 'NUMANode' &&
      (c.attrs.name === 'NUMALatency' || ((int(c.attrs.kind) ?? 0) & 4) !== 0),
  );
  if (v2.length > 0) {
    const d = v2[0]!;
    const n = int(d.attrs.nbobjs);
    const numbers = (tag: string[]): number[] =>
      d.children
        .filter((c) => tag.includes(c.name))
        .flatMap((c) => c.text.trim().split(/\s+/).filter(Boolean))
        .map((t) => (/^\d+$/.test(t) ? Number(t) : NaN));
    const indexes = numbers(['indexes']);
    const values = numbers(['u64values', 'values']);
    if (
      n === null ||
      indexes.length !== n ||
      values.length !== n * n ||
      [...indexes, ...values].some(isNaN)
    ) {
      notes.push(
        `The <distances2> on line ${d.line} does not hold nbobjs indexes and nbobjs² values: distances unknown.`,
      );
      return none;
    }
    const byGp = d.attrs.indexing === 'gp';
    const pos = new Map<number, number>();
    indexes.forEach((idx, i) => {
      const node = byGp ? nodes.find((x) => x.gpIndex === String(idx)) : nodes.find((x) => x.id === idx);
      if (node) pos.set(node.id, i);
    });
    if (nodes.some((x) => !pos.has(x.id))) {
      const missing = nodes.filter((x) => !pos.has(x.id)).map((x) => x.id);
      notes.push(
        `The distance matrix does not cover node${missing.length > 1 ? 's' : ''} ${formatCpuList(missing)}: distances unknown.`,
      );
      return none;
    }
    return nodes.map((a) => nodes.map((b) => values[pos.get(a.id)! * n + pos.get(b.id)!]!));
  }
  // hwloc 1.x: <distances nbobjs latency_base><latency value/>…</distances>, over NUMA nodes in document order.
  const v1: XmlElement[] = [];
  const find = (el: XmlElement): void => {
    for (const c of el.children) {
      if (c.name === 'distances') v1.push(c);
      else if (c.name === 'object') find(c);
    }
  };
  find(doc);
  const inOrder = nodes.filter((x) => x.line > 0);
  const d = v1.find((x) => int(x.attrs.nbobjs) === inOrder.length && inOrder.length > 0);
  if (!d) return none;
  const base = Number(d.attrs.latency_base ?? '1');
  const values = d.children.filter((c) => c.name === 'latency').map((c) => Number(c.attrs.value) * base);
  const n = inOrder.length;
  if (values.length !== n * n || values.some((v) => !Number.isFinite(v) || v < 0)) {
    notes.push(`The <distances> on line ${d.line} does not hold nbobjs² latencies: distances unknown.`);
    return none;
  }
  if (inOrder.length !== nodes.length) return none;
  return nodes.map((_, i) => nodes.map((__, j) => Math.round(values[i * n + j]!)));
}

/**
 * Core types from hwloc 2's `<cpukind>` elements, fastest first (hwloc ranks them by efficiency, highest the most
 * powerful), when every kind is named by a CoreType info (hwloc writes one for Intel hybrids; ours for any type):
 * kinds told apart only by capacity have no model name, and a type is its model name here.
 */
function cpuKinds(doc: XmlElement, online: Set<number>, origin: string): CoreTypeInfo[] | null {
  const kinds = doc.children.filter((c) => c.name === 'cpukind');
  if (kinds.length === 0 || kinds.some((k) => !infoOf(k, 'CoreType'))) return null;
  const out = kinds.map((k, i) => {
    const cpus = k.attrs.cpuset === undefined ? null : parseHwlocBitmap(k.attrs.cpuset);
    if (cpus === null) throw new Error(`${origin}: line ${k.line}: a <cpukind> without a readable cpuset`);
    const capacity = int(infoOf(k, 'LinuxCapacity') ?? undefined);
    return {
      rank: int(k.attrs.forced_efficiency) ?? int(k.attrs.efficiency) ?? i,
      type: {
        name: infoOf(k, 'CoreType')!,
        cpus: cpus.filter((c) => online.has(c)),
        ...(capacity !== null ? { capacity } : {}),
      },
    };
  });
  return out.sort((a, b) => b.rank - a.rank).map((k) => k.type);
}

/** Parse `lstopo --of xml` text; `name` is recorded as the model's origin and named in errors. */
export function topologyFromHwlocXml(text: string, name?: string): Topology {
  const origin = name ?? 'input';
  let doc: XmlElement;
  try {
    doc = parseXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError)
      throw new Error(`${origin} is not well-formed XML: ${visible(err.message, 160)}`, { cause: err });
    throw err;
  }
  if (doc.name !== 'topology')
    throw new Error(
      `${origin} is XML but not an hwloc topology: its root is <${visible(doc.name)}>, expected <topology> (lstopo --of xml)`,
    );
  const roots = doc.children.filter((c) => c.name === 'object');
  if (roots.length !== 1)
    throw new Error(`${origin}: an hwloc topology has one root <object>, this one has ${roots.length}`);
  const root = roots[0]!;
  const version = doc.attrs.version ?? '1.x';
  const notes: string[] = [];
  if (!/^[12]\./.test(version) && version !== '1.x')
    notes.push(`hwloc XML version ${visible(version)} is newer than this reader knows (2.x): read as 2.x.`);

  const reader = new Reader(origin);
  reader.walk(root, {
    packageId: null,
    packageKey: null,
    coreKey: null,
    coreId: null,
    clusterKey: null,
    clusterId: null,
    nodeAbove: null,
  });
  if (reader.pus.length === 0)
    throw new Error(`${origin}: this hwloc topology has no PU object, so no CPU to show`);
  const seen = new Map<number, number>();
  for (const pu of reader.pus) {
    if (seen.has(pu.id))
      throw new Error(
        `${origin}: line ${pu.line}: PU ${pu.id} appears twice (first on line ${seen.get(pu.id)})`,
      );
    seen.set(pu.id, pu.line);
  }

  const bitmap = (attr: string): number[] | null => {
    const v = root.attrs[attr];
    if (v === undefined) return null;
    const ids = parseHwlocBitmap(v);
    if (ids === null)
      throw new Error(
        `${origin}: line ${root.line}: ${attr} "${visible(v)}" is not an hwloc bitmap (of at most 65536 ids)`,
      );
    return ids;
  };
  const complete = bitmap('complete_cpuset') ?? [];
  const onlineV1 = bitmap('online_cpuset');
  const allowedSet = bitmap('allowed_cpuset');
  const allowedNodes = bitmap('allowed_nodeset');
  const completeNodes = bitmap('complete_nodeset') ?? [];

  const inTree = new Set(reader.pus.map((p) => p.id));
  const onlineV1Set = onlineV1 === null ? null : new Set(onlineV1);
  const online = new Set([...inTree].filter((id) => onlineV1Set?.has(id) ?? true));
  const allIds = [...new Set([...complete, ...inTree])].sort((a, b) => a - b);
  const missing = allIds.filter((id) => !inTree.has(id));
  // hwloc 2 leaves out of its tree both offline PUs and, unless run with --whole-system, the PUs its process may
  // not use; when the tree holds a disallowed PU it was --whole-system and the missing ones are offline for sure.
  const allowedLookup = new Set(allowedSet ?? []);
  const wholeSystem = allowedSet !== null && [...inTree].some((id) => !allowedLookup.has(id));
  if (missing.length > 0 && !wholeSystem && onlineV1 === null)
    notes.push(
      `CPU${missing.length > 1 ? 's' : ''} ${formatCpuList(missing)} ${missing.length > 1 ? 'are' : 'is'} in hwloc's complete_cpuset but not in its tree: offline, or not allowed ` +
        `to the process that ran lstopo (lstopo --whole-system tells which); shown as offline.`,
    );

  // Nodes: the NUMANode objects, and those the root's complete_nodeset names but the tree left out (disallowed).
  const nodeObjs = [...reader.nodes];
  for (const id of completeNodes)
    if (!nodeObjs.some((n) => n.id === id))
      nodeObjs.push({ id, cpus: null, memoryBytes: null, gpIndex: undefined, line: 0 });
  nodeObjs.sort((a, b) => a.id - b.id);
  const dupNode = nodeObjs.find((n, i) => i > 0 && nodeObjs[i - 1]!.id === n.id);
  if (dupNode) throw new Error(`${origin}: line ${dupNode.line}: NUMANode ${dupNode.id} appears twice`);
  const nodeOfPu = (pu: PuFacts): number | null => {
    if (pu.nodeOwn !== null && nodeObjs.some((n) => n.id === pu.nodeOwn)) return pu.nodeOwn;
    if (pu.nodeAbove !== null) return pu.nodeAbove;
    return nodeObjs.find((n) => n.cpus?.includes(pu.id))?.id ?? null;
  };

  const puById = new Map(reader.pus.map((p) => [p.id, p]));
  const allowedIds = allowedSet === null ? null : new Set(allowedSet);
  const raw: RawCpu[] = allIds.map((id): RawCpu => {
    const pu = puById.get(id);
    if (!pu || !online.has(id)) return offlineRaw(id, null);
    return {
      id,
      online: true,
      packageId: pu.packageId,
      node: nodeOfPu(pu),
      coreKey: pu.coreKey ?? `pu${id}`,
      coreId: pu.coreId,
      clusterKey: pu.clusterKey,
      clusterId: pu.clusterId,
      isolated: null,
      allowed: allowedIds === null ? null : allowedIds.has(id),
    };
  });
  uniquePackageLabels(raw, puById);
  const cpus = assembleCpus(raw);
  const packages = packagesOf(cpus);
  const onlineIds = new Set(cpus.filter((c) => c.online).map((c) => c.id));
  const caches = dedupeCaches(
    reader.caches
      .map((c) => ({ ...c, cpus: c.cpus.filter((id) => onlineIds.has(id)) }))
      .filter((c) => c.cpus.length > 0),
  );

  // hwloc writes no local_memory for a node without memory; a file that gives none at all simply does not say.
  const memoryKnown = nodeObjs.some((n) => n.memoryBytes !== null);
  const rows = distanceRows(doc, nodeObjs, notes);
  const nodes: NodeInfo[] = nodeObjs.map((n, i) => ({
    id: n.id,
    cpus: cpus.filter((c) => c.online && c.node === n.id).map((c) => c.id),
    memoryBytes: n.memoryBytes ?? (memoryKnown && n.line > 0 ? 0 : null),
    freeBytes: null,
    distances: rows?.[i] ?? null,
    ...(allowedNodes !== null ? { memAllowed: allowedNodes.includes(n.id) } : {}),
  }));
  const dropped = nodeObjs.filter((n) => n.line === 0).map((n) => n.id);
  if (dropped.length > 0)
    notes.push(
      `NUMA node${dropped.length > 1 ? 's' : ''} ${formatCpuList(dropped)} ${dropped.length > 1 ? 'are' : 'is'} in hwloc's complete_nodeset ` +
        `but not in its tree (not allowed to the process that ran lstopo): memory unknown.`,
    );
  if (nodes.length === 0) {
    nodes.push({
      id: 0,
      cpus: [...onlineIds].sort((a, b) => a - b),
      memoryBytes: int(root.attrs.local_memory),
      freeBytes: null,
      distances: null,
    });
    for (const c of cpus) if (c.online) c.node = 0;
    notes.push('The hwloc topology has no NUMA node: the machine is shown as a single node 0.');
  }

  const coreTypes = cpuKinds(doc, onlineIds, origin);
  if (coreTypes) {
    const typeOf = new Map(coreTypes.flatMap((k) => k.cpus.map((c): [number, string] => [c, k.name])));
    for (const c of cpus) c.coreType = c.online ? (typeOf.get(c.id) ?? null) : null;
  }

  const memTotal = nodes.reduce<number | null>(
    (sum, n) => (n.memoryBytes === null ? sum : (sum ?? 0) + n.memoryBytes),
    null,
  );
  const pageSizes = [...text.matchAll(/<page_type size="(\d+)"/g)].map((m) => Number(m[1]));
  return {
    source: 'hwloc-xml',
    model: reader.model,
    arch: infoOf(root, 'Architecture'),
    packages,
    nodes,
    cpus,
    caches,
    ...(coreTypes ? { coreTypes } : {}),
    vendor: reader.vendor,
    midr: null,
    ...(name !== undefined ? { origin: name } : {}),
    notes,
    coarse: false,
    memTotalBytes: memTotal,
    kernel: {
      release: infoOf(root, 'OSRelease'),
      pageSizeBytes: pageSizes.length > 0 ? Math.min(...pageSizes) : null,
      thp: null,
      cmdline: null,
    },
    bindingSupported: true,
  };
}
