/**
 * Compact text view of a Topology, in the spirit of `lstopo --of console` but with CPU ranges instead of one
 * line per CPU, so that a 256-CPU, 8-node machine still fits on one screen.
 */
import { formatCpuList } from '../shared/cpulist';
import type { CacheInfo, CpuInfo, NodeInfo, Topology } from '../shared/topology';
import { visible } from './damaged';
import { formatBytes } from '../shared/units';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function gib(bytes: number | null): string {
  if (bytes === null) return 'memory unknown';
  if (bytes === 0) return 'no memory';
  const g = bytes / 1024 ** 3;
  return `${g >= 10 ? Math.round(g) : g.toFixed(1)} GiB`;
}

function coreCount(cpus: CpuInfo[]): number | null {
  const live = cpus.filter((c) => c.online);
  if (live.length === 0 || live.some((c) => c.core === null)) return null;
  return new Set(live.map((c) => c.core)).size;
}

function clusterCount(cpus: CpuInfo[]): number | null {
  const ids = new Set(cpus.filter((c) => c.online && c.cluster !== null).map((c) => c.cluster));
  return ids.size === 0 ? null : ids.size;
}

function coreText(cpus: CpuInfo[]): string {
  const cores = coreCount(cpus);
  if (cores === null) return 'cores unknown';
  const threads = Math.max(1, ...cpus.map((c) => c.siblings?.length ?? 1));
  const clusters = clusterCount(cpus);
  const parts = [plural(cores, 'core')];
  // Clusters equal to cores (x86 reports one per L2) carry no information.
  if (clusters !== null && clusters !== cores) parts.push(plural(clusters, 'cluster'));
  if (threads > 1) parts.push(`SMT${threads}`);
  return parts.join(', ');
}

function nodeLine(n: NodeInfo, indent: string): string {
  const parts = [`${indent}node ${n.id}: ${n.cpus.length ? `CPUs ${formatCpuList(n.cpus)}` : 'no CPUs'}`];
  let mem = gib(n.memoryBytes);
  if (n.memoryBytes && n.freeBytes !== null) mem += ` (${gib(n.freeBytes)} free)`;
  parts.push(mem);
  if (n.distances) parts.push(`distances ${n.distances.join(' ')}`);
  return parts.join(' · ');
}

function cacheLine(caches: CacheInfo[]): string | null {
  if (caches.length === 0) return null;
  const groups = new Map<
    string,
    { label: string; size: number | null; count: number; sharing: Set<number> }
  >();
  for (const c of caches) {
    const label = `L${c.level}${c.type === 'Data' ? 'd' : c.type === 'Instruction' ? 'i' : ''}`;
    const key = `${label}|${c.sizeBytes}`;
    const g = groups.get(key) ?? { label, size: c.sizeBytes, count: 0, sharing: new Set<number>() };
    g.count++;
    g.sharing.add(c.cpus.length);
    groups.set(key, g);
  }
  const items = [...groups.values()].map((g) => {
    const size = g.size === null ? 'size unknown' : formatBytes(g.size);
    const shared = g.sharing.size === 1 ? [...g.sharing][0]! : null;
    const note = shared !== null && shared > 1 ? ` (${shared} CPUs each)` : '';
    return `${g.label} ${size} ×${g.count}${note}`;
  });
  return `caches: ${items.join(', ')}`;
}

/**
 * One line per core type on a heterogeneous machine, fastest first, like lscpu's model blocks. A uniform
 * machine prints none: its one type is the model on the first line.
 */
function coreTypeLines(t: Topology): string[] {
  const types = t.coreTypes ?? [];
  if (types.length < 2) return [];
  return types.map((ct) => {
    const inType = new Set(ct.cpus);
    const parts = [
      `core type ${ct.name}: ${ct.cpus.length === 1 ? 'CPU' : 'CPUs'} ${formatCpuList(ct.cpus)}`,
      coreText(t.cpus.filter((c) => inType.has(c.id))),
    ];
    if (ct.capacity !== null && ct.capacity !== undefined) parts.push(`capacity ${ct.capacity}`);
    return parts.join(' · ');
  });
}

export function formatTopologySummary(t: Topology): string {
  const lines: string[] = [];
  const online = t.cpus.filter((c) => c.online);
  const cores = coreCount(t.cpus);

  const head = [t.model ?? 'unknown CPU', t.arch ?? 'unknown arch'];
  head.push(
    [
      plural(t.cpus.length, 'CPU'),
      cores === null ? null : plural(cores, 'core'),
      t.packages.length ? plural(t.packages.length, 'package') : 'packages unknown',
      plural(t.nodes.length, 'NUMA node'),
    ]
      .filter(Boolean)
      .join(', '),
  );
  if (t.memTotalBytes) head.push(`${gib(t.memTotalBytes)} RAM`);
  lines.push(head.join(' · '));

  const origin = `source: ${t.source}${t.origin ? ` (${t.origin})` : ''}${t.coarse ? ', coarse' : ''}`;
  const k = t.kernel;
  const kernel = k
    ? [
        k.release ? `kernel ${k.release}` : null,
        k.pageSizeBytes ? `page size ${formatBytes(k.pageSizeBytes)}` : null,
        k.thp ? `THP ${k.thp}` : null,
      ].filter(Boolean)
    : [];
  lines.push([origin, ...kernel].join(' · '));

  // Nodes are shown under the package that holds all their CPUs; the rest (CPU-less, spanning) after.
  const placed = new Set<number>();
  for (const p of t.packages) {
    const inPkg = new Set(p.cpus);
    const pkgCpus = t.cpus.filter((c) => inPkg.has(c.id));
    lines.push(`package ${p.id}: CPUs ${formatCpuList(p.cpus)} · ${coreText(pkgCpus)}`);
    for (const n of t.nodes) {
      if (n.cpus.length > 0 && n.cpus.every((c) => inPkg.has(c))) {
        lines.push(nodeLine(n, '  '));
        placed.add(n.id);
      }
    }
  }
  if (t.packages.length === 0 && online.length > 0)
    lines.push(`CPUs ${formatCpuList(online.map((c) => c.id))} · ${coreText(t.cpus)} (packages unknown)`);
  for (const n of t.nodes) if (!placed.has(n.id)) lines.push(nodeLine(n, t.packages.length ? '' : '  '));

  lines.push(...coreTypeLines(t));

  const cache = cacheLine(t.caches);
  if (cache) lines.push(cache);

  const marks: string[] = [];
  const offline = t.cpus.filter((c) => !c.online).map((c) => c.id);
  const isolated = t.cpus.filter((c) => c.isolated === true).map((c) => c.id);
  const denied = online.filter((c) => c.allowed === false).map((c) => c.id);
  // Imports cannot say (null): say so once rather than call those CPUs usable or unusable.
  const unknown = online.filter((c) => c.isolated === null || c.allowed === null).map((c) => c.id);
  if (offline.length) marks.push(`offline: ${formatCpuList(offline)}`);
  if (isolated.length) marks.push(`isolated: ${formatCpuList(isolated)}`);
  if (denied.length) marks.push(`not allowed for this process: ${formatCpuList(denied)}`);
  if (unknown.length) marks.push(`isolation/affinity unknown: ${formatCpuList(unknown)}`);
  if (marks.length) lines.push(marks.join(' · '));
  if (t.bindingSupported === false) lines.push('binding: unavailable on this host');

  for (const note of t.notes ?? []) lines.push(`note: ${note}`);
  // Model names, notes and origins come from files of another machine: their bytes never reach a terminal raw.
  return lines.map((l) => visible(l, Infinity)).join('\n');
}
