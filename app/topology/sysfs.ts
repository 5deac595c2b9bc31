/**
 * Reads the machine model from sysfs/procfs below a root directory, the way `lscpu --sysroot DIR` does, so a
 * dump of another machine is read with exactly the code that reads this one.
 */
import os from 'node:os';
import { join } from 'node:path';
import { archFromNode, archFromUname, pageSizeFromRelease, releaseFromUname } from './arch';
import { assembleCpus, cacheType, dedupeCaches, packagesOf, type RawCpu } from './assemble';
import { cgroupCpuset } from './cgroup';
import { listDir, readAttr, readInt, readWhole } from './fs-read';
import {
  armCoreName,
  formatMidr,
  implementerName,
  midrFromCpuinfo,
  parseMidr,
  platformName,
  type Midr,
} from './model-name';
import { cpuinfoField, isolcpusFromCmdline, safeCpuList, selectedChoice, statusField } from './proc';
import type { CacheInfo, NodeInfo, Topology } from './types';
import { meminfoBytes, parseSizeBytes } from './units';

export interface SysfsOptions {
  /** Whose affinity to read; only this process is supported (the tuner binds the processes it starts). */
  pid?: 'self';
}

interface CpuFacts {
  raw: RawCpu;
  caches: CacheInfo[];
  midr: string | null;
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

function readCaches(cpuDir: string): CacheInfo[] {
  const listing = listDir(join(cpuDir, 'cache'));
  if ('error' in listing) return [];
  const out: CacheInfo[] = [];
  for (const k of numbered(listing.names, 'index')) {
    const dir = join(cpuDir, 'cache', `index${k}`);
    const level = readInt(join(dir, 'level'));
    const type = readAttr(join(dir, 'type'));
    const kind = type === null ? null : cacheType(type);
    const cpus = safeCpuList(readAttr(join(dir, 'shared_cpu_list')));
    if (level === null || kind === null || cpus === null) continue;
    // Firmware that does not describe cache sizes (ACPI PPTT without size) leaves no `size` file at all.
    const size = readAttr(join(dir, 'size'));
    out.push({ level, type: kind, sizeBytes: size === null ? null : parseSizeBytes(size), cpus });
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
): CpuFacts {
  const topo = join(cpuDir, 'topology');
  const pkg = readInt(join(topo, 'physical_package_id'));
  const coreId = readInt(join(topo, 'core_id'));
  const clusterId = readInt(join(topo, 'cluster_id'));
  // core_cpus_list is the newer name (5.x); thread_siblings_list is kept by every kernel.
  const coreCpus = readAttr(join(topo, 'core_cpus_list')) ?? readAttr(join(topo, 'thread_siblings_list'));
  const clusterCpus = readAttr(join(topo, 'cluster_cpus_list'));
  const caches = readCaches(cpuDir);
  const midr = wantMidr ? readAttr(join(cpuDir, 'regs/identification/midr_el1')) : null;
  const siblings = safeCpuList(coreCpus);
  const clusterSet = safeCpuList(clusterCpus);
  // Without cluster information arm64 reports cluster_id -1 and x86 0xffff (its "bad APIC id"): no cluster.
  const hasCluster = clusterId !== null && clusterId >= 0 && clusterId < 0xffff;
  return {
    raw: {
      id,
      online: true,
      packageId: pkg,
      node: nodeOf.get(id) ?? null,
      coreKey: siblings && siblings.length > 0 ? siblings.join(',') : `cpu${id}`,
      coreId,
      clusterKey: !hasCluster
        ? null
        : clusterSet && clusterSet.length > 0
          ? clusterSet.join(',')
          : `${pkg ?? ''}/${clusterId}`,
      clusterId: hasCluster ? clusterId : null,
      isolated: isolated.has(id),
      allowed: allowed(id),
    },
    caches,
    midr,
  };
}

function readNodes(nodeRoot: string): { nodes: NodeInfo[]; nodeOf: Map<number, number>; numa: boolean } {
  const listing = listDir(nodeRoot);
  const ids = 'error' in listing ? [] : numbered(listing.names, 'node');
  const hasMemory = safeCpuList(readAttr(join(nodeRoot, 'has_memory')));
  const nodes = ids.map((id): NodeInfo => {
    const dir = join(nodeRoot, `node${id}`);
    const meminfo = readAttr(join(dir, 'meminfo'));
    const distance = readAttr(join(dir, 'distance'));
    let memoryBytes = meminfo === null ? null : meminfoBytes(meminfo, 'MemTotal');
    if (memoryBytes === null && hasMemory !== null && !hasMemory.includes(id)) memoryBytes = 0;
    const distances = distance ? distance.split(/\s+/).map(Number) : null;
    return {
      id,
      cpus: safeCpuList(readAttr(join(dir, 'cpulist'))) ?? [],
      memoryBytes,
      freeBytes: meminfo === null ? null : meminfoBytes(meminfo, 'MemFree'),
      distances: distances && distances.every(Number.isFinite) ? distances : null,
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
  const raw: RawCpu = {
    id,
    online: false,
    packageId: null,
    node: null,
    coreKey: null,
    coreId: null,
    clusterKey: null,
    clusterId: null,
    isolated: isolated.has(id),
    allowed: false,
  };
  return { raw, caches: [], midr: null };
}

export async function readSysfsTopology(root = '/', opts: SysfsOptions = {}): Promise<Topology> {
  const pid = opts.pid ?? 'self';
  const at = (rel: string): string => join(root, rel);
  const cpuRoot = at('sys/devices/system/cpu');

  const listing = listDir(cpuRoot);
  const dirIds = 'error' in listing ? [] : numbered(listing.names, 'cpu');
  const possible = safeCpuList(readAttr(join(cpuRoot, 'possible')));
  const present = safeCpuList(readAttr(join(cpuRoot, 'present')));
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

  const onlineList = safeCpuList(readAttr(join(cpuRoot, 'online')));
  const offlineList = onlineList ? null : safeCpuList(readAttr(join(cpuRoot, 'offline')));
  // Without the summary files, ask each CPU; cpu0 often has no `online` attribute as it cannot be unplugged.
  const online = new Set(
    onlineList ??
      (offlineList ? ids.filter((id) => !offlineList.includes(id)) : null) ??
      ids.filter((id) => readAttr(join(cpuRoot, `cpu${id}`, 'online')) !== '0'),
  );

  const isolatedTxt = readAttr(join(cpuRoot, 'isolated'));
  const isolated = new Set(
    isolatedTxt !== null ? (safeCpuList(isolatedTxt) ?? []) : (isolcpusFromCmdline(cmdline ?? '') ?? []),
  );
  const affinity = status === null ? null : safeCpuList(statusField(status, 'Cpus_allowed_list'));
  const affinitySet = affinity ? new Set(affinity) : null;
  const cgroupCpus = cgroupCpuset(root);
  const cgroupSet = cgroupCpus ? new Set(cgroupCpus) : null;
  const allowed = (id: number): boolean =>
    online.has(id) && (affinitySet?.has(id) ?? true) && (cgroupSet?.has(id) ?? true);

  const { nodes, nodeOf, numa } = readNodes(at('sys/devices/system/node'));
  const memsAllowed = status === null ? null : safeCpuList(statusField(status, 'Mems_allowed_list'));
  if (memsAllowed !== null) for (const n of nodes) n.memAllowed = memsAllowed.includes(n.id);

  const facts: CpuFacts[] = [];
  let midrText: string | null = null;
  for (const id of ids) {
    if (!online.has(id)) {
      facts.push(offlineCpu(id, isolated));
      continue;
    }
    const f = readOnlineCpu(join(cpuRoot, `cpu${id}`), id, nodeOf, isolated, allowed, midrText === null);
    midrText ??= f.midr;
    facts.push(f);
  }
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
  if (affinity === null)
    notes.push(`No Cpus_allowed_list in proc/${pid}/status: every online CPU is assumed allowed.`);

  return {
    source: 'sysfs',
    model,
    arch,
    packages,
    nodes,
    cpus,
    caches,
    vendor,
    midr: midr ? formatMidr(midr) : null,
    origin: root === '/' ? 'this host' : root,
    notes,
    coarse: false,
    memTotalBytes,
    kernel: {
      release,
      pageSizeBytes,
      thp: selectedChoice(readAttr(at('sys/kernel/mm/transparent_hugepage/enabled'))),
      cmdline,
    },
    bindingSupported: true,
  };
}
