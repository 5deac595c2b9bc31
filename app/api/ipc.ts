/**
 * The Electron IPC channels between main.ts and the preload. A module of its own with no imports: the sandboxed
 * preload is bundled into one file that may only require('electron'), and must not pull in the zod schemas of
 * app/api/contract.ts (which re-exports these names, so the contract still lists every channel).
 */
export const IPC_CHANNELS = {
  /** invoke(method, params) → ApiReply: every API request. */
  request: 'aio:request',
  /** main → window: (event, data), every engine event (ApiEvents). */
  event: 'aio:event',
  /** invoke(path): reveal a file the engine produced in the system file manager; anything else is ignored. */
  showInFolder: 'aio:show-in-folder',
  /** main → window: (command), an application menu item the page carries out (MenuCommand). */
  menuCommand: 'aio:menu-command',
  /** invoke(purpose) → ChosenFile | null: a native open dialog (app/shell/dialogs.ts). */
  openFile: 'aio:open-file',
  /** invoke(defaultName, text) → path | null: a native save dialog, the text written atomically. */
  saveFile: 'aio:save-file',
  /** window → main: send(theme), the page's theme changed; the View › Theme radio follows (app/shell/menu.ts). */
  themeChanged: 'aio:theme-changed',
} as const;
