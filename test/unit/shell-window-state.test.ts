// Window-state persistence (app/shell/window-state.ts): read, validate and fit to the displays there are, write
// atomically. Real files in a temporary folder; the displays are given as data, as Electron's screen gives them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_WINDOW_STATE,
  MIN_HEIGHT,
  MIN_WIDTH,
  WINDOW_STATE_FILE,
  areaFromUrl,
  debouncedSaver,
  fitToDisplays,
  readWindowState,
  stateOf,
  urlForArea,
  windowStateFile,
  writeWindowState,
  type DisplayArea,
  type WindowState,
} from '../../app/shell/window-state';
import { RENDERER_INDEX_URL, isOwnPage } from '../../app/shell/policy';

const dir = () => mkdtempSync(join(tmpdir(), 'aio-window-state-'));
/** A laptop panel with a 32 px top bar, and a larger monitor to its right with a 48 px task bar at its bottom. */
const LAPTOP: DisplayArea = { workArea: { x: 0, y: 32, width: 1920, height: 1048 } };
const MONITOR: DisplayArea = { workArea: { x: 1920, y: 0, width: 2560, height: 1392 } };
const saved = (bounds: WindowState['bounds'], extra: Partial<WindowState> = {}): WindowState => ({
  bounds,
  maximized: false,
  fullscreen: false,
  area: 'history',
  ...extra,
});

test('written then read back: the same state, in a stamped file, written atomically (no temporary file left)', async () => {
  const d = dir();
  const file = windowStateFile(d);
  assert.equal(file, join(d, WINDOW_STATE_FILE));
  const state = saved({ x: 2100, y: 40, width: 1400, height: 900 }, { maximized: true, area: 'tune' });
  await writeWindowState(file, state);
  assert.deepEqual(readdirSync(d), [WINDOW_STATE_FILE]);
  const onDisk = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.equal(onDisk.schemaVersion, 1);
  assert.deepEqual(await readWindowState(file, [LAPTOP, MONITOR]), { state, problem: null });
  // Written over: the new state replaces the old one whole.
  await writeWindowState(file, { ...state, maximized: false, area: 'host' });
  assert.equal((await readWindowState(file, [LAPTOP, MONITOR])).state.area, 'host');
});

test('no file yet: the defaults, fitted to the display, and no problem to report', async () => {
  const r = await readWindowState(join(dir(), WINDOW_STATE_FILE), [LAPTOP]);
  assert.equal(r.problem, null);
  assert.deepEqual(r.state, { ...DEFAULT_WINDOW_STATE, bounds: { width: 1600, height: 1000 } });
  // A display smaller than the default size: the default shrinks to it, centred (no position).
  const small: DisplayArea = { workArea: { x: 0, y: 0, width: 1366, height: 740 } };
  assert.deepEqual((await readWindowState(join(dir(), 'none.json'), [small])).state.bounds, {
    width: 1366,
    height: 740,
  });
});

test('a corrupt, invalid or newer file falls back to the defaults and says why', async () => {
  const cases: [string, RegExp][] = [
    ['{"bounds": {"x": 0', /is not valid JSON/],
    ['[]', /expected object/i],
    [
      JSON.stringify({
        schemaVersion: 1,
        bounds: { width: -5, height: 800 },
        maximized: false,
        fullscreen: false,
        area: 'pick',
      }),
      /bounds\.width/,
    ],
    [
      JSON.stringify({
        schemaVersion: 1,
        bounds: { width: 1200, height: 800 },
        maximized: 'yes',
        fullscreen: false,
        area: 'pick',
      }),
      /maximized/,
    ],
    [
      JSON.stringify({
        schemaVersion: 1,
        bounds: { width: 1200, height: 800 },
        maximized: false,
        fullscreen: false,
        area: 'settings',
      }),
      /area/,
    ],
    [
      JSON.stringify({
        schemaVersion: 7,
        bounds: { width: 1200, height: 800 },
        maximized: false,
        fullscreen: false,
        area: 'pick',
      }),
      /newer AIO Tuner \(schemaVersion 7\)/,
    ],
  ];
  for (const [text, why] of cases) {
    const file = join(dir(), WINDOW_STATE_FILE);
    writeFileSync(file, text);
    const r = await readWindowState(file, [LAPTOP]);
    assert.deepEqual(r.state, DEFAULT_WINDOW_STATE, text);
    assert.match(r.problem ?? '', why, text);
    assert.ok(r.problem?.includes(file), 'the problem names the file');
    // The file is left as it was for the user to look at; the next save replaces it.
    assert.equal(readFileSync(file, 'utf8'), text);
  }
});

test('an unreadable file falls back to the defaults and says why', async () => {
  // A folder where the file should be: unreadable as a file, even for root.
  const file = join(dir(), WINDOW_STATE_FILE);
  mkdirSync(file);
  const r = await readWindowState(file, [LAPTOP]);
  assert.deepEqual(r.state, DEFAULT_WINDOW_STATE);
  assert.match(r.problem ?? '', /cannot read .*EISDIR/);
});

test('a window on a display that is gone is centred at the default size, with the reason', () => {
  // It was on the monitor, which is unplugged now: only the laptop is left.
  const r = fitToDisplays(saved({ x: 2400, y: 100, width: 1400, height: 900 }), [LAPTOP]);
  assert.deepEqual(r.state, saved({ width: 1600, height: 1000 }));
  assert.match(r.problem ?? '', /saved window \(1400×900 at 2400,100\) is on no display now/);
  // A sliver of it (less than a title bar's grip) on the laptop counts as gone too.
  const sliver = fitToDisplays(saved({ x: 1880, y: 100, width: 1400, height: 900 }), [LAPTOP]);
  assert.ok(sliver.problem);
});

test('a window partly off its display is moved inside it, and shrunk when larger than its work area', () => {
  // Hanging off the laptop's right edge and above its top bar: moved in, size kept.
  assert.deepEqual(
    fitToDisplays(saved({ x: 1000, y: 0, width: 1400, height: 900 }), [LAPTOP, MONITOR]).state.bounds,
    // Most of it (920 px wide) is on the laptop, the rest (480 px) on the monitor: moved onto the laptop.
    { x: 520, y: 32, width: 1400, height: 900 },
  );
  // Mostly on the monitor: moved fully onto it.
  assert.deepEqual(
    fitToDisplays(saved({ x: 1700, y: -20, width: 1400, height: 900 }), [LAPTOP, MONITOR]).state.bounds,
    { x: 1920, y: 0, width: 1400, height: 900 },
  );
  assert.deepEqual(
    fitToDisplays(saved({ x: 500, y: 0, width: 1200, height: 900 }), [LAPTOP, MONITOR]).state.bounds,
    { x: 500, y: 32, width: 1200, height: 900 },
  );
  // Taller and wider than the laptop: shrunk to its work area, placed at its corner.
  assert.deepEqual(fitToDisplays(saved({ x: 10, y: 40, width: 2400, height: 1300 }), [LAPTOP]), {
    state: saved({ x: 0, y: 32, width: 1920, height: 1048 }),
    problem: null,
  });
  // Too small to hold the workspace: grown to the minimum.
  assert.deepEqual(fitToDisplays(saved({ x: 100, y: 100, width: 300, height: 200 }), [LAPTOP]).state.bounds, {
    x: 100,
    y: 100,
    width: MIN_WIDTH,
    height: MIN_HEIGHT,
  });
  // A display to the left of the primary one has negative coordinates: a window there stays there.
  const left: DisplayArea = { workArea: { x: -1920, y: 0, width: 1920, height: 1080 } };
  assert.deepEqual(
    fitToDisplays(saved({ x: -1800, y: 50, width: 1200, height: 800 }), [LAPTOP, left]).state.bounds,
    {
      x: -1800,
      y: 50,
      width: 1200,
      height: 800,
    },
  );
  // No display known (yet): the size is kept, the position left to Electron.
  assert.deepEqual(fitToDisplays(saved({ x: 5, y: 5, width: 1200, height: 800 }), []).state.bounds, {
    width: 1200,
    height: 800,
  });
});

test("the area rides in the page URL's hash: read from it, and the start URL is still the app's own page", () => {
  assert.equal(areaFromUrl('app://aio-tuner/index.html#/history'), 'history');
  assert.equal(areaFromUrl('app://aio-tuner/index.html#support'), 'support');
  assert.equal(areaFromUrl('app://aio-tuner/index.html'), null);
  assert.equal(areaFromUrl('app://aio-tuner/index.html#/settings'), null);
  const url = urlForArea(RENDERER_INDEX_URL, 'tune');
  assert.equal(url, 'app://aio-tuner/index.html#/tune');
  assert.ok(isOwnPage(url));
});

test("stateOf: the window's restored bounds, maximized and full-screen flags, and the area its URL names", () => {
  const win = (url: string) => ({
    getNormalBounds: () => ({ x: 10, y: 20, width: 1300, height: 900 }),
    isMaximized: () => true,
    isFullScreen: () => false,
    webContents: { getURL: () => url },
  });
  assert.deepEqual(stateOf(win('app://aio-tuner/index.html#/host'), 'pick'), {
    bounds: { x: 10, y: 20, width: 1300, height: 900 },
    maximized: true,
    fullscreen: false,
    area: 'host',
  });
  // While the page is still loading its URL names no area: the last one is kept.
  assert.equal(stateOf(win(''), 'run').area, 'run');
});

test('debouncedSaver: many changes make one write after the quiet time; flush writes a pending one at once', async () => {
  const d = dir();
  const file = join(d, WINDOW_STATE_FILE);
  let state = saved({ x: 0, y: 32, width: 1000, height: 700 });
  let writes = 0;
  const errors: unknown[] = [];
  const saver = debouncedSaver(
    async () => {
      writes++;
      await writeWindowState(file, state);
    },
    60,
    (e) => errors.push(e),
  );
  for (let w = 1000; w < 1100; w += 10) {
    state = { ...state, bounds: { ...state.bounds, width: w } };
    saver.schedule();
  }
  assert.equal(writes, 0);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(writes, 1);
  assert.equal((await readWindowState(file, [LAPTOP])).state.bounds.width, 1090);
  // On close: the change made just before is written without waiting.
  state = { ...state, area: 'support' };
  saver.schedule();
  await saver.flush();
  assert.equal(writes, 2);
  assert.equal((await readWindowState(file, [LAPTOP])).state.area, 'support');
  await saver.flush();
  assert.equal(writes, 2, 'nothing pending, nothing written');
  // A write that fails is reported, not thrown, and the next one still happens.
  const failing = debouncedSaver(
    () => writeWindowState(join(file, 'not-a-dir', 'x.json'), state),
    10,
    (e) => errors.push(e),
  );
  failing.schedule();
  await failing.flush();
  assert.equal(errors.length, 1);
  assert.match(String((errors[0] as Error).message), /ENOTDIR|EEXIST/);
});
