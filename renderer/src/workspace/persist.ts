/** Small values the workspace remembers across reloads and restarts (last area, pane sizes), in localStorage. */
export function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeStored(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage refused: the value holds for this page only.
  }
}

export const AREA_KEY = 'aio-tuner.area';
export const MAP_WIDTH_KEY = 'aio-tuner.map-width';
