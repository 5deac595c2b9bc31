/**
 * Live per-CPU load, shared outside React's tree: the run panel feeds it and any component (the topology map's
 * cells included) reads it with a hook, without a provider having to wrap both. Built on useSyncExternalStore so
 * a cell re-renders only when its own CPU's value changes.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { CpuLoadSummary, LoadSample } from '../../../app/shared/contract';
import { call, on } from '../api';

interface LoadState {
  /** Latest sample while a run is being watched; null when idle. */
  sample: LoadSample | null;
  /** True while samples keep coming for a running run. */
  live: boolean;
  /** Mean busy per CPU over the watched run, kept after it ends as the proof of where it ran. */
  average: Map<number, number>;
  runId: string | null;
  /** CPUs busy outside the run's selection in any of the last few samples: steadier than one sample's list. */
  outside: number[];
}

const OUTSIDE_WINDOW = 3;
let state: LoadState = { sample: null, live: false, average: new Map(), runId: null, outside: [] };
let recentOutside: number[][] = [];
let byCpu = new Map<number, number>();
let sums = new Map<number, { total: number; n: number }>();
const listeners = new Set<() => void>();

function publish(next: LoadState): void {
  state = next;
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

function accept(sample: LoadSample, runId: string): void {
  byCpu = new Map(sample.cpus.map((c) => [c.cpu, c.busy]));
  if (sample.runId === runId) {
    for (const c of sample.cpus) {
      const s = sums.get(c.cpu) ?? { total: 0, n: 0 };
      s.total += c.busy;
      s.n += 1;
      sums.set(c.cpu, s);
    }
  }
  const average = new Map([...sums].map(([cpu, s]) => [cpu, s.total / s.n]));
  recentOutside = [...recentOutside, sample.runId === runId ? sample.outside : []].slice(-OUTSIDE_WINDOW);
  const outside = [...new Set(recentOutside.flat())].sort((a, b) => a - b);
  publish({ sample, live: true, average, runId, outside });
}

/** The whole state: the run panel's load strip and warning. */
export function useLiveLoad(): LoadState {
  return useSyncExternalStore(subscribe, () => state);
}

/**
 * One CPU's busy fraction (0..1) for the map to overlay on its cell: live while a run goes, then the average
 * over that run (where it actually ran), until the next run starts; null before any run.
 */
export function useCpuLoad(cpu: number): number | null {
  return useSyncExternalStore(subscribe, () => cpuLoadNow(cpu));
}

/** useCpuLoad's value now, for readers that subscribe once for several stores (the map's cells). */
export function cpuLoadNow(cpu: number): number | null {
  return state.live ? (byCpu.get(cpu) ?? null) : (state.average.get(cpu) ?? null);
}

/** The run this window watches (or watched last): the map's cells leave its own CPUs out of "held". */
export function watchedRunIdNow(): string | null {
  return state.runId;
}

export { subscribe as subscribeLiveLoad };

/**
 * Watch load while `runId` runs: asks the engine to sample, feeds the store, and stops both when the run ends.
 * The engine samples during any run anyway; load.watch only makes sure it does for this view. Once the run has
 * ended, the engine's own record of it (`recorded`, which saw the whole run) replaces what this view caught.
 */
export function useLoadWatch(
  runId: string | null,
  running: boolean,
  recorded: CpuLoadSummary[] | null | undefined,
): void {
  useEffect(() => {
    if (!runId) return;
    if (state.runId !== runId) {
      sums = new Map();
      byCpu = new Map();
      recentOutside = [];
      publish({ sample: null, live: false, average: new Map(), runId, outside: [] });
    }
    if (!running) {
      const average = recorded?.length ? new Map(recorded.map((c) => [c.cpu, c.mean])) : state.average;
      if (state.live || average !== state.average) publish({ ...state, live: false, outside: [], average });
      return;
    }
    const off = on('load.sample', (s) => accept(s, runId));
    void call('load.watch', { on: true }).catch(() => undefined);
    return () => {
      off();
      void call('load.watch', { on: false }).catch(() => undefined);
      publish({ ...state, live: false, outside: [] });
    };
  }, [runId, running, recorded]);
}
