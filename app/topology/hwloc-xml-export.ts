/**
 * `aio-tuner topology --format xml`: the model as hwloc 2 XML, which `lstopo --input FILE` draws and `--from`
 * reads back. The tree is built as hwloc builds its own: every package, cache, cluster and core is a set of
 * CPUs, nested by inclusion (equal sets in hwloc's order: Package above caches above Cluster above Core); each
 * NUMA node hangs, as a memory child, under the outermost object holding exactly its CPUs.
 */
import { escapeXml } from './hwloc-xml-parse';
import { formatHwlocBitmap } from './hwloc-xml-bitmap';
import type { CacheInfo, Topology } from '../shared/topology';

interface Obj {
  type: string;
  /** Outer before inner when two objects hold the same CPUs. */
  rank: number;
  cpus: number[];
  attrs: [string, string | number][];
  infos: [string, string][];
  children: Obj[];
  memory: Obj[];
}

const CACHE_TYPE: Record<CacheInfo['type'], number> = { Unified: 0, Data: 1, Instruction: 2 };

function cacheObj(c: CacheInfo): Obj {
  const name = `L${c.level}${c.type === 'Instruction' ? 'i' : ''}Cache`;
  const attrs: Obj['attrs'] = [];
  if (c.sizeBytes !== null) attrs.push(['cache_size', c.sizeBytes]);
  attrs.push(['depth', c.level], ['cache_type', CACHE_TYPE[c.type]]);
  // Outer levels first; at one level the data (or unified) cache holds the instruction cache, as hwloc nests them.
  const rank = 10 + (10 - c.level) * 3 + (c.type === 'Instruction' ? 1 : 0);
  return { type: name, rank, cpus: c.cpus, attrs, infos: [], children: [], memory: [] };
}

const setOf = new WeakMap<number[], Set<number>>();

function contains(outer: number[], inner: number[]): boolean {
  let set = setOf.get(outer);
  if (!set) {
    set = new Set(outer);
    setOf.set(outer, set);
  }
  return inner.every((c) => set.has(c));
}

/** Place `o` below the deepest object that holds all its CPUs; false when it straddles two siblings. */
function insert(parent: Obj, o: Obj): boolean {
  for (const child of parent.children) {
    const overlap = o.cpus.some((c) => contains(child.cpus, [c]));
    if (!overlap) continue;
    if (contains(child.cpus, o.cpus)) return insert(child, o);
    if (!contains(o.cpus, child.cpus)) return false;
  }
  // The children `o` holds move below it (only possible when sets arrive smaller first; kept for safety).
  const inside = parent.children.filter((c) => contains(o.cpus, c.cpus));
  parent.children = parent.children.filter((c) => !inside.includes(c));
  o.children.push(...inside);
  parent.children.push(o);
  return true;
}

/** The outermost object whose CPUs are exactly `cpus`. */
function exactly(o: Obj, cpus: number[]): Obj | null {
  if (o.cpus.length === cpus.length && contains(o.cpus, cpus)) return o;
  for (const c of o.children) {
    if (!contains(c.cpus, cpus)) continue;
    const hit = exactly(c, cpus);
    if (hit) return hit;
  }
  return null;
}

export function hwlocXmlFromTopology(t: Topology): string {
  const live = t.cpus.filter((c) => c.online);
  const liveIds = live.map((c) => c.id);
  const nodeOf = new Map(live.map((c) => [c.id, c.node]));
  const all = t.cpus.map((c) => c.id);
  const allowed = live.filter((c) => c.allowed !== false).map((c) => c.id);
  const nodeIds = t.nodes.map((n) => n.id);
  const allowedNodes = t.nodes.filter((n) => n.memAllowed !== false).map((n) => n.id);

  const machine: Obj = {
    type: 'Machine',
    rank: 0,
    cpus: liveIds,
    attrs: [['os_index', 0]],
    infos: [],
    children: [],
    memory: [],
  };
  if (t.arch) machine.infos.push(['Architecture', t.arch]);
  if (t.kernel?.release) machine.infos.push(['OSRelease', t.kernel.release]);
  machine.infos.push(['Backend', 'AIO Tuner']);
  if (t.origin) machine.infos.push(['AIOTunerOrigin', t.origin]);

  const candidates: Obj[] = [];
  for (const p of t.packages) {
    const cpus = p.cpus.filter((c) => nodeOf.has(c));
    if (cpus.length === 0) continue;
    const infos: Obj['infos'] = [];
    if (t.vendor) infos.push(['CPUVendor', t.vendor]);
    if (t.model) infos.push(['CPUModel', t.model]);
    candidates.push({
      type: 'Package',
      rank: 1,
      cpus,
      attrs: [['os_index', p.id]],
      infos,
      children: [],
      memory: [],
    });
  }
  for (const c of t.caches) {
    const cpus = c.cpus.filter((id) => nodeOf.has(id));
    if (cpus.length > 0) candidates.push(cacheObj({ ...c, cpus }));
  }
  const group = (key: 'cluster' | 'core'): Map<number, { cpus: number[]; label: number | null }> => {
    const out = new Map<number, { cpus: number[]; label: number | null }>();
    for (const c of live) {
      const k = c[key];
      if (k === null) continue;
      const g = out.get(k) ?? { cpus: [], label: (key === 'core' ? c.coreId : c.clusterId) ?? null };
      g.cpus.push(c.id);
      out.set(k, g);
    }
    return out;
  };
  for (const g of group('cluster').values())
    candidates.push({
      type: 'Group',
      rank: 20,
      cpus: g.cpus,
      attrs: [
        ...(g.label !== null ? [['os_index', g.label] as [string, number]] : []),
        ['subtype', 'Cluster'],
      ],
      infos: [],
      children: [],
      memory: [],
    });
  for (const g of group('core').values())
    candidates.push({
      type: 'Core',
      rank: 40,
      cpus: g.cpus,
      attrs: g.label !== null ? [['os_index', g.label]] : [],
      infos: [],
      children: [],
      memory: [],
    });
  for (const c of live)
    candidates.push({
      type: 'PU',
      rank: 50,
      cpus: [c.id],
      attrs: [['os_index', c.id]],
      infos: [],
      children: [],
      memory: [],
    });

  candidates.sort((a, b) => b.cpus.length - a.cpus.length || a.rank - b.rank);
  // A set that straddles two others (no hwloc tree can hold it) is left out rather than drawn wrong.
  for (const o of candidates) insert(machine, o);

  // NUMA nodes: under the outermost object with exactly their CPUs (a Group when none has), CPU-less ones on the
  // Machine, as hwloc attaches them.
  for (const n of t.nodes) {
    const cpus = n.cpus.filter((c) => nodeOf.has(c));
    const attrs: Obj['attrs'] = [['os_index', n.id]];
    if (n.memoryBytes !== null && n.memoryBytes > 0) attrs.push(['local_memory', n.memoryBytes]);
    const node: Obj = { type: 'NUMANode', rank: 0, cpus, attrs, infos: [], children: [], memory: [] };
    let host = cpus.length === 0 ? machine : exactly(machine, cpus);
    if (host === null) {
      const g: Obj = { type: 'Group', rank: 5, cpus, attrs: [], infos: [], children: [], memory: [] };
      host = insert(machine, g) ? g : machine;
    }
    host.memory.push(node);
  }

  // Each object's nodes: those of its CPUs, and of the NUMA nodes attached at or below it.
  const nodesBelow = (o: Obj): number[] => {
    const set = new Set<number>();
    for (const id of o.cpus) {
      const n = nodeOf.get(id);
      if (n !== null && n !== undefined) set.add(n);
    }
    for (const m of o.memory) set.add(Number(m.attrs[0]![1]));
    for (const c of o.children) for (const n of nodesBelow(c)) set.add(n);
    return [...set].sort((a, b) => a - b);
  };

  let gp = 0;
  const lines: string[] = [];
  const write = (o: Obj, indent: string): void => {
    const isRoot = o === machine;
    const nodeset = o.type === 'NUMANode' ? [Number(o.attrs[0]![1])] : isRoot ? nodeIds : nodesBelow(o);
    const head: [string, string | number][] = [['type', o.type]];
    // hwloc's os_index is unsigned: a negative kernel label (physical_package_id -1) is written as unknown.
    const osIndex = o.attrs.find(([k]) => k === 'os_index');
    if (osIndex && Number(osIndex[1]) >= 0) head.push(osIndex);
    head.push(
      ['cpuset', formatHwlocBitmap(o.cpus)],
      ['complete_cpuset', formatHwlocBitmap(isRoot ? all : o.cpus)],
    );
    if (isRoot) head.push(['allowed_cpuset', formatHwlocBitmap(allowed)]);
    head.push(['nodeset', formatHwlocBitmap(nodeset)], ['complete_nodeset', formatHwlocBitmap(nodeset)]);
    if (isRoot) head.push(['allowed_nodeset', formatHwlocBitmap(allowedNodes)]);
    head.push(['gp_index', ++gp]);
    for (const a of o.attrs) if (a[0] !== 'os_index') head.push(a);
    const attrText = head.map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
    const body = [...o.infos, ...o.memory, ...o.children];
    if (body.length === 0) {
      lines.push(`${indent}<object${attrText}/>`);
      return;
    }
    lines.push(`${indent}<object${attrText}>`);
    for (const [k, v] of o.infos)
      lines.push(`${indent}  <info name="${escapeXml(k)}" value="${escapeXml(v)}"/>`);
    for (const m of o.memory) write(m, indent + '  ');
    for (const c of [...o.children].sort((a, b) => (a.cpus[0] ?? -1) - (b.cpus[0] ?? -1)))
      write(c, indent + '  ');
    lines.push(`${indent}</object>`);
  };

  lines.push(
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE topology SYSTEM "hwloc2.dtd">',
    '<topology version="2.0">',
  );
  write(machine, '  ');
  const rows = t.nodes.map((n) => n.distances);
  // hwloc ignores (and warns about) a matrix of one node.
  if (t.nodes.length > 1 && rows.every((r) => r !== null && r.length === t.nodes.length)) {
    const ids = nodeIds.join(' ') + ' ';
    const values = rows.flatMap((r) => r!).join(' ') + ' ';
    lines.push(
      `  <distances2 type="NUMANode" nbobjs="${t.nodes.length}" kind="5" name="NUMALatency" indexing="os">`,
      `    <indexes length="${ids.length}">${ids}</indexes>`,
      `    <u64values length="${values.length}">${values}</u64values>`,
      '  </distances2>',
    );
  }
  // Core types as hwloc's CPU kinds: efficiency ranks them (highest = fastest), CoreType names them as hwloc
  // names Intel's, LinuxCapacity is the kernel's cpu_capacity hwloc itself records.
  const types = (t.coreTypes ?? []).filter((k) => k.cpus.some((c) => nodeOf.has(c)));
  types.forEach((k, i) => {
    lines.push(
      `  <cpukind cpuset="${formatHwlocBitmap(k.cpus.filter((c) => nodeOf.has(c)))}" forced_efficiency="${types.length - 1 - i}">`,
      `    <info name="CoreType" value="${escapeXml(k.name)}"/>`,
      ...(k.capacity !== null && k.capacity !== undefined
        ? [`    <info name="LinuxCapacity" value="${k.capacity}"/>`]
        : []),
      '  </cpukind>',
    );
  });
  lines.push('</topology>');
  return lines.join('\n') + '\n';
}
