/**
 * What a CPU cell shows beyond its topology: its load, whether sparklines are on, the other runs holding it and
 * the run's threads on it. One useSyncExternalStore per cell instead of five hooks: its subscribe registers the
 * cell with the four stores it reads (load and watched run, sparkline state, holders, placement), so a 384-CPU
 * map mounts 384 hooks and 1,536 store listeners instead of 1,920 of each (the map's first render,
 * `npm run bench -- browser`, figure (a)). The value object is kept while nothing in it changes, so a cell
 * still re-renders only when its own CPU's slice does.
 */
import { useRef, useSyncExternalStore } from 'react';
import type { HeldCpus } from '../../../app/shared/contract';
import { cpuLoadNow, subscribeLiveLoad, watchedRunIdNow } from '../run/liveLoad';
import { hasLoadHistoryNow, subscribeLoadHistory } from './loadHistory';
import { heldNow, subscribeHeld } from './heldCpus';
import { placementNow, subscribePlacement } from './proofStore';
import type { CpuPlacement } from './placement';

export interface CellLive {
  /** Busy fraction 0..1, null when none is known or the map is not of the sampled machine. */
  load: number | null;
  /** Sparklines are drawn (a sample arrived, on the sampled machine's map). */
  history: boolean;
  /** Other runs of this tool holding the CPU, the run this window watches left out. */
  heldBy: readonly HeldCpus[];
  threads: CpuPlacement | null;
}

function subscribeAll(l: () => void): () => void {
  const off = [subscribeLiveLoad(l), subscribeLoadHistory(l), subscribeHeld(l), subscribePlacement(l)];
  return () => {
    for (const f of off) f();
  };
}

const NO_HELD: readonly HeldCpus[] = [];

export function useCellLive(cpu: number, sampled: boolean): CellLive {
  const last = useRef<{ value: CellLive; held: readonly HeldCpus[]; own: string | null } | null>(null);
  return useSyncExternalStore(subscribeAll, () => {
    const load = sampled ? cpuLoadNow(cpu) : null;
    const history = sampled && hasLoadHistoryNow();
    const held = sampled ? heldNow(cpu) : NO_HELD;
    const own = watchedRunIdNow();
    const threads = placementNow(cpu, sampled);
    const prev = last.current;
    if (
      prev &&
      prev.value.load === load &&
      prev.value.history === history &&
      prev.held === held &&
      prev.own === own &&
      prev.value.threads === threads
    )
      return prev.value;
    // The watched run's own CPUs are its selection, not "held by another run".
    const heldBy = own && held.some((h) => h.runId === own) ? held.filter((h) => h.runId !== own) : held;
    const value = { load, history, heldBy, threads };
    last.current = { value, held, own };
    return value;
  });
}
