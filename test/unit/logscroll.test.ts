// The log viewport's scroll mapping (renderer/src/run/log/scroll.ts): exact one row per ROW_HEIGHT pixels below
// the height cap, and above it (~444,000 rows) a scaled mapping that still reaches every row, the first and the
// last included. Pure arithmetic, so the 1,000,000- and 10,000,000-row cases cost nothing here.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_SCROLL_PX,
  ROW_HEIGHT,
  centreOn,
  firstToScroll,
  isAtBottom,
  isScaled,
  maxFirst,
  maxScroll,
  scrollToFirst,
  spacerHeight,
  visibleRows,
  type Geometry,
} from '../../renderer/src/run/log/scroll';

const VIEW_H = 600;
const geo = (count: number): Geometry => ({ count, viewH: VIEW_H });

/** Row indexes the viewport renders for a scroll position, as LogViewport computes them. */
function rowsShown(g: Geometry, scrollTop: number): { start: number; end: number } {
  const first = scrollToFirst(g, scrollTop);
  const start = Math.floor(first);
  return { start, end: Math.min(g.count, start + visibleRows(g)) };
}

describe('log scroll mapping below the height cap', () => {
  const g = geo(20_000);

  test('one row per ROW_HEIGHT pixels, both ways', () => {
    assert.equal(isScaled(g), false);
    assert.equal(spacerHeight(g), 20_000 * ROW_HEIGHT);
    for (const row of [0, 1, 7, 1234, 19_000]) {
      assert.equal(firstToScroll(g, row), row * ROW_HEIGHT);
      assert.equal(scrollToFirst(g, row * ROW_HEIGHT), row);
    }
  });

  test('scrolled to the end, the last row is shown and counts as the bottom', () => {
    const { end } = rowsShown(g, maxScroll(g));
    assert.equal(end, g.count);
    assert.equal(isAtBottom(g, scrollToFirst(g, maxScroll(g))), true);
    assert.equal(isAtBottom(g, scrollToFirst(g, maxScroll(g) - 5 * ROW_HEIGHT)), false);
  });

  test('a log shorter than the viewport, or empty, sits at row 0 and at the bottom', () => {
    for (const count of [0, 1, 10]) {
      const s = geo(count);
      assert.equal(maxScroll(s), 0);
      assert.equal(scrollToFirst(s, 0), 0);
      assert.equal(firstToScroll(s, 5), 0);
      assert.equal(centreOn(s, count - 1), 0);
      assert.equal(isAtBottom(s, 0), true);
    }
  });
});

describe('log scroll mapping above the height cap', () => {
  test('scaling starts where rows × ROW_HEIGHT passes the cap', () => {
    const limit = Math.floor(MAX_SCROLL_PX / ROW_HEIGHT);
    assert.equal(isScaled(geo(limit)), false);
    assert.equal(isScaled(geo(limit + 1)), true);
    assert.equal(spacerHeight(geo(limit + 1)), MAX_SCROLL_PX);
  });

  for (const count of [1_000_000, 10_000_000]) {
    const g = geo(count);
    const label = count.toLocaleString('en');

    test(`${label} rows: the top shows row 0, the end shows the last row`, () => {
      assert.equal(isScaled(g), true);
      assert.ok(spacerHeight(g) <= MAX_SCROLL_PX);
      assert.deepEqual(rowsShown(g, 0), { start: 0, end: visibleRows(g) });
      const bottom = rowsShown(g, maxScroll(g));
      assert.equal(bottom.end, count);
      assert.ok(bottom.start <= count - Math.floor(VIEW_H / ROW_HEIGHT));
      assert.equal(isAtBottom(g, scrollToFirst(g, maxScroll(g))), true);
      // Past the end (a browser may report a fraction more) stays on the last rows.
      assert.equal(rowsShown(g, maxScroll(g) + 50).end, count);
    });

    test(`${label} rows: the middle of the scrollbar shows the middle rows`, () => {
      const { start, end } = rowsShown(g, maxScroll(g) / 2);
      const mid = count / 2;
      assert.ok(start <= mid && mid <= end + visibleRows(g), `rows ${start}..${end} around ${mid}`);
    });

    test(`${label} rows: one pixel of scrollbar never skips a row`, () => {
      // Consecutive pixel positions overlap, so dragging the thumb slowly passes every row.
      const perPx = maxFirst(g) / maxScroll(g);
      assert.ok(perPx < visibleRows(g) - 1, `${perPx} rows per pixel`);
      for (const top of [0, 1, 12_345, Math.floor(maxScroll(g) / 2), maxScroll(g) - 1]) {
        const a = rowsShown(g, top);
        const b = rowsShown(g, top + 1);
        assert.ok(b.start <= a.end, `gap between ${top}px and ${top + 1}px`);
      }
    });

    test(`${label} rows: a row jumped to is centred and in view, and the position survives the round trip`, () => {
      for (const row of [0, 3, 250_000, Math.floor(count / 2), count - 2, count - 1]) {
        const first = centreOn(g, row);
        const top = firstToScroll(g, first);
        assert.ok(top >= 0 && top <= maxScroll(g));
        // What the scroll event then reports maps back to the same rows (within a fraction of a row).
        const back = scrollToFirst(g, top);
        assert.ok(Math.abs(back - first) < 1e-3, `row ${row}: ${first} → ${top}px → ${back}`);
        const start = Math.floor(back);
        assert.ok(start <= row && row < start + visibleRows(g), `row ${row} not in ${start}…`);
      }
    });
  }
});
