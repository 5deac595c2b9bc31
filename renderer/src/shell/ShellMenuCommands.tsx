/**
 * Carries out the Electron application menu's commands (app/shell/menu.ts) in the page: areas through the
 * workspace, the theme, and the File items through native dialogs (the preload's openFile / saveFile). In
 * browser mode there is no menu and no bridge for it: this renders nothing and listens to nothing. It must be
 * mounted inside the workspace's WorkspaceContext provider.
 */
import { useEffect, useRef } from 'react';
import type { MenuCommand, MenuTheme } from '../../../app/shared/contract';
import { call } from '../api';
import { useApp } from '../store';
import { useWorkspace } from '../workspace/areas';
import { intentOf, profilesBundle } from './commands';
import { offer } from './handoff';

/**
 * The workspace's theme setter and help overlay (App passes both); without them (a page mounting this alone) the
 * theme is set on <html> directly and Help types `?`, the overlay's key.
 */
export interface ShellHooks {
  setTheme?(theme: MenuTheme): void;
  showHelp?(): void;
}

function setThemeOnRoot(theme: MenuTheme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function ShellMenuCommands({ setTheme, showHelp }: ShellHooks = {}) {
  const { go } = useWorkspace();
  const { setTopology, setError, setStatus } = useApp();
  // The newest callbacks, without re-subscribing to the bridge on every render.
  const latest = useRef({ go, setTopology, setError, setStatus, setTheme, showHelp });
  latest.current = { go, setTopology, setError, setStatus, setTheme, showHelp };

  useEffect(() => {
    const bridge = window.aioTuner;
    if (!bridge?.onMenuCommand) return;
    const fail = (e: unknown) => latest.current.setError((e as Error).message);
    const run = async (command: MenuCommand) => {
      const h = latest.current;
      const intent = intentOf(command);
      switch (intent.kind) {
        case 'area':
          return h.go(intent.area);
        case 'theme':
          return (h.setTheme ?? setThemeOnRoot)(intent.theme);
        case 'help':
          // Without a hook, the key that opens the workspace's shortcut overlay (`?`), as if typed.
          if (h.showHelp) return h.showHelp();
          return void document.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }));
        case 'none':
          return;
        case 'file':
          break;
      }
      if (intent.action === 'open-log') {
        const f = await bridge.openFile?.('log');
        if (!f) return;
        h.go(intent.area);
        offer('open-log', await call('log.open', { path: f.path }));
      } else if (intent.action === 'import-topology') {
        const f = await bridge.openFile?.('topology');
        if (!f || f.purpose !== 'topology') return;
        const t = await call(
          'topology.load',
          f.kind === 'archive'
            ? { kind: 'archive', data: f.data, name: f.name }
            : { kind: 'text', text: f.text, name: f.name },
        );
        h.setTopology(t);
        h.go(intent.area);
      } else {
        const list = (await call('profiles.list', {})).filter((p) => !p.error);
        if (list.length === 0) {
          h.setStatus('No saved profiles to export.');
          return;
        }
        const exports = await Promise.all(list.map((p) => call('profiles.export', { name: p.name })));
        const path = await bridge.saveFile?.(
          'aio-tuner-profiles.json',
          profilesBundle(
            exports.map((e) => e.json),
            new Date(),
          ),
        );
        if (path) h.setStatus(`Exported ${list.length} profile(s) to ${path}.`);
      }
    };
    return bridge.onMenuCommand((command) => void run(command).catch(fail));
  }, []);
  return null;
}
