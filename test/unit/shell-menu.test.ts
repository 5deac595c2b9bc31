// The application menu (app/shell/menu.ts) as the data Electron builds it from: Electron cannot start on the
// build machines, so the template itself is what is tested, and main.ts is read as source to check it wires it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  areaAccelerator,
  checkedTheme,
  commandsIn,
  isMenuTheme,
  reportedTheme,
  menuTemplate,
  withCommands,
  type MenuItemConstructorOptions,
} from '../../app/shell/menu';
import { MENU_AREAS, MENU_COMMANDS, type MenuCommand } from '../../app/shared/contract';
import { AREAS } from '../../renderer/src/workspace/areas';

type Item = MenuItemConstructorOptions;
const sub = (item: Item | undefined): Item[] => (Array.isArray(item?.submenu) ? item.submenu : []);
const top = (t: Item[], label: string) => t.find((i) => i.label?.replace('&', '') === label);
const byId = (items: Item[], id: string): Item | undefined => {
  for (const i of items) {
    if (i.id === id) return i;
    const found = byId(sub(i), id);
    if (found) return found;
  }
  return undefined;
};
/** Every accelerator in the menu, with the label it belongs to. */
const accelerators = (items: Item[]): [string, string][] =>
  items.flatMap((i) => [
    ...(i.accelerator ? [[i.accelerator, i.label ?? i.role ?? '?'] as [string, string]] : []),
    ...accelerators(sub(i)),
  ]);

test("the menu's areas are the workspace's areas: same ids, labels and keys, in the same order", () => {
  assert.deepEqual(
    MENU_AREAS.map((a) => ({ id: a.id, label: a.label, key: a.key })),
    AREAS.map((a) => ({ id: a.id, label: a.label, key: a.key })),
  );
});

for (const platform of ['linux', 'win32', 'darwin']) {
  test(`${platform}: File, View and Help hold every command once; each command is in the menu`, () => {
    const t = menuTemplate({ platform, appName: 'AIO Tuner' });
    assert.deepEqual(
      t.map((i) => i.label?.replace('&', '')),
      platform === 'darwin'
        ? ['AIO Tuner', 'File', 'Edit', 'View', 'Help']
        : ['File', 'Edit', 'View', 'Help'],
    );
    assert.deepEqual(
      sub(top(t, 'File'))
        .filter((i) => i.id)
        .map((i) => [i.id, i.label]),
      [
        ['open-log', 'Open Log…'],
        ['import-topology', 'Import Topology…'],
        ['export-profiles', 'Export Profiles…'],
      ],
    );
    assert.deepEqual([...commandsIn(t)].sort(), [...MENU_COMMANDS].sort());
    // About sits in the app menu on macOS, in Help elsewhere; never in both.
    const about = (label: string) => sub(top(t, label)).filter((i) => i.id === 'about').length;
    assert.equal(about('Help') + about('AIO Tuner'), 1);
    // No accelerator is given twice (Electron would silently keep one).
    const keys = accelerators(t).map(([k]) => k);
    assert.deepEqual(
      keys.filter((k, i) => keys.indexOf(k) !== i),
      [],
    );
  });
}

test('View: each area with Ctrl/Cmd + its key, the theme as three radio items, and zoom in, out and reset', () => {
  const view = sub(top(menuTemplate({ platform: 'linux', appName: 'AIO Tuner', theme: 'dark' }), 'View'));
  for (const a of AREAS) {
    const item = byId(view, `area:${a.id}`);
    assert.equal(item?.label, a.label);
    assert.equal(item?.accelerator, `CmdOrCtrl+${a.key}`);
  }
  // A plain digit as a menu accelerator would eat every digit typed into a field.
  assert.ok(view.every((i) => !/^\d$/.test(i.accelerator ?? '')));
  const themes = sub(view.find((i) => i.label === 'Theme'));
  assert.deepEqual(
    themes.map((i) => [i.id, i.type, i.checked]),
    [
      ['theme:light', 'radio', false],
      ['theme:dark', 'radio', true],
      ['theme:system', 'radio', false],
    ],
  );
  assert.deepEqual(
    view.filter((i) => /zoom/i.test(i.role ?? '')).map((i) => [i.role, i.accelerator]),
    [
      ['zoomIn', 'CmdOrCtrl+='],
      ['zoomOut', 'CmdOrCtrl+-'],
      ['resetZoom', 'CmdOrCtrl+0'],
    ],
  );
  assert.equal(areaAccelerator('4'), 'CmdOrCtrl+4');
  // Without a theme the system's is checked; developer tools only when asked for.
  const plain = sub(top(menuTemplate({ platform: 'linux', appName: 'AIO Tuner' }), 'View'));
  assert.equal(byId(plain, 'theme:system')?.checked, true);
  assert.ok(!plain.some((i) => i.role === 'toggleDevTools'));
  const dev = sub(top(menuTemplate({ platform: 'linux', appName: 'AIO Tuner', devTools: true }), 'View'));
  assert.ok(dev.some((i) => i.role === 'toggleDevTools'));
});

test('withCommands: clicking an item sends its command; roles and separators are left to Electron', () => {
  const sent: MenuCommand[] = [];
  const template = menuTemplate({ platform: 'linux', appName: 'AIO Tuner' });
  const wired = withCommands(template, (c) => sent.push(c));
  for (const command of MENU_COMMANDS) {
    const item = byId(wired, command);
    assert.ok(item?.click, command);
    (item.click as () => void)();
  }
  assert.deepEqual(sent, [...MENU_COMMANDS]);
  const roles = (items: Item[]): Item[] => items.flatMap((i) => [...(i.role ? [i] : []), ...roles(sub(i))]);
  assert.ok(roles(wired).length > 0);
  assert.ok(roles(wired).every((i) => !i.click || i.id));
  // The plain template is untouched: it stays data.
  assert.ok(!byId(template, 'open-log')?.click);
});

test('main.ts builds the application menu from the template and sends the commands to the page', () => {
  const main = readFileSync('app/main.ts', 'utf8');
  assert.match(
    main,
    /Menu\.setApplicationMenu\(\s*Menu\.buildFromTemplate\(\s*withCommands\(\s*menuTemplate\(\{[^}]*theme: menuTheme,/,
  );
  assert.match(main, /webContents\.send\(IPC_CHANNELS\.menuCommand, command\)/);
  const preload = readFileSync('app/preload.ts', 'utf8');
  assert.match(preload, /ipcRenderer\.on\(IPC_CHANNELS\.menuCommand, listener\)/);
});

test('View › Theme follows the page: a theme the page reports rebuilds the menu with its radio checked', () => {
  // The page starts on dark (its saved choice) while the menu shows the system's: the menu must change.
  assert.equal(reportedTheme('system', 'dark'), 'dark');
  const rebuilt = menuTemplate({ platform: 'linux', appName: 'AIO Tuner', theme: 'dark' });
  assert.equal(checkedTheme(rebuilt), 'dark');
  assert.equal(byId(rebuilt, 'theme:dark')?.checked, true);
  assert.equal(byId(rebuilt, 'theme:light')?.checked, false);
  assert.equal(
    checkedTheme(menuTemplate({ platform: 'darwin', appName: 'AIO Tuner', theme: 'light' })),
    'light',
  );
  // The same theme again, or anything that is not a theme (IPC carries any value): nothing to rebuild.
  assert.equal(reportedTheme('dark', 'dark'), null);
  for (const bad of ['Dark', '', null, undefined, 1, { theme: 'dark' }]) {
    assert.equal(isMenuTheme(bad), false, String(bad));
    assert.equal(reportedTheme('system', bad), null);
  }
});

test('main.ts rebuilds the menu when the page reports its theme; the preload reports it, typed', () => {
  const main = readFileSync('app/main.ts', 'utf8');
  assert.match(main, /ipcMain\.on\(IPC_CHANNELS\.themeChanged, \(e, theme: unknown\) => \{/);
  assert.match(main, /senderIsOurs\(e\) \? reportedTheme\(menuTheme, theme\) : null/);
  assert.match(main, /menuTheme = next;\s*setMenu\(\);/);
  const preload = readFileSync('app/preload.ts', 'utf8');
  assert.match(preload, /const nativeShell: NativeShell = \{/);
  assert.match(preload, /themeChanged: \(theme\) => ipcRenderer\.send\(IPC_CHANNELS\.themeChanged, theme\)/);
  assert.match(preload, /openFile: \(purpose\) => ipcRenderer\.invoke\(IPC_CHANNELS\.openFile, purpose\)/);
  assert.match(preload, /contextBridge\.exposeInMainWorld\('aioShell', nativeShell\)/);
});
