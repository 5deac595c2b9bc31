/**
 * Electron shell, kept thin: one window, the engine behind IPC, nothing else. Every capability lives in plain
 * Node modules that the browser mode and the CLI use too.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron';
import type { IpcMainInvokeEvent } from 'electron';
import { basename, join } from 'node:path';
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
import { menuTemplate, withCommands } from './shell/menu';
import { chosenFile, isOpenPurpose, openDialogOptions, saveDialogOptions } from './shell/dialogs';
import {
  DEFAULT_WINDOW_STATE,
  MIN_HEIGHT,
  MIN_WIDTH,
  debouncedSaver,
  readWindowState,
  stateOf,
  urlForArea,
  windowStateFile,
  writeWindowState,
  type WindowState,
} from './shell/window-state';
import { writeFileAtomic } from './util/atomic';
import { VERSION } from './version';

const rendererDir = join(__dirname, 'renderer');
let engine: Engine | null = null;
let win: BrowserWindow | null = null;
// The window's state as last seen, saved to window-state.json shortly after each change and on close.
let windowState: WindowState = DEFAULT_WINDOW_STATE;
const stateFile = windowStateFile();
const stateSaver = debouncedSaver(
  () => writeWindowState(stateFile, windowState),
  500,
  (e) => console.error(`window state not saved: ${(e as Error).message}`),
);

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i !== -1 ? process.argv[i + 1] : undefined;
}

/** Only our own page may talk to the engine. */
function senderIsOurs(e: IpcMainInvokeEvent): boolean {
  return win !== null && e.sender.id === win.webContents.id && isOwnPage(e.senderFrame?.url ?? '');
}

function createWindow(start: WindowState): void {
  windowState = start;
  win = new BrowserWindow({
    x: start.bounds.x,
    y: start.bounds.y,
    width: start.bounds.width,
    height: start.bounds.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
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
  if (start.maximized) win.maximize();
  if (start.fullscreen) win.setFullScreen(true);
  win.once('ready-to-show', () => win?.show());
  const track = () => {
    if (!win || win.isDestroyed()) return;
    windowState = stateOf(win, windowState.area);
    stateSaver.schedule();
  };
  win.on('resize', track);
  win.on('move', track);
  win.on('maximize', track);
  win.on('unmaximize', track);
  win.on('enter-full-screen', track);
  win.on('leave-full-screen', track);
  // The workspace keeps its area in the URL's hash (#/history): an in-page navigation.
  win.webContents.on('did-navigate-in-page', track);
  win.on('close', () => {
    track();
    void stateSaver.flush();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (openExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!navigationAllowed(win?.webContents.getURL() ?? '', url)) e.preventDefault();
  });
  void win.loadURL(urlForArea(RENDERER_INDEX_URL, start.area));
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
  ipcMain.handle(IPC_CHANNELS.openFile, async (e, purpose: unknown) => {
    if (!senderIsOurs(e) || !win || !isOpenPurpose(purpose)) return null;
    const r = await dialog.showOpenDialog(win, openDialogOptions(purpose));
    return r.canceled || !r.filePaths[0] ? null : chosenFile(purpose, r.filePaths[0]);
  });
  ipcMain.handle(IPC_CHANNELS.saveFile, async (e, name: unknown, text: unknown) => {
    if (!senderIsOurs(e) || !win || typeof name !== 'string' || typeof text !== 'string') return null;
    const r = await dialog.showSaveDialog(
      win,
      saveDialogOptions(join(app.getPath('documents'), basename(name))),
    );
    if (r.canceled || !r.filePath) return null;
    await writeFileAtomic(r.filePath, text);
    return r.filePath;
  });

  app.setAboutPanelOptions({ applicationName: 'AIO Tuner', applicationVersion: VERSION });
  const template = menuTemplate({
    platform: process.platform,
    appName: 'AIO Tuner',
    devTools: !app.isPackaged,
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      withCommands(template, (command) =>
        command === 'about' ? app.showAboutPanel() : win?.webContents.send(IPC_CHANNELS.menuCommand, command),
      ),
    ),
  );

  const open = () =>
    readWindowState(stateFile, screen.getAllDisplays()).then(({ state, problem }) => {
      if (problem) console.warn(`window state: ${problem}; opening with the defaults`);
      createWindow(state);
    });
  void open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void open();
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
  void Promise.all([stateSaver.flush(), engine.dispose()]).finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
