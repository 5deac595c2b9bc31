/**
 * Imports lscpu's per-CPU tables: `lscpu -p` (parsable), `lscpu -e` (columns) and `lscpu -J -e`. These do
 * say which CPUs share a core, socket, node and cache instance, but carry no model, memory, distances or
 * cache sizes. Column sets and order vary with the options used, so columns are found by name.
 */
import { assembleCpus, cacheType, dedupeCaches, packagesOf, type RawCpu } from './assemble';
import type { CacheInfo, NodeInfo, Topology } from '../shared/topology';

/** One CPU row: lower-case column name → value, null for "-" / empty (offline CPUs). */
export type Row = Map<string, string | null>;

const cell = (v: string | undefined): string | null => {
  if (v === undefined) return null;
  const t = v.trim();
  return t === '' || t === '-' ? null : t;
};

/** The column-name comment of `lscpu -p`, e.g. "# CPU,Core,Socket,Node,,L1d,L1i" or "# Node,Online,CPU". */
export function isParsableHeader(line: string): boolean {
  if (!line.startsWith('#')) return false;
  const names = line.replace(/^#\s*/, '').split(',');
  return (
    names.length > 0 && names.some((n) => n.trim().toUpperCase() === 'CPU') && !/\s/.test(names.join(''))
  );
}

/** `lscpu -p`: comment header, the last "# CPU,…" comment names the columns; compat mode adds an empty one. */
export function rowsFromParsable(text: string): Row[] {
  const lines = text.split('\n').map((l) => l.trimEnd());
  const header = [...lines].reverse().find(isParsableHeader);
  if (!header) throw new Error('lscpu -p output without its "# CPU,…" column header');
  const columns = header.replace(/^#\s*/, '').split(',');
  return lines
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const values = l.split(',');
      return new Map(columns.map((c, i) => [c.trim().toLowerCase(), cell(values[i])]));
    });
}

/** `lscpu -e`: a header of column names, then whitespace-separated values. */
export function rowsFromColumns(text: string): Row[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const columns = lines[0]!
    .trim()
    .split(/\s+/)
    .map((c) => c.toLowerCase());
  return lines.slice(1).map((l) => {
    const values = l.trim().split(/\s+/);
    // A free-text last column (MODELNAME) may contain spaces: give it the rest of the line.
    if (values.length > columns.length)
      values.splice(columns.length - 1, Infinity, values.slice(columns.length - 1).join(' '));
    return new Map(columns.map((c, i) => [c, cell(values[i])]));
  });
}

/** `lscpu -J -e`: {"cpus":[{"cpu":0,"online":true,…}]}; old versions quote every value. */
export function rowsFromJson(cpus: unknown[]): Row[] {
  return cpus
    .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null)
    .map(
      (c) =>
        new Map(
          Object.entries(c).map(([k, v]): [string, string | null] => [
            k.toLowerCase(),
            v === null || v === undefined
              ? null
              : typeof v === 'boolean'
                ? v
                  ? 'yes'
                  : 'no'
                : cell(String(v)),
          ]),
        ),
    );
}

const num = (v: string | null | undefined): number | null =>
  v !== null && v !== undefined && /^\d+$/.test(v) ? Number(v) : null;

/** Cache columns are "l1d", "l1i", "l2" or a combined "l1d:l1i:l2:l3" holding "0:0:0:0". */
function cacheIds(row: Row): { level: number; type: CacheInfo['type']; id: string }[] {
  const out: { level: number; type: CacheInfo['type']; id: string }[] = [];
  for (const [col, value] of row) {
    const names = col.split(':');
    if (!names.every((n) => /^l\d[di]?$/.test(n)) || value === null) continue;
    const ids = value.split(':');
    names.forEach((n, i) => {
      const id = ids[i];
      const type = cacheType(n.slice(2));
      if (id !== undefined && id !== '' && id !== '-' && type) out.push({ level: Number(n[1]), type, id });
    });
  }
  return out;
}

export function topologyFromRows(
  rows: Row[],
  source: 'lscpu-p' | 'lscpu-e' | 'lscpu-J',
  origin: string | undefined,
): Topology {
  if (rows.length === 0 || !rows.every((r) => num(r.get('cpu')) !== null))
    throw new Error(`${source} input: every row needs a numeric CPU column`);
  const hasOnline = rows.some((r) => r.has('online'));

  const raw: RawCpu[] = rows.map((r) => {
    const id = num(r.get('cpu'))!;
    const flag = (r.get('online') ?? '').toLowerCase();
    // `lscpu -p` without -a lists online CPUs only and has no ONLINE column.
    const online = hasOnline ? ['yes', 'y', 'true', '1'].includes(flag) : true;
    const socket = num(r.get('socket'));
    const cluster = num(r.get('cluster'));
    const core = num(r.get('core'));
    // lscpu's own ids; scoped by the outer levels in case an old version printed the kernel's repeating core_id.
    const scope = ['drawer', 'book', 'socket', 'cluster'].map((k) => r.get(k) ?? '').join('/');
    return {
      id,
      online,
      packageId: online ? socket : null,
      node: online ? num(r.get('node')) : null,
      coreKey: online && core !== null ? `${scope}/${core}` : null,
      coreId: online ? core : null,
      clusterKey: online && cluster !== null ? `${r.get('socket') ?? ''}/${cluster}` : null,
      clusterId: online ? cluster : null,
      // lscpu -p/-e have no isolation or affinity columns: unknown, not "no" (an offline CPU is never usable).
      isolated: null,
      allowed: online ? null : false,
    };
  });
  const cpus = assembleCpus(raw);

  const byCache = new Map<string, CacheInfo>();
  for (const r of rows) {
    const id = num(r.get('cpu'))!;
    for (const c of cacheIds(r)) {
      const key = `${c.level}|${c.type}|${c.id}`;
      const entry = byCache.get(key) ?? { level: c.level, type: c.type, sizeBytes: null, cpus: [] };
      entry.cpus.push(id);
      byCache.set(key, entry);
    }
  }

  const nodeCpus = new Map<number, number[]>();
  for (const c of cpus) if (c.node !== null) nodeCpus.set(c.node, [...(nodeCpus.get(c.node) ?? []), c.id]);
  const nodes: NodeInfo[] = [...nodeCpus]
    .sort((a, b) => a[0] - b[0])
    .map(([id, list]) => ({ id, cpus: list, memoryBytes: null, freeBytes: null, distances: null }));

  const label = source === 'lscpu-J' ? 'lscpu -J -e' : source === 'lscpu-p' ? 'lscpu -p' : 'lscpu -e';
  const notes = [
    `Imported from ${label}: CPU model, memory, NUMA distances and cache sizes are not in this format.`,
    'Isolation (isolcpus) and process affinity are not in this format: unknown, every online CPU can be picked.',
  ];
  if (!hasOnline)
    notes.push(`${label} without an ONLINE column lists online CPUs only: offline CPUs are missing.`);
  if (nodes.length > 0 && cpus.some((c) => c.online && c.node === null))
    notes.push('Some online CPUs have no NUMA node in the input.');

  return {
    source,
    model: null,
    arch: null,
    packages: packagesOf(cpus),
    nodes,
    cpus,
    caches: dedupeCaches([...byCache.values()]),
    vendor: null,
    midr: null,
    origin,
    notes,
    coarse: false,
    memTotalBytes: null,
    kernel: null,
    bindingSupported: true,
  };
}
