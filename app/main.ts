/**
 * Electron shell, kept thin: one window, the engine behind IPC, nothing else. Every capability lives in plain
 * Node modules that the browser mode and the CLI use too.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } from 'electron';
import type { IpcMainInvokeEvent } from 'electron';
import { basename, join } from 'node:path';
import { Engine, type EngineClient } from './api/engine';
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
import { menuTemplate, reportedTheme, withCommands } from './shell/menu';
import type { MenuTheme } from './shared/contract';
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
/** The window's page as an engine client: a new one per page load, so a reload lets go of what the last held. */
let page: EngineClient | null = null;
/** The theme the View › Theme radio shows: the page reports its own at start and on each change. */
let menuTheme: MenuTheme = 'system';
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
function senderIsOurs(e: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>): boolean {
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
  // A new document (a reload): the old page's load watches end with it, the new page is a client of its own.
  win.webContents.on('did-start-navigation', (d) => {
    if (!d.isMainFrame || d.isSameDocument) return;
    page?.close();
    page = engine?.connect() ?? null;
  });
  win.webContents.on('destroyed', () => {
    page?.close();
    page = null;
  });
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
    page ??= engine!.connect();
    const client = page;
    return replyTo(() => client.handle(String(method), params));
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
  // Built from data again whenever the page's theme changes, so the View › Theme radio shows the page's.
  const setMenu = () =>
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        withCommands(
          menuTemplate({
            platform: process.platform,
            appName: 'AIO Tuner',
            theme: menuTheme,
            devTools: !app.isPackaged,
          }),
          (command) =>
            command === 'about'
              ? app.showAboutPanel()
              : win?.webContents.send(IPC_CHANNELS.menuCommand, command),
        ),
      ),
    );
  setMenu();
  ipcMain.on(IPC_CHANNELS.themeChanged, (e, theme: unknown) => {
    const next = senderIsOurs(e) ? reportedTheme(menuTheme, theme) : null;
    if (!next) return;
    menuTheme = next;
    setMenu();
  });

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
