import { useCallback, useState, type KeyboardEvent, type PointerEvent, type RefObject } from 'react';
import { MAP_WIDTH_KEY, readStored, writeStored } from './persist';

export const MIN_PCT = 20;
export const MAX_PCT = 80;
const DEFAULT_PCT = 55;
const STEP = 2;

const clamp = (v: number) => Math.min(MAX_PCT, Math.max(MIN_PCT, Math.round(v)));

/** The map pane's share of the workspace width, in percent, remembered across reloads. */
export function useMapWidth(): [number, (pct: number) => void] {
  const [pct, setPct] = useState(() => {
    const saved = Number(readStored(MAP_WIDTH_KEY));
    return Number.isFinite(saved) && saved > 0 ? clamp(saved) : DEFAULT_PCT;
  });
  const set = useCallback((v: number) => {
    const c = clamp(v);
    setPct(c);
    writeStored(MAP_WIDTH_KEY, String(c));
  }, []);
  return [pct, set];
}

/** The bar between the map and the area: drag it, or focus it and use the arrows, Home and End. */
export function Splitter({
  pct,
  onChange,
  container,
}: {
  pct: number;
  onChange(pct: number): void;
  container: RefObject<HTMLElement | null>;
}) {
  const fromPointer = (e: PointerEvent<HTMLDivElement>) => {
    const box = container.current?.getBoundingClientRect();
    if (box && box.width > 0) onChange(((e.clientX - box.left) / box.width) * 100);
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const next =
      e.key === 'ArrowLeft'
        ? pct - STEP
        : e.key === 'ArrowRight'
          ? pct + STEP
          : e.key === 'Home'
            ? MIN_PCT
            : e.key === 'End'
              ? MAX_PCT
              : null;
    if (next === null) return;
    e.preventDefault();
    onChange(next);
  };
  return (
    <div
      className="splitter"
      role="separator"
      tabIndex={0}
      aria-orientation="vertical"
      aria-label="Map width"
      aria-valuenow={pct}
      aria-valuemin={MIN_PCT}
      aria-valuemax={MAX_PCT}
      data-testid="map-splitter"
      onKeyDown={onKey}
      onPointerDown={(e) => e.currentTarget.setPointerCapture(e.pointerId)}
      onPointerMove={(e) => {
        if (e.currentTarget.hasPointerCapture(e.pointerId)) fromPointer(e);
      }}
    />
  );
}
