/**
 * The map's load history: every `load.sample` the engine sends goes into one LoadHistory, and the sparklines
 * (one small SVG path per CPU cell) are redrawn in place once per animation frame. No React state changes per
 * sample, so 384 cells cost one path update each, not 384 re-renders; React re-renders a cell only once, when the
 * history starts (it then adds the sparkline's SVG).
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { on } from '../api';
import { LoadHistory } from './sparkline';

const history = new LoadHistory();
const paths = new Map<number, SVGPathElement>();
const listeners = new Set<() => void>();
let started = false;
let has = false;
let frame: number | null = null;
/** Free memory per node from the latest sample that carried it (samples of this host do). */
let nodeFree = new Map<number, number>();

function draw(): void {
  frame = null;
  for (const [cpu, el] of paths) drawOne(cpu, el);
}

function drawOne(cpu: number, el: SVGPathElement): void {
  const { d, n } = history.path(cpu);
  el.setAttribute('d', d);
  el.parentElement?.setAttribute('data-points', String(n));
}

function setHas(v: boolean): void {
  has = v;
  // Every listener, each sample: node bars compare their own free value, so only a changed one re-renders.
  for (const l of listeners) l();
}

/** Listen for samples from the first reader on: the map is the only one, and it is there from the start. */
function start(): void {
  if (started) return;
  started = true;
  on('load.sample', (s) => {
    history.add(s.t, s.cpus);
    if (s.nodes) nodeFree = new Map(s.nodes.map((n) => [n.node, n.freeBytes]));
    setHas(true);
    if (frame === null) frame = requestAnimationFrame(draw);
  });
}

function subscribe(l: () => void): () => void {
  start();
  listeners.add(l);
  return () => listeners.delete(l);
}

export function hasLoadHistoryNow(): boolean {
  return has;
}

export { subscribe as subscribeLoadHistory };

/** True once any sample arrived (since the last reset): cells add their sparkline then. */
export function useHasLoadHistory(): boolean {
  return useSyncExternalStore(subscribe, () => has);
}

/** Forget the history: the map now shows another machine, whose past is not this one's. */
export function resetLoadHistory(): void {
  history.clear();
  nodeFree = new Map();
  setHas(false);
}

/** The node's free memory from the latest sample, or null before any (or when samples do not carry it). */
export function useLiveNodeFree(node: number): number | null {
  return useSyncExternalStore(subscribe, () => nodeFree.get(node) ?? null);
}

/** A ref for one CPU's sparkline path: registered while mounted, drawn now and on each later sample. */
export function useSparklinePath(cpu: number) {
  const ref = useRef<SVGPathElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    paths.set(cpu, el);
    drawOne(cpu, el);
    return () => {
      if (paths.get(cpu) === el) paths.delete(cpu);
    };
  }, [cpu]);
  return ref;
}
