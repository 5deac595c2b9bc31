/**
 * The Electron window's own parts for the page's controls (the preload's `window.aioShell`, app/preload.ts):
 * native file dialogs for "Import topology…" and "Open log file…", and the theme reported to the View menu. In
 * browser mode there is none, and the page keeps its own file fields.
 */
import type { ChosenFile, NativeShell } from '../../../app/shared/contract';

declare global {
  interface Window {
    aioShell?: NativeShell;
  }
}

/** The window's native parts, or null in browser mode. */
export function nativeShell(): NativeShell | null {
  return typeof window !== 'undefined' ? (window.aioShell ?? null) : null;
}

/** A topology file chosen in the native dialog, as the import dialog holds a file chosen in the page. */
export type ChosenTopology =
  | { kind: 'text'; name: string; text: string }
  | { kind: 'archive'; name: string; size: number; data: string };

export function chosenTopology(f: ChosenFile): ChosenTopology | null {
  if (f.purpose !== 'topology') return null;
  // base64: 4 characters for every 3 bytes, less the padding.
  if (f.kind === 'archive')
    return {
      kind: 'archive',
      name: f.name,
      size: Math.floor((f.data.length * 3) / 4) - (f.data.match(/=+$/)?.[0].length ?? 0),
      data: f.data,
    };
  return { kind: 'text', name: f.name, text: f.text };
}
