// The page's own file controls and theme in the Electron window (issue 16): "Import topology…" and "Open log
// file…" use the window's native open dialog when the preload offers one (`window.aioShell`), the page's own
// file fields stay in browser mode, and the page reports its theme so the View › Theme radio follows it.
// Electron cannot start on the build machines: `window.aioShell` is given here as the preload gives it (the
// real dialog's answer for a real file, app/shell/dialogs.ts chosenFile), in front of the real engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { gotoArea } from '../helpers/ui';
import { FIXTURES_DIR } from '../helpers/fixtures';
import { chosenFile } from '../../app/shell/dialogs';
import type { ChosenFile } from '../../app/shared/contract';

let browser: Browser;
let served: Served;
const tmp = mkdtempSync(join(tmpdir(), 'aio-shell-native-'));
const logPath = join(tmp, 'old-run.log');

before(async () => {
  writeFileSync(logPath, Array.from({ length: 120 }, (_, i) => `step ${i + 1}`).join('\n') + '\n');
  [browser, served] = await Promise.all([launchBrowser(), startServe()]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A page whose window offers the native parts, answering each dialog with `files[purpose]`. */
async function electronPage(files: Partial<Record<'log' | 'topology', ChosenFile>>): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  // Source text, not a function: tsx's helpers (__name) do not exist in the page.
  await page.addInitScript(`
    window.__opened = [];
    window.__themes = [];
    const answers = ${JSON.stringify(files)};
    window.aioShell = {
      openFile: async (purpose) => {
        window.__opened.push(purpose);
        return answers[purpose] ?? null;
      },
      themeChanged: (theme) => void window.__themes.push(theme),
    };
  `);
  await page.goto(served.url);
  await page.waitForSelector('[data-testid=example-hint]');
  return page;
}

const opened = (page: Page) => page.evaluate('window.__opened') as Promise<string[]>;
const themes = (page: Page) => page.evaluate('window.__themes') as Promise<string[]>;

test('Electron: Import topology… chooses the file in the native dialog and loads it', async () => {
  const file = await chosenFile('topology', join(FIXTURES_DIR, 'lscpu/arm64-offline-isolated.lscpu-e.txt'));
  const page = await electronPage({ topology: file });
  try {
    await page.getByRole('button', { name: 'Import topology…' }).click();
    const dialog = page.locator('[data-testid=import-topology]');
    assert.equal(await dialog.locator('input[type=file]').count(), 0, 'no page file field in the window');
    await dialog.getByRole('button', { name: 'Choose a file…' }).click();
    await page.waitForFunction(() =>
      (
        document.querySelector('textarea[aria-label="Topology text"]') as HTMLTextAreaElement | null
      )?.value.includes('CPU'),
    );
    assert.deepEqual(await opened(page), ['topology']);
    await dialog.getByRole('button', { name: 'Load', exact: true }).click();
    await page.waitForSelector('[data-testid=topology-origin] >> text=arm64-offline-isolated.lscpu-e.txt');
    // Loaded: the dialog closed.
    assert.equal(await page.locator('[data-testid=import-topology]').isVisible(), false);
  } finally {
    await page.close();
  }
});

test('Electron: Open log file… chooses the log in the native dialog; the engine opens it where it is', async () => {
  const page = await electronPage({ log: await chosenFile('log', logPath) });
  try {
    await gotoArea(page, 'run');
    assert.equal(await page.locator('[data-testid=log-open-file]').count(), 0, 'no page file field');
    assert.equal(await page.locator('[data-testid=log-open-path]').count(), 0, 'no path field');
    await page.click('[data-testid=log-open-native]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=log-viewport]')?.getAttribute('data-count')) === 120,
    );
    assert.deepEqual(await opened(page), ['log']);
    await page.waitForSelector('[data-testid=log-title] >> text=old-run.log');
    await page.waitForSelector('[data-testid=log-row] >> text=step 1');
  } finally {
    await page.close();
  }
});

test('Electron: a cancelled dialog changes nothing', async () => {
  const page = await electronPage({});
  try {
    await gotoArea(page, 'run');
    await page.click('[data-testid=log-open-native]');
    await gotoArea(page, 'pick');
    await page.getByRole('button', { name: 'Import topology…' }).click();
    await page.getByRole('button', { name: 'Choose a file…' }).click();
    await page.waitForFunction(() => (window as unknown as { __opened: string[] }).__opened.length === 2);
    assert.equal(await page.inputValue('textarea[aria-label="Topology text"]'), '');
    assert.equal(await page.locator('[data-testid=import-topology] [role=alert]').count(), 0);
  } finally {
    await page.close();
  }
});

test('Electron: the page reports its theme at start and on each change of the header toggle', async () => {
  const page = await electronPage({});
  try {
    assert.deepEqual(await themes(page), ['system']);
    await page.click('[data-testid=theme-dark]');
    await page.click('[data-testid=theme-light]');
    assert.deepEqual(await themes(page), ['system', 'dark', 'light']);
    // Reopened, the window's menu starts on the page's saved choice.
    await page.reload();
    await page.waitForSelector('[data-testid=example-hint]');
    assert.deepEqual(await themes(page), ['light']);
  } finally {
    await page.close();
  }
});

test('browser mode: the page keeps its own file fields', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  try {
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=example-hint]');
    await gotoArea(page, 'run');
    assert.equal(await page.locator('[data-testid=log-open-file]').count(), 1);
    assert.equal(await page.locator('[data-testid=log-open-path]').count(), 1);
    assert.equal(await page.locator('[data-testid=log-open-native]').count(), 0);
    await gotoArea(page, 'pick');
    await page.getByRole('button', { name: 'Import topology…' }).click();
    assert.equal(await page.locator('[data-testid=import-topology] input[type=file]').count(), 1);
    assert.equal(await page.locator('[data-testid=import-topology-choose]').count(), 0);
  } finally {
    await page.close();
  }
});
