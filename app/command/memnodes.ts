/**
 * Which NUMA nodes memory can go to. A node without memory (CPU-only nodes, e.g. on machines with the 32-bit
 * memory region split off) or outside the process's `Mems_allowed` cannot take a binding: numactl refuses it or
 * allocations fail. Defaults therefore go to the nearest node(s) that can, by the kernel's distance table.
 */
import type { NodeInfo, Topology } from '../shared/topology';
import { nodesOfCpus } from '../shared/presets';

/** Can this node take memory for the process? Unknown (imports say nothing) counts as yes. */
export function canHoldMemory(n: NodeInfo | undefined): boolean {
  return n !== undefined && n.memoryBytes !== 0 && n.memAllowed !== false;
}

export function nodeCanHoldMemory(t: Topology, id: number): boolean {
  return canHoldMemory(t.nodes.find((n) => n.id === id));
}

/**
 * The node(s) closest to `from` that can hold memory: `from` itself when it can, else every node at the
 * smallest distance (all of them when distances are unknown). Empty when no node can.
 */
export function nearestMemoryNodes(t: Topology, from: number): number[] {
  const idx = t.nodes.findIndex((n) => n.id === from);
  const here = t.nodes[idx];
  if (here !== undefined && canHoldMemory(here)) return [from];
  const row = here?.distances ?? null;
  const candidates = t.nodes
    .map((n, i) => ({ id: n.id, ok: canHoldMemory(n), d: row?.[i] ?? Number.MAX_SAFE_INTEGER }))
    .filter((c) => c.ok && c.id !== from);
  if (candidates.length === 0) return [];
  const best = Math.min(...candidates.map((c) => c.d));
  return candidates
    .filter((c) => c.d === best)
    .map((c) => c.id)
    .sort((a, b) => a - b);
}

/**
 * Default memory nodes for a CPU selection: the nodes of the CPUs, each one that cannot hold memory replaced by
 * its nearest node(s) that can. Ascending and unique.
 */
export function defaultMemoryNodes(t: Topology, cpus: readonly number[]): number[] {
  const out = new Set<number>();
  for (const k of nodesOfCpus(t, cpus)) for (const m of nearestMemoryNodes(t, k)) out.add(m);
  return [...out].sort((a, b) => a - b);
}
