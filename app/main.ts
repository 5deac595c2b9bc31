/**
 * Electron shell, kept thin: one window, the engine behind IPC, nothing else. Every capability lives in plain
 * Node modules that the browser mode and the CLI use too.
 */
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron';
import type { IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { Engine } from './api/engine';
import { IPC_CHANNELS, errorReply, replyTo } from './api/contract';
import {
  APP_SCHEME,
  RENDERER_INDEX_URL,
  isOwnPage,
  navigationAllowed,
  openExternally,
  permissionGranted,
} from './shell/policy';
import { SCHEME_PRIVILEGES, serveRendererRequest } from './shell/scheme';

const rendererDir = join(__dirname, 'renderer');
let engine: Engine | null = null;
let win: BrowserWindow | null = null;

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i !== -1 ? process.argv[i + 1] : undefined;
}

/** Only our own page may talk to the engine. */
function senderIsOurs(e: IpcMainInvokeEvent): boolean {
  return win !== null && e.sender.id === win.webContents.id && isOwnPage(e.senderFrame?.url ?? '');
}

function createWindow(): void {
  win = new BrowserWindow({
    width: 1600,
    height: 1000,
    title: 'AIO Tuner',
    show: false,
    // Written out here, where the window is made, so that a reader and a static scan (npm run lint) see every
    // value; test/unit/shell-policy.test.ts asserts them.
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      preload: join(__dirname, 'preload.cjs'),
    },
  });
  win.once('ready-to-show', () => win?.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (openExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!navigationAllowed(win?.webContents.getURL() ?? '', url)) e.preventDefault();
  });
  void win.loadURL(RENDERER_INDEX_URL);
}

app.enableSandbox();
// Must happen before 'ready': the page's scheme is a standard, secure one (see SCHEME_PRIVILEGES).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: SCHEME_PRIVILEGES }]);

app.whenReady().then(() => {
  // The page and its assets, each with the CSP as a response header (app/shell/scheme.ts).
  protocol.handle(APP_SCHEME, (request) => serveRendererRequest(request, rendererDir));
  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb, details) =>
    cb(permissionGranted(permission, details.requestingUrl)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    permissionGranted(permission, requestingOrigin),
  );

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
