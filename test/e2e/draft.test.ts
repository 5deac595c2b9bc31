// The form is kept engine-side: a reload (even mid-run) or a restart finds it as left, and while a run goes the
// preview shows the running command, not the form's. Real server on this host, real runs, headless Chromium.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freshHome, launchBrowser, startServe, type Served } from '../helpers/serve';
import { gotoArea } from '../helpers/ui';

let browser: Browser | undefined;
const servers: Served[] = [];
after(async () => {
  await browser?.close();
  for (const s of servers) await s.stop();
});

async function serve(home: string): Promise<Served> {
  const s = await startServe([], { home });
  servers.push(s);
  return s;
}

async function openPage(url: string): Promise<Page> {
  browser ??= await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(url);
  await page.waitForSelector('[data-testid=workload]:enabled');
  return page;
}

/** Wait until the preview has every one of `parts`. */
const previewHas = (page: Page, ...parts: string[]) =>
  page.waitForFunction(
    (ps) => ps.every((p) => document.querySelector('[data-testid=preview-bash]')?.textContent?.includes(p)),
    parts,
  );

test('reloading mid-run keeps the form, and the preview shows the running command until it ends', async () => {
  const served = await serve(freshHome());
  const page = await openPage(served.url);
  try {
    await page.fill('[data-testid=cpu-list]', '1');
    await page.fill('[data-testid=workload]', 'sleep 600');
    await previewHas(page, '--physcpubind=1 ', ' sleep 600');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-stop]');
    // Start shows Run; the preview is in Pick.
    await gotoArea(page, 'pick');
    await page.waitForSelector('[data-testid=preview-running]');

    // Edits during the run are the next run's: the preview keeps describing what runs.
    await page.fill('[data-testid=workload]', 'echo next');
    await page.fill('[data-testid=cpu-list]', '0');
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=cpu-list]') as HTMLInputElement).value === '0' &&
        document.querySelectorAll('[data-cpu][aria-selected="true"]').length === 1,
    );
    await previewHas(page, '--physcpubind=1 ', ' sleep 600');

    await page.reload();
    await page.waitForSelector('[data-testid=run-stop]');
    await previewHas(page, '--physcpubind=1 ', ' sleep 600');
    assert.equal(await page.inputValue('[data-testid=workload]'), 'echo next');
    assert.equal(await page.inputValue('[data-testid=cpu-list]'), '0');

    await page.click('[data-testid=run-stop]');
    await page.waitForSelector('[data-testid=run-start]');
    await previewHas(page, '--physcpubind=0 ', ' echo next');
    assert.equal(await page.locator('[data-testid=preview-running]').count(), 0);
  } finally {
    await page.close();
  }
});

test('the form survives a restart; a new tab meanwhile starts fresh', async () => {
  const home = freshHome();
  const first = await serve(home);
  const page = await openPage(first.url);
  await page.fill('[data-testid=cpu-list]', '1');
  await page.fill('[data-testid=workload]', 'python3 kept.py');
  await previewHas(page, '--physcpubind=1 ', ' python3 kept.py');
  await page.close();
  await first.stop();

  const second = await serve(home);
  const again = await openPage(second.url);
  try {
    await previewHas(again, '--physcpubind=1 ', ' python3 kept.py');
    assert.equal(await again.inputValue('[data-testid=cpu-list]'), '1');
    const other = await openPage(second.url);
    await other.waitForSelector('[data-testid=example-hint]');
    assert.equal(await other.inputValue('[data-testid=cpu-list]'), '');
    await other.close();
  } finally {
    await again.close();
  }
});

test('a corrupt saved form is reported and ignored', async () => {
  const home = freshHome();
  writeFileSync(join(home, 'draft.json'), '{"cpus": [1], "threads"');
  const served = await serve(home);
  const page = await openPage(served.url);
  try {
    const banner = await page.waitForSelector('[role=alert]:has-text("the saved form was not used")');
    assert.match((await banner.textContent()) ?? '', /draft\.json is not valid JSON/);
    await page.waitForSelector('[data-testid=example-hint]');
    assert.equal(await page.inputValue('[data-testid=cpu-list]'), '');
  } finally {
    await page.close();
  }
});
