/**
 * The application menu as plain data, so it is unit-tested although Electron never starts on the build machines.
 * Every item the page must act on carries a MenuCommand as its `id`; app/main.ts builds the menu from
 * `menuTemplate` and `withCommands` and sends those ids to the page, which carries them out
 * (renderer/src/shell/). Zoom, full screen and quit are Electron's own roles: they need no page.
 */
import { MENU_AREAS, MENU_COMMANDS, type MenuCommand, type MenuTheme } from '../shared/contract';

/** Electron's menu roles this menu uses: items Electron carries out itself. */
export type MenuRole =
  | 'about'
  | 'close'
  | 'quit'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'editMenu'
  | 'help'
  | 'zoomIn'
  | 'zoomOut'
  | 'resetZoom'
  | 'togglefullscreen'
  | 'reload'
  | 'toggleDevTools';

/**
 * A menu item as Electron's `MenuItemConstructorOptions` takes it, reduced to the fields used here (only the
 * shell's entry points import electron; main.ts passing these to `Menu.buildFromTemplate` checks they fit).
 */
export interface MenuItemConstructorOptions {
  id?: string;
  label?: string;
  role?: MenuRole;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox' | 'radio';
  accelerator?: string;
  checked?: boolean;
  submenu?: MenuItemConstructorOptions[];
  click?: () => void;
}

export interface MenuOptions {
  /** process.platform: macOS puts the app's own menu first and About in it. */
  platform: string;
  /** The product name shown in About and in the macOS app menu. */
  appName: string;
  /** The theme whose radio item starts checked (Electron moves the check itself when another is chosen). */
  theme?: MenuTheme;
  /** Adds Reload and the developer tools to View (development builds only). */
  devTools?: boolean;
}

/**
 * View's area items go to an area with Ctrl+digit (Cmd+digit on macOS). The page's plain digit keys only work
 * outside text fields, and a menu accelerator that is a plain digit would swallow every digit typed into a
 * field; in the window there are no browser tabs for Ctrl+digit to switch.
 */
export function areaAccelerator(key: string): string {
  return `CmdOrCtrl+${key}`;
}

const THEME_LABELS: Record<MenuTheme, string> = { light: 'Light', dark: 'Dark', system: 'Follow the system' };

export function isMenuCommand(id: unknown): id is MenuCommand {
  return typeof id === 'string' && (MENU_COMMANDS as readonly string[]).includes(id);
}

export function isMenuTheme(v: unknown): v is MenuTheme {
  return v === 'light' || v === 'dark' || v === 'system';
}

/**
 * The theme the menu must show after the page reported `reported` (IPC, so anything may come): the new theme
 * when it is one and differs from `shown`, else null (nothing to rebuild).
 */
export function reportedTheme(shown: MenuTheme, reported: unknown): MenuTheme | null {
  return isMenuTheme(reported) && reported !== shown ? reported : null;
}

/** The theme whose radio item is checked in a template (the one `menuTemplate` was given), or null. */
export function checkedTheme(template: MenuItemConstructorOptions[]): MenuTheme | null {
  for (const item of template) {
    const id = item.id;
    if (item.type === 'radio' && item.checked && id?.startsWith('theme:')) {
      const t = id.slice('theme:'.length);
      if (isMenuTheme(t)) return t;
    }
    if (Array.isArray(item.submenu)) {
      const inner = checkedTheme(item.submenu);
      if (inner) return inner;
    }
  }
  return null;
}

export function menuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const mac = o.platform === 'darwin';
  const theme = o.theme ?? 'system';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: 'open-log', label: 'Open Log…', accelerator: 'CmdOrCtrl+O' },
      { id: 'import-topology', label: 'Import Topology…', accelerator: 'CmdOrCtrl+I' },
      { id: 'export-profiles', label: 'Export Profiles…', accelerator: 'CmdOrCtrl+E' },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit', label: 'Quit', accelerator: 'CmdOrCtrl+Q' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...MENU_AREAS.map((a): MenuItemConstructorOptions => ({
        id: `area:${a.id}`,
        label: a.label,
        accelerator: areaAccelerator(a.key),
      })),
      { type: 'separator' },
      {
        label: 'Theme',
        submenu: (['light', 'dark', 'system'] as const).map((t): MenuItemConstructorOptions => ({
          id: `theme:${t}`,
          label: THEME_LABELS[t],
          type: 'radio',
          checked: t === theme,
        })),
      },
      { type: 'separator' },
      { role: 'zoomIn', label: 'Zoom In', accelerator: 'CmdOrCtrl+=' },
      { role: 'zoomOut', label: 'Zoom Out', accelerator: 'CmdOrCtrl+-' },
      { role: 'resetZoom', label: 'Actual Size', accelerator: 'CmdOrCtrl+0' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(o.devTools
        ? ([
            { type: 'separator' },
            { role: 'reload' },
            { role: 'toggleDevTools' },
          ] satisfies MenuItemConstructorOptions[])
        : []),
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    label: '&Help',
    submenu: [
      { id: 'help', label: 'Documentation and Shortcuts', accelerator: 'F1' },
      ...(mac ? [] : ([{ type: 'separator' }, { id: 'about', label: `About ${o.appName}` }] as const)),
    ],
  };
  const appMenu: MenuItemConstructorOptions = {
    label: o.appName,
    submenu: [
      { id: 'about', label: `About ${o.appName}` },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  // Edit's roles are what make copy and paste work in text fields on macOS, and list their keys elsewhere.
  const edit: MenuItemConstructorOptions = { role: 'editMenu', label: '&Edit' };
  return mac ? [appMenu, file, edit, view, help] : [file, edit, view, help];
}

/**
 * The template with a click handler on every item whose id is a MenuCommand, calling `send` with it; other
 * items (roles, separators, submenus) are left as they are. The input is not changed.
 */
export function withCommands(
  template: MenuItemConstructorOptions[],
  send: (command: MenuCommand) => void,
): MenuItemConstructorOptions[] {
  return template.map((item) => {
    const out: MenuItemConstructorOptions = { ...item };
    if (Array.isArray(item.submenu)) out.submenu = withCommands(item.submenu, send);
    const id = item.id;
    if (isMenuCommand(id)) out.click = () => send(id);
    return out;
  });
}

/** Every MenuCommand the template holds, in menu order (each once). */
export function commandsIn(template: MenuItemConstructorOptions[]): MenuCommand[] {
  const found: MenuCommand[] = [];
  const visit = (items: MenuItemConstructorOptions[]) => {
    for (const item of items) {
      if (isMenuCommand(item.id) && !found.includes(item.id)) found.push(item.id);
      if (Array.isArray(item.submenu)) visit(item.submenu);
    }
  };
  visit(template);
  return found;
}
