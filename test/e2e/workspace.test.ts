// The workspace (issue 16): navigation between areas by mouse and key, the area and the draft kept over reload,
// back/forward, the theme, the shortcut overlay, Ctrl+Enter, the splitter; and the README's screenshots of every
// area in both themes. Real server on this host, real runs, headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startServe, type Served } from '../helpers/serve';
import { gotoArea, openApp, pickCpus, setWorkload } from '../helpers/ui';
import { screenshotPath } from '../helpers/screenshot';
import { AREAS } from '../../renderer/src/workspace/areas';
import { SHORTCUTS } from '../../renderer/src/workspace/shortcuts';
import { SYSTEM_PYTHON } from '../helpers/venv';

let browser: Browser;
let served: Served;
before(async () => {
  [browser, served] = await Promise.all([launchBrowser(), startServe([])]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

/** The one area on screen (every area stays in the page, hidden). */
async function shownAreas(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid^=area-]', (els) =>
    els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.getAttribute('data-testid')!.slice(5)),
  );
}

async function expectArea(page: Page, id: string): Promise<void> {
  await page.waitForSelector(`[data-testid=area-${id}]`, { state: 'visible' });
  assert.deepEqual(await shownAreas(page), [id]);
  assert.equal(await page.getAttribute(`[data-testid=nav-${id}]`, 'aria-current'), 'page');
  assert.equal(new URL(page.url()).hash, `#/${id}`);
}

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test('opens on Pick; every area is reachable by its navigation entry and by its key', async () => {
  const page = await openApp(browser, served.url);
  try {
    await expectArea(page, 'pick');
    // The map sits beside Pick and Run only.
    assert.ok(await page.isVisible('[data-testid=map-pane] [data-cpu]'));
    assert.equal(await page.getAttribute('[data-testid=header-source]', 'data-kind'), 'host');
    await page.waitForSelector('[data-testid=header-readiness]:not([data-state=pending])', {
      timeout: 30_000,
    });

    for (const a of AREAS) {
      await gotoArea(page, a.id);
      await expectArea(page, a.id);
      assert.equal(await page.isVisible('[data-testid=map-pane]'), a.id === 'pick' || a.id === 'run');
      assert.equal(
        await page.getAttribute(`[data-testid=nav-${a.id}]`, 'title'),
        `${a.summary} (key ${a.key})`,
      );
    }
    await page.locator('body').focus();
    for (const a of [...AREAS].reverse()) {
      await page.keyboard.press(a.key);
      await expectArea(page, a.id);
    }
    // In a text field a digit is text, not a shortcut.
    await page.fill('[data-testid=cpu-list]', '');
    await page.focus('[data-testid=cpu-list]');
    await page.keyboard.press('4');
    await expectArea(page, 'pick');
    assert.equal(await page.inputValue('[data-testid=cpu-list]'), '4');

    // The header's readiness summary leads to the findings.
    await page.click('[data-testid=header-readiness]');
    await expectArea(page, 'host');
    assert.ok(await page.isVisible('[data-testid=host-readiness]'));
    assert.ok(await page.isVisible('[data-testid=details-nodes]'));
  } finally {
    await page.close();
  }
});

test('reload keeps the area and the draft; back and forward follow the areas', async () => {
  const page = await openApp(browser, served.url);
  try {
    await setWorkload(page, 'echo kept-over-reload');
    await gotoArea(page, 'tune');
    await gotoArea(page, 'history');
    await page.reload();
    await expectArea(page, 'history');
    await gotoArea(page, 'pick');
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=workload]') as HTMLInputElement | null)?.value ===
        'echo kept-over-reload',
    );

    await page.goBack();
    await expectArea(page, 'history');
    await page.goBack();
    await expectArea(page, 'tune');
    await page.goForward();
    await expectArea(page, 'history');

    // A new hash (a link, or goToArea() for the Electron menu) shows its area.
    await page.evaluate(() => (window.location.hash = '#/support'));
    await expectArea(page, 'support');
    await gotoArea(page, 'history');

    // Without a hash (an Electron restart loads the bare page) the last area comes back.
    await page.goto(served.url);
    await expectArea(page, 'history');
  } finally {
    await page.close();
  }
});

test('the theme toggle changes the page at once and persists over reload; light stays light on a dark system', async () => {
  const page = await openApp(browser, served.url);
  try {
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background(page);
    await page.click('[data-testid=theme-dark]');
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    const dark = await background(page);
    assert.notEqual(dark, light);
    await page.reload();
    await page.waitForSelector('[data-testid=workload]');
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    assert.equal(await background(page), dark);
    assert.equal(await page.getAttribute('[data-testid=theme-dark]', 'aria-pressed'), 'true');

    // System: follows the system's scheme.
    await page.click('[data-testid=theme-system]');
    assert.equal(await page.getAttribute('html', 'data-theme'), null);
    assert.equal(await background(page), light);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await background(page), dark);
    await page.click('[data-testid=theme-light]');
    assert.equal(await background(page), light);
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme), 'light');
  } finally {
    await page.close();
  }
});

test('? lists every shortcut and Escape closes it; Ctrl+Enter starts a run from a field and shows Run', async () => {
  const page = await openApp(browser, served.url);
  try {
    await page.locator('body').focus();
    await page.keyboard.press('?');
    const dialog = page.locator('[data-testid=shortcut-help]');
    await dialog.waitFor({ state: 'visible' });
    assert.equal(await dialog.getAttribute('aria-label'), 'Keyboard shortcuts');
    assert.equal(await page.locator('[data-testid=shortcut-row]').count(), SHORTCUTS.length);
    const text = (await dialog.textContent()) ?? '';
    for (const s of SHORTCUTS) assert.ok(text.includes(s.keys) && text.includes(s.description), s.keys);
    // Area keys are not for the page behind the dialog.
    await page.keyboard.press('4');
    await expectArea(page, 'pick');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await setWorkload(page, 'echo tick 4');
    await page.focus('[data-testid=workload]');
    await page.keyboard.press('Control+Enter');
    await expectArea(page, 'run');
    await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=log-row] >> text=tick 4');
  } finally {
    await page.close();
  }
});

test('Ctrl+. stops a run from any area', async () => {
  const page = await openApp(browser, served.url);
  try {
    await setWorkload(page, 'sleep 30');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-stop]');
    await gotoArea(page, 'history');
    await page.keyboard.press('Control+.');
    await gotoArea(page, 'run');
    await page.waitForSelector('[data-testid=run-status][data-state=stopped]', { timeout: 10_000 });
  } finally {
    await page.close();
  }
});

test('the splitter resizes the map by keyboard and by drag, and the size survives reload', async () => {
  const page = await openApp(browser, served.url);
  try {
    const splitter = page.locator('[data-testid=map-splitter]');
    const start = Number(await splitter.getAttribute('aria-valuenow'));
    await splitter.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    assert.equal(Number(await splitter.getAttribute('aria-valuenow')), start + 6);
    const width = () => page.$eval('[data-testid=map-pane]', (e) => e.getBoundingClientRect().width);
    const wide = await width();
    await page.reload();
    await page.waitForSelector('[data-testid=map-splitter]');
    assert.equal(Number(await splitter.getAttribute('aria-valuenow')), start + 6);
    assert.ok(Math.abs((await width()) - wide) < 2, 'the map pane keeps its width');

    const box = (await splitter.boundingBox())!;
    await page.mouse.move(box.x + 3, box.y + 100);
    await page.mouse.down();
    await page.mouse.move(box.x - 300, box.y + 100, { steps: 5 });
    await page.mouse.up();
    assert.ok((await width()) < wide - 250, 'dragged narrower');
  } finally {
    await page.close();
  }
});

test('screenshots: every area in both themes', async () => {
  const page = await openApp(browser, served.url);
  try {
    await pickCpus(page, '0-1');
    await setWorkload(page, `${SYSTEM_PYTHON} examples/bench.py --num_runs 20 --warmup 2`);
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 60_000 });
    for (const theme of ['light', 'dark'] as const) {
      await page.click(`[data-testid=theme-${theme}]`);
      for (const a of AREAS) {
        await gotoArea(page, a.id);
        await page.screenshot({ path: screenshotPath(`area-${a.id}-${theme}.png`) });
      }
    }
  } finally {
    await page.close();
  }
});
