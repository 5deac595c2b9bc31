/**
 * Scaled scrolling for the log viewport. Browsers cap an element's height (Chrome ~33.5M px, Firefox ~17.9M),
 * so 1,000,000 rows of 18 px cannot be laid out 1:1. The scroll range is capped at MAX_SCROLL_PX and mapped
 * linearly onto the row range: below the cap the mapping is exactly one row per ROW_HEIGHT pixels, above it the
 * scrollbar stays usable and wheel steps are applied in rows instead (see LogViewport).
 */
export const ROW_HEIGHT = 18;
export const MAX_SCROLL_PX = 8_000_000;

export interface Geometry {
  /** Rows in the (filtered) view. */
  count: number;
  /** Viewport height in px. */
  viewH: number;
}

export function spacerHeight(g: Geometry): number {
  return Math.min(g.count * ROW_HEIGHT, MAX_SCROLL_PX);
}

export function isScaled(g: Geometry): boolean {
  return g.count * ROW_HEIGHT > MAX_SCROLL_PX;
}

/** Largest scrollTop the container allows. */
export function maxScroll(g: Geometry): number {
  return Math.max(0, spacerHeight(g) - g.viewH);
}

/** Largest first-row position (fractional rows) that still fills the viewport. */
export function maxFirst(g: Geometry): number {
  return Math.max(0, g.count - g.viewH / ROW_HEIGHT);
}

export function clampFirst(g: Geometry, first: number): number {
  return Math.min(Math.max(0, first), maxFirst(g));
}

// Below the cap the ratio is exactly ROW_HEIGHT; dividing by it directly keeps whole rows whole (the scaled
// formula gives 6.999… for row 7, and the viewport would render from row 6).
export function scrollToFirst(g: Geometry, scrollTop: number): number {
  const ms = maxScroll(g);
  if (ms <= 0) return 0;
  const top = Math.min(Math.max(0, scrollTop), ms);
  return isScaled(g) ? (top / ms) * maxFirst(g) : top / ROW_HEIGHT;
}

export function firstToScroll(g: Geometry, first: number): number {
  const mf = maxFirst(g);
  if (mf <= 0) return 0;
  const f = clampFirst(g, first);
  return isScaled(g) ? (f / mf) * maxScroll(g) : f * ROW_HEIGHT;
}

/** Rows that fit, plus one for the partly visible row at the bottom. */
export function visibleRows(g: Geometry): number {
  return Math.ceil(g.viewH / ROW_HEIGHT) + 1;
}

/** The first-row position that shows `index` in the middle of the viewport. */
export function centreOn(g: Geometry, index: number): number {
  return clampFirst(g, index - g.viewH / ROW_HEIGHT / 2 + 0.5);
}

export function isAtBottom(g: Geometry, first: number): boolean {
  return first >= maxFirst(g) - 0.5;
}
