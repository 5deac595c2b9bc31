/**
 * The run's placement for the map, shared outside React's tree like the live load (run/liveLoad.ts): the run
 * panel feeds it (live `run.proof` events, then the finished run's `outcome.proof`) and each CPU cell and node
 * header reads its own slice, re-rendering only when that slice changes.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { RunProof } from '../../../app/shared/proof';
import { on } from '../api';
import { fromLive, fromRecorded, type CpuPlacement, type PlacementView } from './placement';
import { SHOW_RUN_EVENT } from '../run/showRun';
import type { RunInfo } from '../../../app/shared/contract';

let view: PlacementView | null = null;
/** The selection and memory nodes of the run shown, for the node bars' highlight. */
let plan: { cpus: number[]; memNodes: number[] | null } = { cpus: [], memNodes: null };
const listeners = new Set<() => void>();
/**
 * A saved run the user opened on purpose (history's "Show placement"): painted on whatever map is shown, even a
 * dump or an import (its own machine's, say). Otherwise placement follows the load's rule: only on the map of
 * the machine runs go to.
 */
let opened: string | null = null;
if (typeof window !== 'undefined') {
  window.addEventListener(SHOW_RUN_EVENT, (e) => {
    opened = (e as CustomEvent<RunInfo>).detail.runId;
  });
}

/** Does the placement belong on a map (`sampled`: the map is of the machine runs go to)? */
function onMap(sampled: boolean): boolean {
  return view !== null && (sampled || (!view.live && view.runId === opened));
}

function publish(next: PlacementView | null): void {
  view = next;
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function usePlacement(): PlacementView | null {
  return useSyncExternalStore(subscribe, () => view);
}

/** The placement to paint on a map: see onMap. */
export function useMapPlacement(sampled: boolean): PlacementView | null {
  return useSyncExternalStore(subscribe, () => (onMap(sampled) ? view : null));
}

export function usePlacementPlan(): { cpus: number[]; memNodes: number[] | null } {
  return useSyncExternalStore(subscribe, () => plan);
}

/** One CPU's marks (null when the run's threads were not seen there), read by the cell's one subscription. */
export function placementNow(cpu: number, sampled: boolean): CpuPlacement | null {
  return onMap(sampled) ? (view?.byCpu.get(cpu) ?? null) : null;
}

export { subscribe as subscribePlacement };

/**
 * Follow `runId`'s placement: live events while it runs, its recorded proof once it ended (which saw the whole
 * run), nothing for a run without proof (older records, runs the sampler could not follow).
 */
export function usePlacementWatch(
  runId: string | null,
  running: boolean,
  recorded: RunProof | null | undefined,
  durationMs: number,
  cpus: number[],
  memNodes: number[] | null,
): void {
  useEffect(() => {
    if (!runId) return;
    if (plan.cpus !== cpus || plan.memNodes !== memNodes) plan = { cpus, memNodes };
    if (view && view.runId !== runId) publish(null);
    if (!running) {
      publish(
        recorded ? fromRecorded(runId, recorded, cpus, durationMs) : view?.runId === runId ? view : null,
      );
      return;
    }
    return on('run.proof', (e) => {
      if (e.runId === runId) publish(fromLive(e, cpus));
    });
  }, [runId, running, recorded, durationMs, cpus, memNodes]);
}
