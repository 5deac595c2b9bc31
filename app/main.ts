/**
 * Electron shell, kept thin: one window, the engine behind IPC, nothing else. Every capability lives in plain
 * Node modules that the browser mode and the CLI use too.
 */
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine } from './api/engine';
import { IPC_CHANNELS, errorReply, replyTo } from './api/contract';
import {
  CONTENT_SECURITY_POLICY,
  WEB_PREFERENCES,
  isOwnPage,
  navigationAllowed,
  openExternally,
  permissionAllowed,
} from './shell/policy';

const rendererIndex = join(__dirname, 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;
let engine: Engine | null = null;
let win: BrowserWindow | null = null;

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i !== -1 ? process.argv[i + 1] : undefined;
}

/** Only our own page may talk to the engine. */
function senderIsOurs(e: IpcMainInvokeEvent): boolean {
  return (
    win !== null && e.sender.id === win.webContents.id && isOwnPage(e.senderFrame?.url ?? '', rendererUrl)
  );
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1600,
    height: 1000,
    title: 'AIO Tuner',
    show: false,
    webPreferences: { ...WEB_PREFERENCES, preload: join(__dirname, 'preload.cjs') },
  });
  win.once('ready-to-show', () => win?.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (openExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!navigationAllowed(win?.webContents.getURL() ?? '', url)) e.preventDefault();
  });
  void win.loadFile(rendererIndex);
}

app.enableSandbox();

app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb) =>
    cb(permissionAllowed(permission)),
  );
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });

  engine = new Engine({ shell: 'electron', sysroot: argValue('--sysroot'), fromFile: argValue('--from') });
  engine.subscribe((event, data) => win?.webContents.send(IPC_CHANNELS.event, event, data));
  ipcMain.handle(IPC_CHANNELS.request, (e, method: unknown, params: unknown) => {
    if (!senderIsOurs(e)) return errorReply('IPC sender refused', 'forbidden');
    return replyTo(() => engine!.handle(String(method), params));
  });
  ipcMain.handle(IPC_CHANNELS.showInFolder, (e, path: unknown) => {
    if (senderIsOurs(e) && typeof path === 'string' && engine?.isServable(path)) shell.showItemInFolder(path);
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (ev) => ev.preventDefault());
});

let quitting = false;
app.on('before-quit', (e) => {
  // Runs must not outlive the app: stop their process groups first, then quit for real.
  if (quitting || !engine) return;
  e.preventDefault();
  quitting = true;
  void engine.dispose().finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
