/**
 * Imports `lscpu` summaries (text, both the flat and the ≥ 2.38 indented layouts, and `lscpu -J`). A summary
 * only has counts, so the result is coarse: anything that cannot be derived exactly from the counts is null.
 */
import { archFromVendor } from './arch';
import { packagesOf } from './assemble';
import { formatCpuList } from '../shared/cpulist';
import { modelFromLscpuName } from './model-name';
import { safeCpuList } from './proc';
import type { CacheInfo, CpuInfo, NodeInfo, Topology } from '../shared/topology';
import { parseSizeBytes } from '../shared/units';

export type SummaryFields = Map<string, string>;

/** The ≥ 2.38 indented layout nests caches under "Caches (sum of all):" as bare "L1d:", "L2:". */
function normaliseKey(key: string): string {
  const k = key.trim().replace(/:$/, '').trim();
  return /^L\d[di]?$/i.test(k) ? `${k} cache` : k;
}

/** "Key:   value" lines, indentation ignored; section headers (empty value) are skipped. */
export function summaryFieldsFromText(text: string): SummaryFields {
  const fields: SummaryFields = new Map();
  for (const line of text.split('\n')) {
    const m = /^\s*([^:]+):(.*)$/.exec(line);
    if (!m) continue;
    const value = m[2]!.trim();
    if (value !== '') setField(fields, normaliseKey(m[1]!), value);
  }
  return fields;
}

/**
 * A machine with several CPU types prints a section per type, each with its own "Flags:": the machine's flags
 * are those every section lists (as `cpuinfoFlags` keeps those every CPU lists). Any other repeated key: the
 * last one, as before.
 */
function setField(fields: SummaryFields, key: string, value: string): void {
  const before = fields.get(key);
  if (key !== 'Flags' || before === undefined) {
    fields.set(key, value);
    return;
  }
  const now = new Set(value.split(/\s+/));
  fields.set(
    key,
    before
      .split(/\s+/)
      .filter((f) => now.has(f))
      .join(' '),
  );
}

interface JsonField {
  field?: unknown;
  data?: unknown;
  children?: unknown;
}

/** `lscpu -J`: {"lscpu":[{field,data,children?}]}, flat or nested depending on the util-linux version. */
export function summaryFieldsFromJson(entries: unknown[]): SummaryFields {
  const fields: SummaryFields = new Map();
  const walk = (list: unknown[]): void => {
    for (const e of list) {
      if (typeof e !== 'object' || e === null) continue;
      const { field, data, children } = e as JsonField;
      if (typeof field === 'string' && (typeof data === 'string' || typeof data === 'number'))
        if (String(data).trim() !== '') setField(fields, normaliseKey(field), String(data).trim());
      if (Array.isArray(children)) walk(children);
    }
  };
  walk(entries);
  return fields;
}

const int = (text: string | undefined): number | null =>
  text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;

interface CacheLine {
  level: number;
  type: CacheInfo['type'];
  label: string;
  totalBytes: number | null;
  perInstanceBytes: number | null;
  instances: number | null;
}

/**
 * "5 MiB (80 instances)" (≥ 2.37: sum and count), "16 MiB" (2.34-2.36: sum only) or "64K" (< 2.34: one
 * instance). The unit spelling tells the old per-instance form from the sum.
 */
function parseCacheLine(label: string, value: string): CacheLine | null {
  const name = /^L(\d)([di]?)$/i.exec(label);
  if (!name) return null;
  const type: CacheInfo['type'] = name[2] === 'd' ? 'Data' : name[2] === 'i' ? 'Instruction' : 'Unified';
  const m = /^\s*([\d.]+\s*[KMGT]?i?B?)\s*(?:\((\d+) instances?\))?\s*$/i.exec(value);
  if (!m) return null;
  const bytes = parseSizeBytes(m[1]!);
  const instances = m[2] === undefined ? null : Number(m[2]);
  const isSum = /iB/i.test(m[1]!) || instances !== null;
  return {
    level: Number(name[1]),
    type,
    label: `L${name[1]}${name[2]}`,
    totalBytes: isSum ? bytes : null,
    perInstanceBytes: !isSum ? bytes : bytes !== null && instances ? Math.round(bytes / instances) : null,
    instances,
  };
}

export function topologyFromSummary(
  fields: SummaryFields,
  source: 'lscpu' | 'lscpu-J',
  origin: string | undefined,
): Topology {
  const get = (key: string): string | undefined => fields.get(key);
  const what = source === 'lscpu' ? 'an lscpu summary' : 'lscpu -J summary output';
  const notes: string[] = [
    `Imported from ${what}: per-CPU core and cache sharing are derived from counts, not read.`,
  ];

  const total = int(get('CPU(s)'));
  const onlineList = safeCpuList(get('On-line CPU(s) list') ?? null);
  const offlineList = safeCpuList(get('Off-line CPU(s) list') ?? null) ?? [];
  const online = new Set(onlineList ?? (total === null ? [] : [...Array(total).keys()]));
  const ids = [...new Set([...online, ...offlineList])].sort((a, b) => a - b);
  if (ids.length === 0) throw new Error('lscpu summary has neither "CPU(s)" nor "On-line CPU(s) list"');
  const onlineIds = ids.filter((id) => online.has(id));

  const threads = int(get('Thread(s) per core'));
  const coresPerSocket = int(get('Core(s) per socket')) ?? int(get('Core(s) per cluster'));
  const sockets = int(get('Socket(s)'));

  const nodes: NodeInfo[] = [...fields]
    .map(([k, v]) => ({ m: /^NUMA node(\d+) CPU\(s\)$/.exec(k), v }))
    .filter((x): x is { m: RegExpExecArray; v: string } => x.m !== null)
    .map(({ m, v }) => ({
      id: Number(m[1]),
      cpus: safeCpuList(v) ?? [],
      memoryBytes: null,
      freeBytes: null,
      distances: null,
    }))
    .sort((a, b) => a.id - b.id);
  if (nodes.length > 0) notes.push('lscpu does not show NUMA memory sizes or distances.');
  const nodeOf = new Map<number, number>();
  for (const n of nodes) for (const c of n.cpus) nodeOf.set(c, n.id);

  // Package membership only when the counts leave no choice (see README: never guess packages).
  const packageOf = new Map<number, number>();
  if (sockets === 1) for (const id of onlineIds) packageOf.set(id, 0);
  else if (sockets !== null && sockets > 1) {
    const withCpus = nodes.filter((n) => n.cpus.length > 0).sort((a, b) => a.cpus[0]! - b.cpus[0]!);
    const covered = withCpus.reduce((sum, n) => sum + n.cpus.length, 0) === onlineIds.length;
    const equal = withCpus.every((n) => n.cpus.length === withCpus[0]!.cpus.length);
    if (withCpus.length === sockets && covered && equal)
      withCpus.forEach((n, i) => n.cpus.forEach((c) => packageOf.set(c, i)));
    else
      notes.push(
        `${sockets} sockets, but the NUMA node CPU lists do not map one-to-one onto them: packages are unknown.`,
      );
  }

  // Without SMT every online CPU is its own core; with SMT the summary does not say which CPUs pair up.
  const coreOf = new Map<number, number>();
  if (threads === 1) onlineIds.forEach((id, i) => coreOf.set(id, i));
  else if (threads !== null && threads > 1)
    notes.push(
      `${threads} threads per core, but a summary does not say which CPUs are siblings: per-CPU cores are ` +
        'unknown (import `lscpu -e` or `lscpu -p` output for them).',
    );

  const cpus: CpuInfo[] = ids.map((id) => {
    const up = online.has(id);
    const core = up ? (coreOf.get(id) ?? null) : null;
    return {
      id,
      package: up ? (packageOf.get(id) ?? null) : null,
      node: up ? (nodeOf.get(id) ?? null) : null,
      core,
      cluster: null,
      siblings: core === null ? null : [id],
      online: up,
      // A summary says nothing about isolcpus or the affinity of any process: unknown, not "no".
      isolated: null,
      allowed: up ? null : false,
      coreId: null,
      clusterId: null,
    };
  });
  notes.push(
    'Isolation (isolcpus) and process affinity are not in this format: unknown, every online CPU can be picked.',
  );

  const packages = packagesOf(cpus);
  const caches = deriveCaches(fields, cpus, packages.length, notes);

  const vendor = get('Vendor ID') ?? null;
  const reportedArch = get('Architecture') ?? null;
  const derivedArch = archFromVendor(vendor, get('CPU op-mode(s)') ?? null);
  if (derivedArch && reportedArch && derivedArch !== reportedArch)
    notes.push(
      `lscpu reported Architecture ${reportedArch}, but vendor ${vendor} means ${derivedArch} ` +
        '(`lscpu --sysroot` prints the architecture of the host it ran on).',
    );
  const modelName = get('Model name') ?? null;
  const coreCount = threads === 1 ? onlineIds.length : null;
  const model =
    modelName === null
      ? null
      : modelFromLscpuName(modelName, {
          coresPerPackage: coresPerSocket ?? (coreCount !== null && sockets ? coreCount / sockets : null),
          boardVendor: get('BIOS Vendor ID') ?? null,
          biosModel: get('BIOS Model name') ?? null,
        });
  if (get('BIOS Model name')) notes.push(`BIOS model name: ${get('BIOS Model name')}.`);
  if (offlineList.length > 0) notes.push(`Offline CPUs: ${formatCpuList(offlineList)}.`);

  return {
    source,
    model,
    arch: derivedArch ?? reportedArch,
    packages,
    nodes,
    cpus,
    caches,
    vendor,
    midr: null,
    origin,
    notes,
    coarse: true,
    ...(threads !== null && threads > 1 ? { threadsPerCore: threads } : {}),
    memTotalBytes: null,
    // lscpu's "Flags:" line is /proc/cpuinfo's, so the oneDNN checks (bf16) work on an imported summary too.
    cpuFlags: flagsOf(get('Flags')),
    kernel: null,
    bindingSupported: true,
  };
}

function flagsOf(text: string | undefined): string[] | null {
  const flags = text?.split(/\s+/).filter(Boolean) ?? [];
  return flags.length === 0 ? null : [...new Set(flags)].sort();
}

/** Cache instances from the cache lines; sharing only where the instance count pins it down. */
function deriveCaches(
  fields: SummaryFields,
  cpus: CpuInfo[],
  packageCount: number,
  notes: string[],
): CacheInfo[] {
  const live = cpus.filter((c) => c.online);
  const coresKnown = live.length > 0 && live.every((c) => c.core !== null);
  const coreCount = coresKnown ? new Set(live.map((c) => c.core)).size : null;
  const out: CacheInfo[] = [];
  const unknownSharing: string[] = [];
  const assumed: string[] = [];

  for (const [key, value] of fields) {
    const m = /^(L\d[di]?) cache$/i.exec(key);
    if (!m) continue;
    const line = parseCacheLine(m[1]!, value);
    if (!line) continue;
    let instances = line.instances;
    let size = line.perInstanceBytes;
    if (instances === null && line.level <= 2 && coreCount !== null) {
      // Pre-2.37 lscpu gives no count; L1 and L2 are per core on every server core this tool targets.
      instances = coreCount;
      if (size === null && line.totalBytes !== null) size = Math.round(line.totalBytes / coreCount);
      assumed.push(line.label);
    } else if (instances === null && packageCount === 1) {
      instances = 1;
      if (size === null) size = line.totalBytes;
      assumed.push(line.label);
    }
    if (instances === null) {
      unknownSharing.push(line.label);
      if (line.totalBytes !== null || size !== null)
        out.push({ level: line.level, type: line.type, sizeBytes: size ?? line.totalBytes, cpus: [] });
      continue;
    }
    const groups = sharingGroups(instances, live, coreCount, packageCount);
    if (groups === null) unknownSharing.push(line.label);
    for (let i = 0; i < instances; i++)
      out.push({ level: line.level, type: line.type, sizeBytes: size, cpus: groups?.[i] ?? [] });
  }
  if (assumed.length > 0)
    notes.push(
      `No cache instance count for ${assumed.join(', ')}: assumed one per core (L1/L2) or per package.`,
    );
  if (unknownSharing.length > 0)
    notes.push(
      `Which CPUs share ${unknownSharing.join(', ')} cannot be derived from the counts (left empty).`,
    );
  if (out.length === 0 && ![...fields.keys()].some((k) => / cache$/.test(k)))
    notes.push('No cache lines in this summary (the firmware did not describe cache sizes).');
  return out;
}

function sharingGroups(
  instances: number,
  live: CpuInfo[],
  coreCount: number | null,
  packageCount: number,
): number[][] | null {
  if (instances === live.length) return live.map((c) => [c.id]);
  if (instances === 1) return [live.map((c) => c.id)];
  if (coreCount !== null && instances === coreCount) {
    const byCore = new Map<number, number[]>();
    for (const c of live) byCore.set(c.core!, [...(byCore.get(c.core!) ?? []), c.id]);
    return [...byCore.values()];
  }
  if (instances === packageCount) {
    const byPkg = new Map<number, number[]>();
    for (const c of live)
      if (c.package !== null) byPkg.set(c.package, [...(byPkg.get(c.package) ?? []), c.id]);
    return byPkg.size === instances ? [...byPkg.values()] : null;
  }
  return null;
}
