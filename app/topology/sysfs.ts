/**
 * Reads the machine model from sysfs/procfs below a root directory, the way `lscpu --sysroot DIR` does, so a
 * dump of another machine is read with exactly the code that reads this one.
 */
import os from 'node:os';
import { join } from 'node:path';
import { archFromNode, archFromUname, pageSizeFromRelease, releaseFromUname } from './arch';
import { assembleCpus, cacheType, dedupeCaches, offlineRaw, packagesOf, type RawCpu } from './assemble';
import { cgroupCpuset } from './cgroup';
import { formatCpuList } from '../shared/cpulist';
import {
  CACHE_FORMS,
  CLUSTER_FORMS,
  CORE_FORMS,
  FormUse,
  PACKAGE_FORMS,
  readCpuSet,
  type SetCache,
} from './cpu-sets';
import { readCoreTypes } from './core-types';
import { DamageNotes, visible } from './damaged';
import { isRecording, listDir, readAttr, readInt, readWhole } from './fs-read';
import {
  armCoreName,
  formatMidr,
  implementerName,
  midrFromCpuinfo,
  parseMidr,
  platformName,
  type Midr,
} from './model-name';
import {
  cpuinfoField,
  isolcpusFromCmdline,
  safeCpuList,
  safeCpuMask as safeMask,
  selectedChoice,
  statusField,
} from './proc';
import { cpuinfoFlags } from './cpu-flags';
import { coreIdNotes, cpuinfoPhysicalIds, labelPackages, type PackageFacts } from './packages';
import type { CacheInfo, NodeInfo, Topology } from '../shared/topology';
import { meminfoBytes, parseSizeBytes } from '../shared/units';

export interface SysfsOptions {
  /** Whose affinity to read; only this process is supported (the tuner binds the processes it starts). */
  pid?: 'self';
}

interface CpuFacts {
  raw: RawCpu;
  caches: CacheInfo[];
  midr: string | null;
  /** What sysfs says about this CPU's package, resolved into raw.packageId once every CPU is read. */
  pkg?: PackageFacts;
}

/** Ids of the "cpu12" / "node1" / "index3" entries of a directory listing, ascending. */
function numbered(names: string[], prefix: string): number[] {
  const pattern = new RegExp(`^${prefix}(\\d+)$`);
  const ids: number[] = [];
  for (const n of names) {
    const m = pattern.exec(n);
    if (m) ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b);
}

/**
 * Caches already read, by index and CPU: when CPU M's indexK lists CPU N as a sharer, the kernel has matched N's
 * indexK to the same cache (cacheinfo compares leaves at the same index), so N's files say nothing new. A
 * 384-CPU machine with one L2 would otherwise read that L2's four files 384 times.
 */
type KnownCaches = Map<number, Map<number, CacheInfo>>;

function readCaches(cpuDir: string, id: number, sets: SetCache, known: KnownCaches): CacheInfo[] {
  const listing = listDir(`${cpuDir}/cache`);
  if ('error' in listing) return [];
  const out: CacheInfo[] = [];
  for (const k of numbered(listing.names, 'index')) {
    // A dump being recorded keeps every CPU's files, so lscpu and lstopo can read it too.
    const seenBefore = isRecording() ? undefined : known.get(k)?.get(id);
    if (seenBefore) {
      out.push(seenBefore);
      continue;
    }
    const dir = `${cpuDir}/cache/index${k}`;
    const level = readInt(`${dir}/level`);
    const type = readAttr(`${dir}/type`);
    const kind = type === null ? null : cacheType(type);
    // shared_cpu_map alone on old kernels (2.6.2x), as lscpu and hwloc read it.
    const cpus = readCpuSet(dir, CACHE_FORMS, undefined, sets).cpus;
    if (level === null || kind === null || cpus === null) continue;
    // Firmware that does not describe cache sizes (ACPI PPTT without size) leaves no `size` file at all.
    const size = readAttr(`${dir}/size`);
    const info: CacheInfo = {
      level,
      type: kind,
      sizeBytes: size === null ? null : parseSizeBytes(size),
      cpus,
    };
    out.push(info);
    if (cpus.includes(id)) {
      const byCpu = known.get(k) ?? new Map<number, CacheInfo>();
      known.set(k, byCpu);
      for (const c of cpus) if (c !== id) byCpu.set(c, info);
    }
  }
  return out;
}

function readOnlineCpu(
  cpuDir: string,
  id: number,
  nodeOf: Map<number, number>,
  isolated: Set<number>,
  allowed: (id: number) => boolean,
  wantMidr: boolean,
  damage: DamageNotes,
  forms: FormUse,
  physicalIds: Map<number, number> | null,
  sets: SetCache,
  known: KnownCaches,
): CpuFacts {
  const topo = `${cpuDir}/topology`;
  const pkgPath = `${topo}/physical_package_id`;
  const pkgNum = readInt(pkgPath);
  const pkgText = pkgNum === null ? readAttr(pkgPath) : null;
  const pkgPeers = readCpuSet(topo, PACKAGE_FORMS, id, sets);
  const coreId = readInt(`${topo}/core_id`);
  const clusterId = readInt(`${topo}/cluster_id`);
  // The sibling masks define who shares a core (lscpu and hwloc group by them); core_id only labels it.
  const core = readCpuSet(topo, CORE_FORMS, id, sets);
  const cluster = readCpuSet(topo, CLUSTER_FORMS, id, sets);
  const caches = readCaches(cpuDir, id, sets, known);
  const midr = wantMidr ? readAttr(`${cpuDir}/regs/identification/midr_el1`) : null;
  // Listing the directory costs a syscall per CPU: only when none of its files was there.
  const hasTopology =
    pkgNum !== null ||
    pkgText !== null ||
    coreId !== null ||
    core.file !== null ||
    pkgPeers.file !== null ||
    !('error' in listDir(topo));
  if (hasTopology) {
    forms.record('cores', core.file, id);
    forms.record('packages', pkgPeers.file, id);
  }
  for (const d of core.damaged)
    damage.unreadable(
      d.path,
      d.text,
      'a CPU set naming this CPU',
      core.cpus ? `read from ${core.file} instead` : `CPU ${id} is counted as a core of its own`,
    );
  for (const d of pkgPeers.damaged)
    if (pkgPeers.cpus)
      damage.unreadable(d.path, d.text, 'a CPU set naming this CPU', `read from ${pkgPeers.file} instead`);
  // Without cluster information arm64 reports cluster_id -1 and x86 0xffff (its "bad APIC id"): no cluster.
  const hasCluster = clusterId !== null && clusterId >= 0 && clusterId < 0xffff;
  const siblings = core.cpus;
  return {
    raw: {
      id,
      online: true,
      packageId: null,
      node: nodeOf.get(id) ?? null,
      coreKey: siblings && siblings.length > 0 ? siblings.join(',') : `cpu${id}`,
      coreId,
      clusterKey: !hasCluster
        ? null
        : cluster.cpus && cluster.cpus.length > 0
          ? cluster.cpus.join(',')
          : `${pkgNum ?? ''}/${clusterId}`,
      clusterId: hasCluster ? clusterId : null,
      isolated: isolated.has(id),
      allowed: allowed(id),
    },
    caches,
    midr,
    pkg: {
      id,
      peers: pkgPeers.cpus,
      peersFile: pkgPeers.file,
      label: pkgNum !== null && pkgNum >= 0 ? pkgNum : null,
      ...(pkgText !== null ? { bad: { path: pkgPath, text: pkgText } } : {}),
      cpuinfoId: hasTopology ? null : (physicalIds?.get(id) ?? null),
      hasTopology,
    },
  };
}

/**
 * A node's CPUs from its cpulist, else from its cpumap (the same set as a mask, and all that some kernels and
 * dump tools keep), else none; a damaged file is noted with what was used instead.
 */
function nodeCpus(dir: string, id: number, damage: DamageNotes, forms: FormUse): number[] {
  const listPath = join(dir, 'cpulist');
  const text = readAttr(listPath);
  const list = safeCpuList(text);
  if (list !== null) return list;
  const mask = safeMask(readAttr(join(dir, 'cpumap')));
  if (text === null) {
    if (mask !== null) forms.record('NUMA node CPUs', 'cpumap', id);
    return mask ?? [];
  }
  damage.unreadable(
    listPath,
    text,
    'a CPU list',
    mask !== null
      ? `CPUs ${formatCpuList(mask) || '(none)'} were read from node${id}/cpumap instead`
      : `node${id}/cpumap does not say either, so node ${id} is shown without CPUs and theirs with node unknown`,
  );
  return mask ?? [];
}

function readNodes(
  nodeRoot: string,
  damage: DamageNotes,
  forms: FormUse,
): { nodes: NodeInfo[]; nodeOf: Map<number, number>; numa: boolean } {
  const listing = listDir(nodeRoot);
  const ids = 'error' in listing ? [] : numbered(listing.names, 'node');
  const hasMemory = listAttr(
    join(nodeRoot, 'has_memory'),
    damage,
    'read without it: a node without meminfo has memory unknown',
  );
  const nodes = ids.map((id): NodeInfo => {
    const dir = join(nodeRoot, `node${id}`);
    const meminfo = readAttr(join(dir, 'meminfo'));
    const distance = readAttr(join(dir, 'distance'));
    let memoryBytes = meminfo === null ? null : meminfoBytes(meminfo, 'MemTotal');
    if (memoryBytes === null && hasMemory !== null && !hasMemory.includes(id)) memoryBytes = 0;
    const row = distance ? distance.split(/\s+/).map(Number) : null;
    const distances = row && row.every((d) => Number.isInteger(d) && d >= 0) ? row : null;
    if (distance !== null && distance !== '' && distances === null)
      damage.unreadable(
        join(dir, 'distance'),
        distance,
        'a row of distances',
        `node ${id}'s distances are unknown`,
      );
    return {
      id,
      cpus: nodeCpus(dir, id, damage, forms),
      memoryBytes,
      freeBytes: meminfo === null ? null : meminfoBytes(meminfo, 'MemFree'),
      distances,
    };
  });
  const nodeOf = new Map<number, number>();
  for (const n of nodes) for (const c of n.cpus) nodeOf.set(c, n.id);
  return { nodes, nodeOf, numa: ids.length > 0 };
}

let hostPageSize: Promise<number | null> | undefined;

/** This host's page size from `getconf PAGESIZE`, asked once per process (it cannot change while we run). */
function getconfPageSize(): Promise<number | null> {
  hostPageSize ??= (async () => {
    try {
      // execa is ESM-only; a dynamic import keeps this module loadable from CommonJS (tsx, the bundled app).
      const { execa } = await import('execa');
      const { stdout } = await execa('getconf', ['PAGESIZE'], { timeout: 2000 });
      const n = Number(stdout.trim());
      return Number.isInteger(n) && n > 0 ? n : null;
    } catch {
      return null; // getconf missing (minimal containers): the caller falls back to the release name.
    }
  })();
  return hostPageSize;
}

function offlineCpu(id: number, isolated: Set<number>): CpuFacts {
  const raw = offlineRaw(id, isolated.has(id));
  return { raw, caches: [], midr: null };
}

/** A CPU list attribute; present but unreadable is noted with `assumed`, and read as absent. */
function listAttr(path: string, damage: DamageNotes, assumed: string): number[] | null {
  const text = readAttr(path);
  const list = safeCpuList(text);
  if (text !== null && list === null) damage.unreadable(path, text, 'a CPU list', assumed);
  return list;
}

/**
 * A CPU listed by several nodes' cpulists would have two nodes: keep it on the node holding most of the rest of
 * its package (lowest id on a tie), drop it from the others, and say so.
 */
function resolveOverlaps(nodes: NodeInfo[], facts: CpuFacts[], nodeRoot: string, damage: DamageNotes): void {
  const claims = new Map<number, number[]>();
  for (const n of nodes) for (const c of n.cpus) claims.set(c, [...(claims.get(c) ?? []), n.id]);
  const pkgOf = new Map(facts.map((f) => [f.raw.id, f.raw.packageId]));
  const moved = new Map<string, number[]>();
  // As listed, before any CPU is taken off a node.
  const listed = new Map(nodes.map((n) => [n.id, [...n.cpus]]));
  const cpusOf = (nodeId: number): number[] => listed.get(nodeId)!;
  for (const [cpu, ids] of claims) {
    if (ids.length < 2) continue;
    const pkg = pkgOf.get(cpu) ?? null;
    const samePackage = (nodeId: number): number =>
      pkg === null
        ? 0
        : nodes
            .find((n) => n.id === nodeId)!
            .cpus.filter((c) => c !== cpu && claims.get(c)?.length === 1 && pkgOf.get(c) === pkg).length;
    // Nested node sets (memory tiers near the same CPUs, as hwloc reads them): the CPU's own node is the
    // smallest. Otherwise the lists contradict each other, and the package decides.
    const bySize = [...ids].sort((a, b) => cpusOf(a).length - cpusOf(b).length || a - b);
    const nested = bySize.every(
      (id, i) => i === 0 || cpusOf(bySize[i - 1]!).every((c) => cpusOf(id).includes(c)),
    );
    const keep = nested ? bySize[0]! : [...ids].sort((a, b) => samePackage(b) - samePackage(a) || a - b)[0]!;
    for (const n of nodes) if (n.id !== keep && ids.includes(n.id)) n.cpus = n.cpus.filter((c) => c !== cpu);
    const key = `${ids.join(',')}>${keep}>${nested ? 'nested' : ''}`;
    moved.set(key, [...(moved.get(key) ?? []), cpu]);
  }
  for (const [key, cpus] of moved) {
    const [ids, keep, nested] = key.split('>') as [string, string, string];
    const files = ids.split(',').map((id) => damage.name(join(nodeRoot, `node${id}`, 'cpulist')));
    damage.add(
      `${files.join(' and ')} ${files.length > 2 ? 'all' : 'both'} list CPU${cpus.length > 1 ? 's' : ''} ${formatCpuList(cpus)}: kept on node ` +
        `${keep} only (${nested ? 'the smallest: the node sets nest, and hwloc places the CPU there too' : pkgOf.get(cpus[0]!) === null ? 'the lowest node' : 'the node of the rest of its package'}).`,
    );
  }
}

/** The affinity from /proc/PID/status: Cpus_allowed_list, else the Cpus_allowed mask when the list is damaged. */
function readAffinity(status: string | null, file: string, damage: DamageNotes): number[] | null {
  if (status === null) return null;
  const text = statusField(status, 'Cpus_allowed_list');
  const list = safeCpuList(text);
  if (text === null || list !== null) return list;
  const mask = safeMask(statusField(status, 'Cpus_allowed'));
  damage.add(
    `${damage.name(file)}: Cpus_allowed_list "${visible(text)}" is not a CPU list; ` +
      (mask !== null
        ? `the Cpus_allowed mask (CPUs ${formatCpuList(mask) || 'none'}) was used instead.`
        : 'no readable Cpus_allowed mask either, so every online CPU is assumed allowed.'),
  );
  return mask;
}

export async function readSysfsTopology(root = '/', opts: SysfsOptions = {}): Promise<Topology> {
  const pid = opts.pid ?? 'self';
  // Normalised once here: the per-CPU paths below are built by concatenation, not path.join (normalising ~2,500
  // paths was a tenth of a 160-CPU read), so the root must not end in a slash or hold `..`.
  const at = (rel: string): string => join(root, rel);
  const cpuRoot = at('sys/devices/system/cpu');
  const damage = new DamageNotes(root);

  const listing = listDir(cpuRoot);
  const dirIds = 'error' in listing ? [] : numbered(listing.names, 'cpu');
  const possible = listAttr(join(cpuRoot, 'possible'), damage, 'read without it');
  const present = listAttr(join(cpuRoot, 'present'), damage, 'read without it');
  // Firmware often declares far more possible CPUs than exist (hotplug slots); only present ones can run.
  let ids = present ?? possible ?? dirIds;
  if (present && possible) {
    const possibleSet = new Set(possible);
    ids = present.filter((c) => possibleSet.has(c));
  }
  if (ids.length === 0) {
    const why = 'error' in listing ? `${cpuRoot} (${listing.error})` : `${cpuRoot} has no cpuN entries`;
    throw new Error(`no sysfs CPU data under ${root}: cannot read ${why}`);
  }

  const cpuinfo = readWhole(at('proc/cpuinfo'));
  const meminfo = readWhole(at('proc/meminfo'));
  const status = readWhole(at(`proc/${pid}/status`));
  const cmdline = readWhole(at('proc/cmdline'))?.trim() ?? null;
  const unameTxt = readWhole(at('uname.txt'))?.trim() ?? null;

  const onlineList = listAttr(
    join(cpuRoot, 'online'),
    damage,
    'online CPUs assumed from cpu/offline, else from each cpuN/online',
  );
  const offlineList = onlineList ? null : safeCpuList(readAttr(join(cpuRoot, 'offline')));
  // Without the summary files, ask each CPU; cpu0 often has no `online` attribute as it cannot be unplugged.
  const online = new Set(
    onlineList ??
      (offlineList ? ids.filter((id) => !offlineList.includes(id)) : null) ??
      ids.filter((id) => readAttr(join(cpuRoot, `cpu${id}`, 'online')) !== '0'),
  );

  const isolatedList = listAttr(
    join(cpuRoot, 'isolated'),
    damage,
    'isolated CPUs assumed from isolcpus= on the kernel command line (none without it)',
  );
  const isolated = new Set(isolatedList ?? isolcpusFromCmdline(cmdline ?? '') ?? []);
  const affinity = readAffinity(status, at(`proc/${pid}/status`), damage);
  const affinitySet = affinity ? new Set(affinity) : null;
  const cgroupCpus = cgroupCpuset(root);
  const cgroupSet = cgroupCpus ? new Set(cgroupCpus) : null;
  const allowed = (id: number): boolean =>
    online.has(id) && (affinitySet?.has(id) ?? true) && (cgroupSet?.has(id) ?? true);

  const forms = new FormUse();
  const { nodes, nodeOf, numa } = readNodes(at('sys/devices/system/node'), damage, forms);
  const physicalIds = cpuinfo ? cpuinfoPhysicalIds(cpuinfo) : null;
  const sets: SetCache = new Map();
  const known: KnownCaches = new Map();
  const memsAllowed = status === null ? null : safeCpuList(statusField(status, 'Mems_allowed_list'));
  if (memsAllowed !== null) for (const n of nodes) n.memAllowed = memsAllowed.includes(n.id);

  const facts: CpuFacts[] = [];
  let midrText: string | null = null;
  for (const id of ids) {
    if (!online.has(id)) {
      facts.push(offlineCpu(id, isolated));
      continue;
    }
    const f = readOnlineCpu(
      `${cpuRoot}/cpu${id}`,
      id,
      nodeOf,
      isolated,
      allowed,
      midrText === null,
      damage,
      forms,
      physicalIds,
      sets,
      known,
    );
    midrText ??= f.midr;
    facts.push(f);
  }
  const packageNotes = labelPackages(
    facts.flatMap((f) => (f.pkg ? [{ raw: f.raw, pkg: f.pkg }] : [])),
    damage,
  );
  // An offline CPU has no topology, so no node (as in lscpu and hwloc), even where a dump's cpulist names it.
  const live = new Set(facts.filter((f) => f.raw.online).map((f) => f.raw.id));
  for (const n of nodes) n.cpus = n.cpus.filter((c) => live.has(c));
  resolveOverlaps(nodes, facts, at('sys/devices/system/node'), damage);
  // nodes[] is the truth after overlaps are resolved; each CPU's node must say the same.
  const finalNode = new Map<number, number>();
  for (const n of nodes) for (const c of n.cpus) finalNode.set(c, n.id);
  for (const f of facts) if (f.raw.online) f.raw.node = finalNode.get(f.raw.id) ?? null;
  const cpus = assembleCpus(facts.map((f) => f.raw));
  const packages = packagesOf(cpus);
  const caches = dedupeCaches(facts.flatMap((f) => f.caches));
  const notes: string[] = [];

  const memTotalBytes = meminfo === null ? null : meminfoBytes(meminfo, 'MemTotal');
  if (!numa) {
    // Kernel built without NUMA: the whole machine is one node, which is what binding tools will see too.
    nodes.push({
      id: 0,
      cpus: cpus.filter((c) => c.online).map((c) => c.id),
      memoryBytes: memTotalBytes,
      freeBytes: meminfo === null ? null : meminfoBytes(meminfo, 'MemFree'),
      distances: null,
    });
    for (const c of cpus) if (c.online) c.node = 0;
    notes.push('The kernel exposes no NUMA nodes: the machine is shown as a single node 0.');
  }

  // Identification: the MIDR of the first online CPU (Arm), else /proc/cpuinfo.
  const midr: Midr | null =
    (midrText ? parseMidr(midrText) : null) ?? (cpuinfo ? midrFromCpuinfo(cpuinfo) : null);
  const coreOf = new Map(cpus.map((c) => [c.id, c.core]));
  const coresPerPackage = Math.max(
    0,
    ...packages.map((p) => new Set(p.cpus.map((id) => coreOf.get(id))).size),
  );
  let model: string | null = null;
  let vendor: string | null = null;
  if (midr) {
    const boardVendor = readAttr(at('sys/devices/virtual/dmi/id/sys_vendor'));
    model = platformName(armCoreName(midr), { coresPerPackage, boardVendor });
    vendor = implementerName(midr.implementer);
  } else if (cpuinfo) {
    model = cpuinfoField(cpuinfo, 'model name');
    vendor = cpuinfoField(cpuinfo, 'vendor_id');
  }

  let arch = unameTxt ? archFromUname(unameTxt) : null;
  if (arch === null && root === '/') arch = archFromNode(os.arch());
  if (arch === null) arch = midr ? 'aarch64' : vendor ? 'x86_64' : null;

  // uname.txt is how dumps record the kernel; a real root has procfs; only '/' may ask Node.
  const release =
    (unameTxt ? releaseFromUname(unameTxt) : null) ??
    readWhole(at('proc/sys/kernel/osrelease'))?.trim() ??
    (root === '/' ? os.release() : null);
  const pageSizeBytes = (root === '/' ? await getconfPageSize() : null) ?? pageSizeFromRelease(release, arch);

  if (caches.some((c) => c.sizeBytes === null))
    notes.push('The firmware does not describe some cache sizes (no sysfs size file): shown as unknown.');
  if (affinity === null && (status === null || statusField(status, 'Cpus_allowed_list') === null))
    notes.push(`No Cpus_allowed_list in proc/${pid}/status: every online CPU is assumed allowed.`);
  notes.push(
    ...forms.notes(
      'NUMA node CPUs',
      (ids) => `CPUs of NUMA node${ids.length > 1 ? 's' : ''} ${ids}`,
      'node*',
      null,
    ),
    ...forms.notes(
      'cores',
      (ids) => `Cores of CPUs ${ids}`,
      'cpu*/topology',
      'each is a core of its own, as in lscpu and hwloc',
    ),
    ...forms.notes('packages', (ids) => `Packages of CPUs ${ids}`, 'cpu*/topology', null),
    ...packageNotes,
    ...coreIdNotes(facts.map((f) => f.raw)),
  );
  notes.push(...damage.lines());
  const coreTypes = readCoreTypes(root, cpus, cpuinfo);
  for (const c of cpus) c.coreType = coreTypes.byCpu.get(c.id) ?? null;
  notes.push(...coreTypes.notes);

  return {
    source: 'sysfs',
    model,
    arch,
    packages,
    nodes,
    cpus,
    caches,
    coreTypes: coreTypes.types,
    vendor,
    midr: midr ? formatMidr(midr) : null,
    origin: root === '/' ? 'this host' : root,
    notes,
    coarse: false,
    memTotalBytes,
    cpuFlags: cpuinfo ? cpuinfoFlags(cpuinfo) : null,
    kernel: {
      release,
      pageSizeBytes,
      thp: selectedChoice(readAttr(at('sys/kernel/mm/transparent_hugepage/enabled'))),
      cmdline,
    },
    bindingSupported: true,
  };
}
