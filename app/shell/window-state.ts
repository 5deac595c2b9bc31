/**
 * The window's size, place, maximized and full-screen state and the last area, kept in `window-state.json` in
 * the data folder so a restart returns the user where they were. Plain data and functions (app/main.ts only
 * wires them): a file that is missing, corrupt, from a newer AIO Tuner, or that would put the window where no
 * display is now falls back to the defaults, with the reason said once on the console.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MENU_AREAS, type MenuArea } from '../shared/contract';
import { writeFileAtomic } from '../util/atomic';
import { dataDir } from '../util/datadir';

export const WINDOW_STATE_FILE = 'window-state.json';
/** Bumped only when the file's shape changes other than by an optional field. */
export const WINDOW_STATE_VERSION = 1;
/** Smaller than this the workspace's navigation and map do not fit; a smaller saved size is grown to it. */
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 560;
/** How much of the window must lie on a display for it to count as on screen: enough to grab its title bar. */
const MIN_VISIBLE = 64;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** The window's restored (not maximized, not full-screen) bounds; without x and y the window is centred. */
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
  fullscreen: boolean;
  area: MenuArea;
}

/** What Electron's `screen.getAllDisplays()` gives, reduced to what placing a window needs. */
export interface DisplayArea {
  /** The display's work area: without task bars and docks. */
  workArea: Rect;
}

export const DEFAULT_WINDOW_STATE: WindowState = {
  bounds: { width: 1600, height: 1000 },
  maximized: false,
  fullscreen: false,
  area: 'pick',
};

export interface LoadedState {
  state: WindowState;
  /** Why the saved state was not used as it was (null: used, or no file yet). */
  problem: string | null;
}

const AREA_IDS = MENU_AREAS.map((a) => a.id) as [MenuArea, ...MenuArea[]];
const coordinate = z.number().int().min(-1_000_000).max(1_000_000);
const size = z.number().int().positive().max(100_000);
const FileSchema = z.object({
  schemaVersion: z.number().int().min(0),
  bounds: z.object({ x: coordinate.optional(), y: coordinate.optional(), width: size, height: size }),
  maximized: z.boolean(),
  fullscreen: z.boolean(),
  area: z.enum(AREA_IDS),
});

export function windowStateFile(dir: string = dataDir()): string {
  return join(dir, WINDOW_STATE_FILE);
}

/** The state a parsed file holds, or the defaults and why. */
export function parseWindowState(data: unknown): LoadedState {
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > WINDOW_STATE_VERSION)
    return fallback(`it was written by a newer AIO Tuner (schemaVersion ${version})`);
  const r = FileSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'the file';
    return fallback(`${where}: ${issue.message}`);
  }
  const { schemaVersion: _v, ...state } = r.data;
  return { state, problem: null };
}

function fallback(problem: string): LoadedState {
  return { state: structuredClone(DEFAULT_WINDOW_STATE), problem };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w >= MIN_VISIBLE && h >= MIN_VISIBLE ? w * h : 0;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, hi));

/**
 * The state placed on the displays there are now: the window goes onto the display it overlaps most, shrunk to
 * that display's work area if it is larger and moved fully inside it. A window that lies on no display (the
 * monitor it was on is gone) is centred at its default size instead, and `problem` says so. With no display
 * known the position is dropped (Electron centres the window).
 */
export function fitToDisplays(state: WindowState, displays: DisplayArea[]): LoadedState {
  const { bounds } = state;
  const width = Math.max(bounds.width, MIN_WIDTH);
  const height = Math.max(bounds.height, MIN_HEIGHT);
  if (displays.length === 0) return { state: { ...state, bounds: { width, height } }, problem: null };
  if (bounds.x === undefined || bounds.y === undefined) {
    // Centred by Electron: only the size must fit, on the largest work area.
    const largest = displays.reduce((a, d) =>
      d.workArea.width * d.workArea.height > a.workArea.width * a.workArea.height ? d : a,
    ).workArea;
    return {
      state: {
        ...state,
        bounds: { width: Math.min(width, largest.width), height: Math.min(height, largest.height) },
      },
      problem: null,
    };
  }
  const rect: Rect = { x: bounds.x, y: bounds.y, width, height };
  let best: Rect | null = null;
  let bestArea = 0;
  for (const d of displays) {
    const o = overlap(rect, d.workArea);
    if (o > bestArea) [best, bestArea] = [d.workArea, o];
  }
  if (!best) {
    const where = `${rect.width}×${rect.height} at ${rect.x},${rect.y}`;
    const centred = fitToDisplays({ ...state, bounds: { ...DEFAULT_WINDOW_STATE.bounds } }, displays).state;
    return { state: centred, problem: `the saved window (${where}) is on no display now` };
  }
  const w = Math.min(rect.width, best.width);
  const h = Math.min(rect.height, best.height);
  return {
    state: {
      ...state,
      bounds: {
        x: clamp(rect.x, best.x, best.x + best.width - w),
        y: clamp(rect.y, best.y, best.y + best.height - h),
        width: w,
        height: h,
      },
    },
    problem: null,
  };
}

/** Read `file` and fit it to `displays`: the state to open the window with, and why it differs from the file. */
export async function readWindowState(file: string, displays: DisplayArea[]): Promise<LoadedState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return fitToDisplays(structuredClone(DEFAULT_WINDOW_STATE), displays);
    return fallback(`cannot read ${file}: ${err.message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fallback(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = parseWindowState(data);
  if (parsed.problem) return { ...parsed, problem: `${file}: ${parsed.problem}` };
  return fitToDisplays(parsed.state, displays);
}

/** Write the state atomically (a crash mid-write leaves the previous file). */
export async function writeWindowState(file: string, state: WindowState): Promise<void> {
  const body = { schemaVersion: WINDOW_STATE_VERSION, ...state };
  await writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n');
}

/** The area a page URL's hash names (`app://aio-tuner/index.html#/history`), or null. */
export function areaFromUrl(url: string): MenuArea | null {
  const hash = url.includes('#') ? url.slice(url.indexOf('#') + 1) : '';
  const id = hash.replace(/^\/?/, '');
  return AREA_IDS.find((a) => a === id) ?? null;
}

/** The page URL that opens on `area` (the workspace reads the area from the hash, as in browser mode). */
export function urlForArea(indexUrl: string, area: MenuArea): string {
  return `${indexUrl}#/${area}`;
}

/** What a window is now, as Electron's BrowserWindow reports it (the methods main.ts calls, nothing else). */
export interface WindowLike {
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isFullScreen(): boolean;
  webContents: { getURL(): string };
}

/** The state to save for `win`; the area stays `lastArea` while the page's URL names none (still loading). */
export function stateOf(win: WindowLike, lastArea: MenuArea): WindowState {
  const b = win.getNormalBounds();
  return {
    bounds: { x: b.x, y: b.y, width: b.width, height: b.height },
    maximized: win.isMaximized(),
    fullscreen: win.isFullScreen(),
    area: areaFromUrl(win.webContents.getURL()) ?? lastArea,
  };
}

/**
 * Saves coalesced: `schedule()` on every move and resize writes once, `delayMs` after the last one; `flush()`
 * (on close) writes now if one is pending. Writes never overlap, and a failed write is reported, not thrown.
 */
export function debouncedSaver(
  save: () => Promise<void>,
  delayMs: number,
  onError: (e: unknown) => void,
): { schedule(): void; flush(): Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();
  const run = (): Promise<void> => {
    timer = null;
    writing = writing.then(save).catch(onError);
    return writing;
  };
  return {
    schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void run(), delayMs);
    },
    flush() {
      if (!timer) return writing;
      clearTimeout(timer);
      return run();
    },
  };
}
