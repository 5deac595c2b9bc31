/**
 * CPUs that other runs of this tool hold now (`cpus.held`: the CLI, another window, the browser-mode server,
 * a sweep), polled every few seconds while a map is on screen: those runs are started elsewhere, so no event of
 * this engine announces them. The run this window watches is left out: its CPUs are its own selection.
 */
import { useSyncExternalStore } from 'react';
import type { HeldCpus } from '../../../app/shared/contract';
import { call } from '../api';

const POLL_MS = 2000;

let byCpu = new Map<number, HeldCpus[]>();
let key = '';
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

async function refresh(): Promise<void> {
  let held: HeldCpus[];
  try {
    held = (await call('cpus.held', {})).held;
  } catch {
    return; // the engine is away (reconnecting): keep the last answer
  }
  const next = new Map<number, HeldCpus[]>();
  for (const h of held) for (const c of h.cpus) next.set(c, [...(next.get(c) ?? []), h]);
  const nextKey = JSON.stringify([...next].sort(([a], [b]) => a - b));
  if (nextKey === key) return;
  key = nextKey;
  byCpu = next;
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  if (!timer) {
    void refresh();
    timer = setInterval(() => void refresh(), POLL_MS);
  }
  return () => {
    listeners.delete(l);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const NONE: HeldCpus[] = [];

/** The runs holding `cpu` now, unfiltered: the cell (cellLive.ts) leaves out the run this window watches. */
export function heldNow(cpu: number): HeldCpus[] {
  return byCpu.get(cpu) ?? NONE;
}

export { subscribe as subscribeHeld };

/** "in use by run ID (pid N)", one per run, for a cell's tooltip. */
export function heldText(held: readonly HeldCpus[]): string {
  return held
    .map((h) => `in use by ${h.sweepId ? `sweep ${h.sweepId}, ` : ''}run ${h.runId} (pid ${h.pid})`)
    .join('; ');
}

/** Does any run hold CPUs now (the legend's entry)? */
export function useAnyHeld(): boolean {
  return useSyncExternalStore(subscribe, () => byCpu.size > 0);
}
