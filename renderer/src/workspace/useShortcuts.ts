import { useEffect, useRef } from 'react';
import { isTextField, shortcutFor, type ShortcutAction } from './shortcuts';

/**
 * The workspace's key handler (see shortcuts.ts). While a modal dialog is open only the run's Start/Stop keys
 * work: area keys behind a dialog would change what the user is not looking at.
 */
export function useShortcuts(run: (action: ShortcutAction) => void): void {
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const s = shortcutFor(e, isTextField(document.activeElement));
      if (!s) return;
      const inDialog = document.querySelector('dialog[open]') !== null;
      if (inDialog && (s.action.kind === 'area' || s.action.kind === 'help')) return;
      e.preventDefault();
      latest.current(s.action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
