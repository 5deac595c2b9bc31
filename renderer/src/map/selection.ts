/**
 * What a pick means. The engine (AIO_NUMA_CPUS, numactl) works in logical CPUs, but users think in cores: with SMT
 * a pick takes the core's first usable thread and siblings only when asked. Selections are kept ascending by
 * (node, id) — the order numactl lists them and the order AIO_NUMA_CPUS must repeat.
 */
import type { CpuInfo } from '../../../app/shared/topology';
import { unavailableReason, type MapTree } from './model';

export function isUsable(c: CpuInfo | undefined): c is CpuInfo {
  return c !== undefined && unavailableReason(c) === null;
}

/** The CPUs a pick on `id` takes: the core's first usable thread, or all its usable threads with `withSiblings`. */
export function coreUnit(tree: MapTree, id: number, withSiblings: boolean): number[] {
  const c = tree.byId.get(id);
  if (!c) return [];
  const threads = (c.siblings && c.siblings.length > 0 ? c.siblings : [id]).filter((s) =>
    isUsable(tree.byId.get(s)),
  );
  if (threads.length === 0) return [];
  return withSiblings ? threads : [threads[0]!];
}

/** Every usable CPU a group of candidates (a range, a rectangle, a node) stands for, core by core. */
export function expandPick(tree: MapTree, candidates: Iterable<number>, withSiblings: boolean): number[] {
  const out = new Set<number>();
  for (const id of candidates) for (const u of coreUnit(tree, id, withSiblings)) out.add(u);
  return [...out];
}

/** Unique, ascending by (node, id); CPUs of unknown node go last. */
export function orderSelection(tree: MapTree, ids: Iterable<number>): number[] {
  const nodeOf = (id: number) => tree.byId.get(id)?.node ?? Number.MAX_SAFE_INTEGER;
  return [...new Set(ids)].sort((a, b) => nodeOf(a) - nodeOf(b) || a - b);
}

/** CPUs between two cells in display order, both ends included. */
export function rangeBetween(tree: MapTree, a: number, b: number): number[] {
  const i = tree.order.indexOf(a);
  const j = tree.order.indexOf(b);
  if (i === -1 || j === -1) return [b];
  return tree.order.slice(Math.min(i, j), Math.max(i, j) + 1);
}

/** Add `unit` unless all of it is already there, in which case take it (and the clicked CPU) away. */
export function toggleUnit(selection: number[], unit: number[], clicked: number): number[] {
  const sel = new Set(selection);
  const allIn = unit.length > 0 && unit.every((u) => sel.has(u));
  if (allIn || sel.has(clicked)) {
    for (const u of unit) sel.delete(u);
    sel.delete(clicked);
  } else {
    for (const u of unit) sel.add(u);
  }
  return [...sel];
}

/** Nodes the selection touches, ascending. */
export function nodesTouched(tree: MapTree, selection: number[]): number[] {
  const s = new Set<number>();
  for (const id of selection) {
    const n = tree.byId.get(id)?.node;
    if (n !== null && n !== undefined) s.add(n);
  }
  return [...s].sort((a, b) => a - b);
}
