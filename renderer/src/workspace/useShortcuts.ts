import { useEffect, useRef } from 'react';
import { isTextField, shortcutFor, type ShortcutAction } from './shortcuts';

/**
 * The workspace's key handler (see shortcuts.ts). While a modal dialog is open none apply: the keys belong to
 * the dialog, and an area switch or a run started behind it would change what the user is not looking at.
 */
export function useShortcuts(run: (action: ShortcutAction) => void): void {
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const s = shortcutFor(e, isTextField(document.activeElement));
      if (!s) return;
      if (document.querySelector('dialog[open]') !== null) return;
      e.preventDefault();
      latest.current(s.action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
