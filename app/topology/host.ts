/**
 * A flat machine view for hosts without Linux sysfs (macOS, Windows): enough to browse the UI and prepare
 * command lines for a Linux target, never enough to bind CPUs here.
 */
import os from 'node:os';
import { archFromNode } from './arch';
import type { CpuInfo, Topology } from '../shared/topology';

export const NON_LINUX_BANNER =
  'CPU binding needs Linux (numactl); this is a flat view of this machine from the operating system, ' +
  'without NUMA, cluster or cache detail. Import `lscpu` output (--from FILE) to plan for a Linux server.';

export async function hostTopology(): Promise<Topology> {
  // Loaded on demand: systeminformation is only needed on non-Linux hosts and is slow to initialise.
  const si = await import('systeminformation');
  const [cpu, mem] = await Promise.all([si.cpu(), si.mem()]);
  const logical = cpu.cores || os.cpus().length;
  const physical = cpu.physicalCores || null;
  const sockets = cpu.processors || null;
  // Without SMT each CPU is a core; with SMT the OS numbering of siblings differs per platform, so leave it.
  const noSmt = physical !== null && physical === logical;

  const cpus: CpuInfo[] = [...Array(logical).keys()].map((id) => ({
    id,
    package: sockets === 1 ? 0 : null,
    node: 0,
    core: noSmt ? id : null,
    cluster: null,
    siblings: noSmt ? [id] : null,
    online: true,
    // Neither Linux's isolcpus nor its affinity masks exist here: unknown, and pickable for planning.
    isolated: null,
    allowed: null,
    coreId: null,
    clusterId: null,
  }));
  const all = cpus.map((c) => c.id);
  const model = [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ').trim() || null;

  return {
    source: 'systeminformation',
    model,
    arch: archFromNode(os.arch()),
    packages: sockets === 1 ? [{ id: 0, cpus: all }] : [],
    nodes: [{ id: 0, cpus: all, memoryBytes: mem.total, freeBytes: mem.free, distances: null }],
    cpus,
    caches: [],
    vendor: cpu.vendor || null,
    midr: null,
    origin: 'this host',
    notes: [
      NON_LINUX_BANNER,
      ...(noSmt ? [] : ['Which CPUs are SMT siblings is not known here: per-CPU cores are left unknown.']),
    ],
    coarse: true,
    memTotalBytes: mem.total,
    kernel: { release: os.release(), pageSizeBytes: null, thp: null, cmdline: null },
    bindingSupported: false,
  };
}
