/**
 * The keyboard shortcuts: one table the key handler and the help overlay are both made from, so the overlay
 * cannot list a key that does nothing or miss one that does something.
 */
import { AREAS, type AreaId } from './areas';

export type ShortcutAction =
  { kind: 'area'; area: AreaId } | { kind: 'start' } | { kind: 'stop' } | { kind: 'help' };

export interface Shortcut {
  /** As shown in the help overlay. */
  keys: string;
  description: string;
  action: ShortcutAction;
  /** Whether it works while typing in a text field (plain keys must not: they are text there). */
  inFields: boolean;
  matches(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): boolean;
}

const plain = (e: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'altKey'>) =>
  !e.ctrlKey && !e.metaKey && !e.altKey;
// Cmd on macOS where Ctrl is elsewhere; both work everywhere.
const ctrl = (e: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'altKey'>) =>
  (e.ctrlKey || e.metaKey) && !e.altKey;

export const SHORTCUTS: readonly Shortcut[] = [
  ...AREAS.map((a): Shortcut => ({
    keys: a.key,
    description: `Go to ${a.label}: ${a.summary}`,
    action: { kind: 'area', area: a.id },
    inFields: false,
    matches: (e) => plain(e) && e.key === a.key,
  })),
  {
    keys: 'Ctrl+Enter',
    description: 'Start the run (also while typing in a field)',
    action: { kind: 'start' },
    inFields: true,
    matches: (e) => ctrl(e) && !e.shiftKey && e.key === 'Enter',
  },
  {
    keys: 'Ctrl+.',
    description: 'Stop the run (Escape is left to dialogs)',
    action: { kind: 'stop' },
    inFields: true,
    matches: (e) => ctrl(e) && e.key === '.',
  },
  {
    keys: '?',
    description: 'Show this list of shortcuts',
    action: { kind: 'help' },
    inFields: false,
    matches: (e) => plain(e) && e.key === '?',
  },
];

/** Keys that type text in the focused element: there, plain-key shortcuts stay text. */
export function isTextField(el: Element | null): boolean {
  if (!el) return false;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'range', 'reset', 'submit', 'color', 'file', 'image'].includes(
      el.type,
    );
  }
  return el instanceof HTMLElement && el.isContentEditable;
}

export function shortcutFor(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>,
  inField: boolean,
): Shortcut | null {
  return SHORTCUTS.find((s) => (s.inFields || !inField) && s.matches(e)) ?? null;
}
