/**
 * The colour theme: light, dark, or the system's. The choice is kept in localStorage and shown as
 * `<html data-theme>` (absent for the system's), which styles.css keys its palettes on. public/theme-init.js
 * applies the same key before the first paint so a dark choice does not flash white on load.
 */
import { useSyncExternalStore } from 'react';
import { nativeShell } from '../shell/native';

export type Theme = 'light' | 'dark' | 'system';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

/** Shared with public/theme-init.js: keep the two in step. */
export const THEME_KEY = 'aio-tuner.theme';

const listeners = new Set<() => void>();

function stored(): Theme {
  try {
    const t = localStorage.getItem(THEME_KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

let current: Theme = stored();
// Electron: the View › Theme radio starts on the page's own choice (main knows only what the page reports).
nativeShell()?.themeChanged(current);

function apply(t: Theme): void {
  if (t === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}

export function getTheme(): Theme {
  return current;
}

/** Set the theme (the header's toggle, the Electron View menu): applied at once and remembered. */
export function setTheme(t: Theme): void {
  if (!THEMES.includes(t)) throw new Error(`Unknown theme "${String(t)}": expected light, dark or system.`);
  current = t;
  apply(t);
  try {
    if (t === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, t);
  } catch {
    // Storage refused (private mode, quota): the choice still holds for this page.
  }
  listeners.forEach((l) => l());
  nativeShell()?.themeChanged(t);
}

export function useTheme(): Theme {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getTheme,
    getTheme,
  );
}
