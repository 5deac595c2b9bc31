/**
 * Imports `numactl -H` (--hardware): nodes, their CPUs, memory and the distance matrix. It knows nothing about
 * packages, cores or caches, so those stay null/empty and the model is marked coarse.
 */
import type { CpuInfo, NodeInfo, Topology } from '../shared/topology';

export function looksLikeNumactl(text: string): boolean {
  return /^available:\s*\d+\s+nodes?\b/m.test(text) || /^No NUMA available/m.test(text);
}

export function topologyFromNumactl(text: string, origin: string | undefined): Topology {
  if (/^No NUMA available/m.test(text))
    throw new Error('numactl -H says "No NUMA available on this system": nothing to import');
  const nodes = new Map<number, NodeInfo>();
  const node = (id: number): NodeInfo => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, (n = { id, cpus: [], memoryBytes: null, freeBytes: null, distances: null }));
    return n;
  };
  const mib = (value: string, unit: string): number =>
    Number(value) *
    (unit.toUpperCase() === 'GB' ? 1024 ** 3 : unit.toUpperCase() === 'KB' ? 1024 : 1024 ** 2);

  const lines = text.split('\n');
  let distanceHeader: number[] | null = null;
  const distanceRows = new Map<number, number[]>();
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^node\s+(\d+)\s+cpus:\s*(.*)$/.exec(line)))
      node(Number(m[1])).cpus = m[2]!.trim() === '' ? [] : m[2]!.trim().split(/\s+/).map(Number);
    else if ((m = /^node\s+(\d+)\s+size:\s*(\d+)\s*([KMG]B)/i.exec(line)))
      node(Number(m[1])).memoryBytes = mib(m[2]!, m[3]!);
    else if ((m = /^node\s+(\d+)\s+free:\s*(\d+)\s*([KMG]B)/i.exec(line)))
      node(Number(m[1])).freeBytes = mib(m[2]!, m[3]!);
    else if (/^node\s+(\d+\s*)+$/.test(line.trim()) && !/^node\s+\d+\s+\w+:/.test(line))
      distanceHeader = line.trim().split(/\s+/).slice(1).map(Number);
    else if (distanceHeader && (m = /^\s*(\d+):\s*([\d\s]+)$/.exec(line)))
      distanceRows.set(Number(m[1]), m[2]!.trim().split(/\s+/).map(Number));
  }
  if (nodes.size === 0) throw new Error('numactl -H output without any "node N cpus:" line');

  const sorted = [...nodes.values()].sort((a, b) => a.id - b.id);
  for (const n of sorted) {
    const row = distanceRows.get(n.id);
    if (!row || !distanceHeader) continue;
    // The model orders distances like `nodes`; numactl orders columns by its header.
    const byColumn = new Map(distanceHeader.map((id, i) => [id, row[i]]));
    const ordered = sorted.map((o) => byColumn.get(o.id));
    n.distances = ordered.every((d): d is number => d !== undefined) ? ordered : null;
  }

  const cpus: CpuInfo[] = sorted
    .flatMap((n) => n.cpus.map((id) => ({ id, node: n.id })))
    .sort((a, b) => a.id - b.id)
    .map(({ id, node: nodeId }) => ({
      id,
      package: null,
      node: nodeId,
      core: null,
      cluster: null,
      siblings: null,
      online: true,
      // numactl -H says nothing about isolcpus or any process's affinity: unknown, not "no".
      isolated: null,
      allowed: null,
      coreId: null,
      clusterId: null,
    }));
  const sizes = sorted.map((n) => n.memoryBytes);

  return {
    source: 'numactl-H',
    model: null,
    arch: null,
    packages: [],
    nodes: sorted,
    cpus,
    caches: [],
    vendor: null,
    midr: null,
    origin,
    notes: [
      'Imported from numactl -H: NUMA nodes, memory and distances only; packages, cores and caches are unknown.',
      'numactl -H lists online CPUs only; isolation (isolcpus) and process affinity are unknown, every CPU can be picked.',
    ],
    coarse: true,
    memTotalBytes: sizes.every((s): s is number => s !== null) ? sizes.reduce((a, b) => a + b, 0) : null,
    kernel: null,
    bindingSupported: true,
  };
}
