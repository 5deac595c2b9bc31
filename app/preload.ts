/**
 * Sandboxed preload: the renderer's only bridge to the engine. It may only require('electron'), so the build
 * bundles it into one CommonJS file. It exposes exactly the `Bridge` the browser-mode WebSocket client offers.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
// Type-only from the contract (its zod schemas must not be bundled here); the channel names from ./api/ipc.
import type { ApiEvent, Bridge, MenuCommand, NativeShell } from './api/contract';
import { IPC_CHANNELS } from './api/ipc';

const bridge: Bridge = {
  request: (method, params) => ipcRenderer.invoke(IPC_CHANNELS.request, method, params),
  showInFolder: (path) => ipcRenderer.invoke(IPC_CHANNELS.showInFolder, path),
  onEvent(cb) {
    const listener = (_e: IpcRendererEvent, event: ApiEvent, data: unknown) => cb(event, data);
    ipcRenderer.on(IPC_CHANNELS.event, listener);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.event, listener);
    };
  },
  onMenuCommand(cb) {
    const listener = (_e: IpcRendererEvent, command: MenuCommand) => cb(command);
    ipcRenderer.on(IPC_CHANNELS.menuCommand, listener);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.menuCommand, listener);
    };
  },
  openFile: (purpose) => ipcRenderer.invoke(IPC_CHANNELS.openFile, purpose),
  saveFile: (defaultName, text) => ipcRenderer.invoke(IPC_CHANNELS.saveFile, defaultName, text),
};

contextBridge.exposeInMainWorld('aioTuner', bridge);

// The window's own parts for the page's controls (its "Import topology…" and "Open log file…", its theme).
const nativeShell: NativeShell = {
  openFile: (purpose) => ipcRenderer.invoke(IPC_CHANNELS.openFile, purpose),
  themeChanged: (theme) => ipcRenderer.send(IPC_CHANNELS.themeChanged, theme),
};
contextBridge.exposeInMainWorld('aioShell', nativeShell);
