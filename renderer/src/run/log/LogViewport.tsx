/**
 * The virtualized list: only the rows in view are in the DOM. The source of truth is `first`, a fractional row
 * position; scrollTop is derived from it (see scroll.ts for why they differ past ~440,000 rows). A sticky layer
 * holds the rows so fast scrolling never shows the list sliding away before React catches up.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { LogLine } from '../../../../app/shared/contract';
import { LogRow, PlaceholderRow } from './LogRow';
import {
  ROW_HEIGHT,
  centreOn,
  clampFirst,
  firstToScroll,
  isAtBottom,
  isScaled,
  scrollToFirst,
  spacerHeight,
  visibleRows,
  type Geometry,
} from './scroll';

/** Rows fetched beyond the viewport on each side, so short scrolls find them already there. */
const OVERSCAN = 150;

export interface Jump {
  index: number;
  seq: number;
}

export function LogViewport({
  count,
  getLine,
  ensure,
  follow,
  onFollowChange,
  jump,
  highlight,
  currentN,
  onExpand,
  onRangeChange,
  empty,
}: {
  count: number;
  getLine(index: number): LogLine | undefined;
  ensure(from: number, to: number): void;
  follow: boolean;
  onFollowChange(follow: boolean): void;
  jump: Jump | null;
  highlight: RegExp | null;
  currentN: number | null;
  onExpand(line: LogLine): void;
  /** Rows [start, end) in view: where a search without a current match starts. */
  onRangeChange?(start: number, end: number): void;
  empty: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [viewH, setViewH] = useState(360);
  const [first, setFirst] = useState(0);
  const firstRef = useRef(0);
  /** scrollTop we set ourselves: its scroll event is not the user's. */
  const expectTop = useRef<number | null>(null);
  const g: Geometry = { count, viewH };
  const gRef = useRef(g);
  gRef.current = g;

  const place = useCallback((f: number) => {
    const geo = gRef.current;
    const cf = clampFirst(geo, f);
    firstRef.current = cf;
    setFirst(cf);
    const el = ref.current;
    if (!el) return;
    const top = firstToScroll(geo, cf);
    if (Math.abs(el.scrollTop - top) > 0.5) {
      expectTop.current = top;
      el.scrollTop = top;
    }
  }, []);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewH(el.clientHeight));
    ro.observe(el);
    setViewH(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // New rows or a resize: stay at the bottom when following, else keep the same first row in view.
  useLayoutEffect(() => {
    place(follow ? Number.POSITIVE_INFINITY : firstRef.current);
  }, [count, viewH, follow, place]);

  useLayoutEffect(() => {
    if (jump) place(centreOn(gRef.current, jump.index));
  }, [jump, place]);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    const top = el.scrollTop;
    if (expectTop.current !== null && Math.abs(top - expectTop.current) <= 1) {
      expectTop.current = null;
      return;
    }
    expectTop.current = null;
    const f = scrollToFirst(gRef.current, top);
    firstRef.current = f;
    setFirst(f);
    onFollowChange(isAtBottom(gRef.current, f));
  };

  // Past the height cap one pixel of scrollbar is more than a row: wheel steps are applied in rows instead.
  const scaled = isScaled(g);
  useEffect(() => {
    const el = ref.current;
    if (!el || !scaled) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const geo = gRef.current;
      const rows =
        e.deltaMode === 1
          ? e.deltaY
          : e.deltaMode === 2
            ? e.deltaY * visibleRows(geo)
            : e.deltaY / ROW_HEIGHT;
      place(firstRef.current + rows);
      onFollowChange(isAtBottom(geo, firstRef.current));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [scaled, place, onFollowChange]);

  const start = Math.floor(first);
  const rowsInView = visibleRows(g);
  const end = Math.min(count, start + rowsInView);
  useEffect(() => {
    ensure(start - OVERSCAN, end + OVERSCAN);
    onRangeChange?.(start, end);
  }, [start, end, ensure, onRangeChange]);

  const rows = [];
  for (let i = start; i < end; i++) {
    const line = getLine(i);
    rows.push(
      line ? (
        <LogRow
          key={line.n}
          line={line}
          highlight={highlight}
          current={line.n === currentN}
          onExpand={onExpand}
        />
      ) : (
        <PlaceholderRow key={`p${i}`} index={i} />
      ),
    );
  }

  return (
    <div
      ref={ref}
      className="log-scroll"
      tabIndex={0}
      role="log"
      aria-label="Log lines"
      data-testid="log-viewport"
      data-count={count}
      data-first={start}
      data-following={follow}
      onScroll={onScroll}
    >
      <div className="log-spacer" style={{ height: Math.max(spacerHeight(g), 1) }}>
        <div className="log-layer" style={{ height: viewH }}>
          <div style={{ transform: `translateY(${-(first - start) * ROW_HEIGHT}px)` }}>{rows}</div>
          {count === 0 && <p className="log-empty muted">{empty}</p>}
        </div>
      </div>
    </div>
  );
}
