/**
 * Mouse, pointer and keyboard picking on the map. Cells carry `data-cpu`; events are delegated to the map
 * container so 384 cells need no handlers of their own.
 */
import { useCallback, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent } from 'react';
import type { MapTree } from './model';
import { REASON_TEXT, unavailableReason } from './model';
import { coreUnit, expandPick, isUsable, rangeBetween, toggleUnit } from './selection';

export interface Band {
  left: number;
  top: number;
  width: number;
  height: number;
}

interface DragStart {
  x: number;
  y: number;
  pointerId: number;
  additive: boolean;
  rects: { id: number; r: DOMRect }[] | null;
}

const DRAG_THRESHOLD_PX = 5;

function cpuOf(target: EventTarget | null): number | null {
  const el = (target as HTMLElement | null)?.closest?.('[data-cpu]');
  if (!el) return null;
  const v = Number(el.getAttribute('data-cpu'));
  return Number.isFinite(v) ? v : null;
}

function intersects(a: DOMRect, b: Band): boolean {
  return a.left < b.left + b.width && a.right > b.left && a.top < b.top + b.height && a.bottom > b.top;
}

export function usePicking({
  tree,
  shown,
  selection,
  withSiblings,
  onChange,
  onStatus,
}: {
  tree: MapTree;
  /** The CPUs on screen, in map order (folded nodes left out): where arrow keys and Tab can go. */
  shown: number[];
  selection: number[];
  withSiblings: boolean;
  onChange(ids: number[]): void;
  onStatus(msg: string): void;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const [focusCpu, setFocusCpu] = useState<number | null>(null);
  const [band, setBand] = useState<Band | null>(null);
  const [pending, setPending] = useState<Set<number>>(new Set());
  const anchor = useRef<number | null>(null);
  // Selection when a Shift-extension started: Shift+arrows grow and shrink the range on top of it.
  const extendBase = useRef<number[] | null>(null);
  const drag = useRef<DragStart | null>(null);
  const suppressClick = useRef(false);
  const pendingRef = useRef<number[]>([]);

  const explainUnusable = useCallback(
    (id: number): boolean => {
      const c = tree.byId.get(id);
      const why = c ? unavailableReason(c) : 'offline';
      if (why) onStatus(`CPU ${id} is ${REASON_TEXT[why]}: it cannot be picked.`);
      return why !== null;
    },
    [tree, onStatus],
  );

  const focusCell = (id: number) => {
    setFocusCpu(id);
    containerRef.current?.querySelector<HTMLElement>(`[data-cpu="${id}"]`)?.focus();
  };

  const onClick = (e: MouseEvent) => {
    if (suppressClick.current) {
      suppressClick.current = false;
      return;
    }
    const id = cpuOf(e.target);
    if (id === null) return;
    setFocusCpu(id);
    extendBase.current = null;
    if (e.shiftKey && anchor.current !== null) {
      const range = expandPick(tree, rangeBetween(tree, anchor.current, id), withSiblings);
      onChange(e.ctrlKey || e.metaKey ? [...selection, ...range] : range);
      return;
    }
    if (explainUnusable(id)) return;
    anchor.current = id;
    if (e.altKey) {
      // The one way to take exactly this thread (e.g. an SMT sibling) without its core's first thread.
      onChange(toggleUnit(selection, [id], id));
      return;
    }
    const unit = coreUnit(tree, id, withSiblings);
    if (e.ctrlKey || e.metaKey) onChange(toggleUnit(selection, unit, id));
    else onChange(unit);
  };

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0 || (e.target as HTMLElement).closest('button')) return;
    drag.current = {
      x: e.clientX,
      y: e.clientY,
      pointerId: e.pointerId,
      additive: e.ctrlKey || e.metaKey || e.shiftKey,
      rects: null,
    };
  };

  const onPointerMove = (e: PointerEvent) => {
    const d = drag.current;
    if (!d || d.pointerId !== e.pointerId) return;
    if (!d.rects) {
      if (Math.hypot(e.clientX - d.x, e.clientY - d.y) < DRAG_THRESHOLD_PX) return;
      containerRef.current?.setPointerCapture(e.pointerId);
      d.rects = [...(containerRef.current?.querySelectorAll<HTMLElement>('[data-cpu]') ?? [])].map((el) => ({
        id: Number(el.dataset.cpu),
        r: el.getBoundingClientRect(),
      }));
    }
    const b: Band = {
      left: Math.min(d.x, e.clientX),
      top: Math.min(d.y, e.clientY),
      width: Math.abs(e.clientX - d.x),
      height: Math.abs(e.clientY - d.y),
    };
    setBand(b);
    pendingRef.current = expandPick(
      tree,
      d.rects.filter((x) => intersects(x.r, b)).map((x) => x.id),
      withSiblings,
    );
    setPending(new Set(pendingRef.current));
  };

  const endDrag = (e: PointerEvent, commit: boolean) => {
    const d = drag.current;
    drag.current = null;
    if (!d || !d.rects) return;
    if (containerRef.current?.hasPointerCapture(e.pointerId))
      containerRef.current.releasePointerCapture(e.pointerId);
    setBand(null);
    setPending(new Set());
    if (!commit) return;
    suppressClick.current = true;
    // A click event may or may not follow a captured drag; never let a stale flag eat the next real click.
    setTimeout(() => (suppressClick.current = false), 0);
    const picked = pendingRef.current;
    pendingRef.current = [];
    onChange(d.additive ? [...selection, ...picked] : picked);
    onStatus(
      picked.length ? `Dragged over ${picked.length} usable CPU(s).` : 'No usable CPU inside the rectangle.',
    );
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const onCell = cpuOf(e.target);
    // Space and Enter on the map's buttons (headers, fold toggles) press them, not the focused cell.
    if (
      (e.key === ' ' || e.key === 'Enter') &&
      onCell === null &&
      (e.target as HTMLElement).closest?.('button')
    )
      return;
    const current = shownFocus(focusCpu, shown) ?? onCell ?? shown[0];
    if (current === undefined) return;
    let next: number | null;
    const i = shown.indexOf(current);
    switch (e.key) {
      case 'ArrowRight':
        next = shown[Math.min(i + 1, shown.length - 1)] ?? null;
        break;
      case 'ArrowLeft':
        next = shown[Math.max(i - 1, 0)] ?? null;
        break;
      case 'ArrowUp':
      case 'ArrowDown':
        next = verticalNeighbour(containerRef.current, current, e.key === 'ArrowUp' ? -1 : 1);
        break;
      case 'Home':
        next = shown[0] ?? null;
        break;
      case 'End':
        next = shown[shown.length - 1] ?? null;
        break;
      case ' ':
      case 'Enter': {
        e.preventDefault();
        extendBase.current = null;
        if (explainUnusable(current)) return;
        anchor.current = current;
        onChange(
          e.altKey
            ? toggleUnit(selection, [current], current)
            : toggleUnit(selection, coreUnit(tree, current, withSiblings), current),
        );
        return;
      }
      case 'a':
        if (e.ctrlKey || e.metaKey) {
          e.preventDefault();
          onChange(expandPick(tree, tree.order, withSiblings));
        }
        return;
      case 'Escape':
        onChange([]);
        return;
      default:
        return;
    }
    e.preventDefault();
    if (next === null) return;
    focusCell(next);
    if (e.shiftKey) {
      if (extendBase.current === null) {
        extendBase.current = selection;
        if (anchor.current === null) anchor.current = current;
      }
      const range = expandPick(tree, rangeBetween(tree, anchor.current ?? current, next), withSiblings);
      onChange([...extendBase.current, ...range]);
    } else {
      extendBase.current = null;
      anchor.current = next;
      const c = tree.byId.get(next);
      if (c && !isUsable(c)) explainUnusable(next);
    }
  };

  const onFocus = (e: { target: EventTarget }) => {
    const id = cpuOf(e.target);
    if (id !== null && id !== focusCpu) setFocusCpu(id);
  };

  return {
    containerRef,
    // A cell inside a folded node cannot take focus: the first CPU on screen is the map's Tab stop then.
    focusCpu: shownFocus(focusCpu, shown) ?? shown[0] ?? null,
    band,
    pending,
    handlers: {
      onClick,
      onPointerDown,
      onPointerMove,
      onPointerUp: (e: PointerEvent) => endDrag(e, true),
      onPointerCancel: (e: PointerEvent) => endDrag(e, false),
      onKeyDown,
      onFocus,
    },
  };
}

function shownFocus(focusCpu: number | null, shown: number[]): number | null {
  return focusCpu !== null && shown.includes(focusCpu) ? focusCpu : null;
}

/** The cell in the next row up or down that sits closest horizontally: rows are a layout fact, not a data one. */
function verticalNeighbour(container: HTMLElement | null, from: number, dir: -1 | 1): number | null {
  if (!container) return null;
  const cells = [...container.querySelectorAll<HTMLElement>('[data-cpu]')].map((el) => ({
    id: Number(el.dataset.cpu),
    r: el.getBoundingClientRect(),
  }));
  const cur = cells.find((c) => c.id === from);
  if (!cur) return null;
  const cy = cur.r.top + cur.r.height / 2;
  const cx = cur.r.left + cur.r.width / 2;
  const beyond = cells.filter((c) =>
    dir < 0 ? c.r.bottom <= cy - cur.r.height / 2 + 1 : c.r.top >= cy + cur.r.height / 2 - 1,
  );
  if (beyond.length === 0) return null;
  const rowTop = dir < 0 ? Math.max(...beyond.map((c) => c.r.top)) : Math.min(...beyond.map((c) => c.r.top));
  const row = beyond.filter((c) => Math.abs(c.r.top - rowTop) < cur.r.height / 2);
  row.sort((a, b) => Math.abs(a.r.left + a.r.width / 2 - cx) - Math.abs(b.r.left + b.r.width / 2 - cx));
  return row[0]?.id ?? null;
}
