/**
 * Sandboxed preload: the renderer's only bridge to the engine. It may only require('electron'), so the build
 * bundles it into one CommonJS file. It exposes exactly the `Bridge` the browser-mode WebSocket client offers.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Bridge } from './api/contract';

const bridge: Bridge = {
  request: (method, params) => ipcRenderer.invoke('aio:request', method, params),
  showInFolder: (path) => ipcRenderer.invoke('aio:show-in-folder', path),
  onEvent(cb) {
    const listener = (_e: IpcRendererEvent, event: string, data: unknown) => cb(event, data);
    ipcRenderer.on('aio:event', listener);
    return () => {
      ipcRenderer.removeListener('aio:event', listener);
    };
  },
};

contextBridge.exposeInMainWorld('aioTuner', bridge);
