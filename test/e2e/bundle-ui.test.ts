// "Gather logs for support" through the button, end to end: the preview (level-4 command, environment, files),
// the engine's progress, then the bundle's path and size, a download that really is the gzip archive, and the
// note for the support e-mail; then "Bundle this run" for a finished run without rerunning it, from the Support
// area and from History.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { gotoArea } from '../helpers/ui';

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

// The open dialog: the run panel keeps its own (closed) one in the page while History's is open.
const DLG = '[data-testid=bundle-dialog][open]';

async function gatherAndCheck(): Promise<{ note: string; path: string }> {
  await page.click(`${DLG} [data-testid=bundle-gather]`);
  await page.waitForSelector(
    `${DLG} [data-testid=bundle-progress] li[data-state=now], ${DLG} [data-testid=bundle-result]`,
  );
  await page.waitForSelector(`${DLG} [data-testid=bundle-result]`, { timeout: 60_000 });
  const path = (await page.textContent(`${DLG} [data-testid=bundle-path]`)) ?? '';
  assert.match(path, /^\/.+\.tar\.gz$/);
  assert.match(
    (await page.textContent(`${DLG} [data-testid=bundle-size]`)) ?? '',
    /^\d+(\.\d+)? (B|KiB|MiB)$/,
  );

  // Browser mode offers a download: it must be the archive itself (gzip magic), served by the engine.
  const href = await page.getAttribute(`${DLG} [data-testid=bundle-download]`, 'href');
  assert.ok(href, 'a download link is shown');
  const res = await page.request.get(new URL(href, served.origin).toString());
  assert.equal(res.status(), 200);
  const body = await res.body();
  assert.ok(body.length > 100);
  assert.deepEqual([body[0], body[1]], [0x1f, 0x8b], 'the download is gzip');

  const note = await page.inputValue(`${DLG} [data-testid=bundle-note]`);
  assert.ok(note.includes(path.split('/').pop()!), 'the note names the bundle');
  return { note, path };
}

/** Every progress stage the open dialog shows from now on, however briefly. */
async function recordStages(): Promise<void> {
  await page.evaluate((sel) => {
    const w = window as unknown as { stagesSeen: string[] };
    w.stagesSeen = [];
    new MutationObserver((records) => {
      for (const r of records)
        for (const n of r.addedNodes)
          if (n instanceof Element)
            for (const li of [n, ...n.querySelectorAll('[data-stage]')])
              if (li.closest('[data-testid=bundle-progress]') && li.getAttribute('data-stage'))
                w.stagesSeen.push(li.getAttribute('data-stage')!);
    }).observe(document.querySelector(sel)!, { childList: true, subtree: true });
  }, DLG);
}
const stagesSeen = () => page.evaluate(() => (window as unknown as { stagesSeen: string[] }).stagesSeen);

test('Gather logs for support: preview, progress, path and size, gzip download, support note', async () => {
  await gotoArea(page, 'support');
  await page.click('[data-testid=bundle-open]');
  await page.waitForSelector('[data-testid=bundle-preview]');
  const command = (await page.textContent('[data-testid=bundle-command]')) ?? '';
  assert.match(command, /AIO_DEBUG_MODE=4/);
  assert.match(command, /hello from the bundle test/);
  assert.ok((await page.locator('[data-testid=bundle-files] li').count()) > 5);
  assert.ok(await page.isVisible('[data-testid=bundle-env] tr[data-name=AIO_DEBUG_MODE]'));
  await page.fill('[data-testid=bundle-redact]', 'MY_COMPANY');

  const { note } = await gatherAndCheck();
  assert.match(note, /AIO_DEBUG_MODE=4/);
  await page.click('[data-testid=bundle-dialog] button:text("Close")');
  await page.waitForSelector('[data-testid=bundle-dialog]', { state: 'hidden' });
});

test('Bundle this run: a finished run is bundled from its log, marked as not re-run', async () => {
  await gotoArea(page, 'pick');
  await page.click('[data-testid=run-start]');
  await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
  await gotoArea(page, 'support');
  await page.click('[data-testid=bundle-this-run]');
  await page.waitForSelector('[data-testid=bundle-from-run]:checked');
  assert.equal(await page.textContent('[data-testid=bundle-gather]'), 'Bundle this run');
  // The preview is of that run as it was (level left unset), not a level-4 rerun.
  await page.waitForSelector(`${DLG} [data-testid=bundle-preview][data-source=saved-run]`);
  assert.match(
    (await page.textContent(`${DLG} [data-testid=bundle-command-heading]`)) ?? '',
    /^Command of saved run \S+, not re-run \(it was NOT at AIO_DEBUG_MODE=4: level unset, so 2\)$/,
  );
  assert.doesNotMatch(
    (await page.textContent(`${DLG} [data-testid=bundle-command]`)) ?? '',
    /AIO_DEBUG_MODE=4/,
  );
  const { note } = await gatherAndCheck();
  assert.match(note, /saved run \(not re-run\), which was not at AIO_DEBUG_MODE=4/);
  await page.click(`${DLG} button:text("Close")`);
  await page.waitForSelector(DLG, { state: 'detached' });
});

test('History → a saved run → Bundle this run: its own command previewed, bundled without rerunning', async () => {
  await gotoArea(page, 'history');
  const entry = page.locator('[data-testid=history-entry][data-kind=run]').first();
  await entry.waitFor();
  const runId = (await entry.getAttribute('data-id'))!;
  await entry.locator('[data-testid=history-open]').click();
  await page.click('[data-testid=history-detail] [data-testid=history-bundle]');
  await page.waitForSelector(`${DLG} [data-testid=bundle-from-run]:checked`);

  // Preview: the saved run's command and level, and a heading that says so.
  await page.waitForSelector(`${DLG} [data-testid=bundle-preview][data-source=saved-run]`);
  const heading = (await page.textContent(`${DLG} [data-testid=bundle-command-heading]`)) ?? '';
  assert.equal(
    heading,
    `Command of saved run ${runId}, not re-run (it was NOT at AIO_DEBUG_MODE=4: level unset, so 2)`,
  );
  const command = (await page.textContent(`${DLG} [data-testid=bundle-command]`)) ?? '';
  assert.match(command, /hello from the bundle test/);
  assert.doesNotMatch(command, /AIO_DEBUG_MODE/);
  assert.ok(!(await page.isVisible(`${DLG} [data-testid=bundle-env] tr[data-name=AIO_DEBUG_MODE]`)));

  // The other choice previews a level-4 rerun of the same settings; back to the saved run.
  await page.click(`${DLG} .bundle-source label:first-child input`);
  await page.waitForSelector(`${DLG} [data-testid=bundle-preview][data-source=new-run]`);
  assert.equal(
    await page.textContent(`${DLG} [data-testid=bundle-command-heading]`),
    'Command (run at AIO_DEBUG_MODE=4)',
  );
  assert.match((await page.textContent(`${DLG} [data-testid=bundle-command]`)) ?? '', /AIO_DEBUG_MODE=4/);
  await page.click(`${DLG} [data-testid=bundle-from-run]`);
  await page.waitForSelector(`${DLG} [data-testid=bundle-preview][data-source=saved-run]`);

  const runsBefore = await page.locator('[data-testid=history-entry][data-kind=run]').count();
  await recordStages();
  const { note, path } = await gatherAndCheck();
  // Nothing was run: no "Running" stage, no new run in History.
  const stages = await stagesSeen();
  assert.ok(stages.includes('system') && stages.includes('archive'), stages.join());
  assert.ok(!stages.includes('run'), stages.join());
  assert.equal(await page.locator('[data-testid=history-entry][data-kind=run]').count(), runsBefore);

  assert.match(note, /Made from a saved run \(not re-run\), which was not at AIO_DEBUG_MODE=4/);
  const readme = execFileSync('tar', ['xzOf', path, '--wildcards', '*/README.txt'], { encoding: 'utf8' });
  assert.match(readme, new RegExp(`made from a saved run, not re-run: run ${runId}, `));
  assert.match(readme, /That run was NOT at AIO_DEBUG_MODE=4: its level was unset/);
  await page.click(`${DLG} button:text("Close")`);
  await page.waitForSelector(DLG, { state: 'detached' });
});
