// "Gather logs for support" through the button, end to end: the preview (level-4 command, environment, files),
// the engine's progress, then the bundle's path and size, a download that really is the gzip archive, and the
// note for the support e-mail; then "Bundle this run" for a finished run without rerunning it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';

let browser: Browser;
let served: Served;
let page: Page;

before(async () => {
  [browser, served] = await Promise.all([launchBrowser(), startServe()]);
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(served.url);
  // The example workload replaces the default once system.info is in: typing before that would be overwritten.
  await page.waitForSelector('[data-testid=example-hint]');
  await page.fill('[data-testid=workload]', `/usr/bin/python3 -c "print('hello from the bundle test')"`);
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('hello from the bundle test'),
  );
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

async function gatherAndCheck(): Promise<string> {
  await page.click('[data-testid=bundle-gather]');
  await page.waitForSelector('[data-testid=bundle-progress] li[data-state=now], [data-testid=bundle-result]');
  await page.waitForSelector('[data-testid=bundle-result]', { timeout: 60_000 });
  const path = (await page.textContent('[data-testid=bundle-path]')) ?? '';
  assert.match(path, /^\/.+\.tar\.gz$/);
  assert.match((await page.textContent('[data-testid=bundle-size]')) ?? '', /^\d+(\.\d+)? (B|KiB|MiB)$/);

  // Browser mode offers a download: it must be the archive itself (gzip magic), served by the engine.
  const href = await page.getAttribute('[data-testid=bundle-download]', 'href');
  assert.ok(href, 'a download link is shown');
  const res = await page.request.get(new URL(href, served.origin).toString());
  assert.equal(res.status(), 200);
  const body = await res.body();
  assert.ok(body.length > 100);
  assert.deepEqual([body[0], body[1]], [0x1f, 0x8b], 'the download is gzip');

  const note = await page.inputValue('[data-testid=bundle-note]');
  assert.ok(note.includes(path.split('/').pop()!), 'the note names the bundle');
  return note;
}

test('Gather logs for support: preview, progress, path and size, gzip download, support note', async () => {
  await page.click('[data-testid=bundle-open]');
  await page.waitForSelector('[data-testid=bundle-preview]');
  const command = (await page.textContent('[data-testid=bundle-command]')) ?? '';
  assert.match(command, /AIO_DEBUG_MODE=4/);
  assert.match(command, /hello from the bundle test/);
  assert.ok((await page.locator('[data-testid=bundle-files] li').count()) > 5);
  assert.ok(await page.isVisible('[data-testid=bundle-env] tr[data-name=AIO_DEBUG_MODE]'));
  await page.fill('[data-testid=bundle-redact]', 'MY_COMPANY');

  const note = await gatherAndCheck();
  assert.match(note, /AIO_DEBUG_MODE=4/);
  await page.click('[data-testid=bundle-dialog] button:text("Close")');
  await page.waitForSelector('[data-testid=bundle-dialog]', { state: 'hidden' });
});

test('Bundle this run: a finished run is bundled from its log, marked as not re-run', async () => {
  await page.click('[data-testid=run-start]');
  await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
  await page.click('[data-testid=bundle-this-run]');
  await page.waitForSelector('[data-testid=bundle-from-run]:checked');
  assert.equal(await page.textContent('[data-testid=bundle-gather]'), 'Bundle this run');
  const note = await gatherAndCheck();
  assert.match(note, /saved run \(not re-run\), which was not at AIO_DEBUG_MODE=4/);
});
