// History end to end through the real server and headless Chromium: a corrupt entry planted in the data
// directory is reported while the rest still shows; filter, rerun and delete (with its confirmation) act on
// real runs started from the run panel. Workloads are plain /bin/echo lines, so only numactl-free paths run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freshHome, launchBrowser, startServe, type Served } from '../helpers/serve';
import { gotoArea, openApp, setWorkload } from '../helpers/ui';

let browser: Browser;
let served: Served;
let corrupt: string;

before(async () => {
  // Planted before the server starts, as a crash mid-write or a hand edit would leave it.
  const home = freshHome();
  mkdirSync(join(home, 'runs', 'broken-entry'), { recursive: true });
  corrupt = join(home, 'runs', 'broken-entry', 'run.json');
  writeFileSync(corrupt, '{"runId": "broken-entry", "settings": ');
  [browser, served] = await Promise.all([launchBrowser(), startServe([], { home })]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

const entries = (page: Page) => page.locator('[data-testid=history-entry]');

/** Wait until History lists exactly `n` entries, none of them still running. */
async function settled(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const rows = [...document.querySelectorAll('[data-testid=history-entry]')];
      return rows.length === want && rows.every((r) => !/running/.test(r.textContent ?? ''));
    },
    n,
    { timeout: 20_000 },
  );
}

async function run(page: Page, line: string, total: number): Promise<void> {
  await gotoArea(page, 'pick');
  await setWorkload(page, line);
  // The preview shows the whole line before Start, so the run is this one and not the previous workload.
  await page.waitForFunction(
    (l) => document.querySelector('[data-testid=preview-bash]')?.textContent?.includes(l),
    line.split(' ').pop()!,
  );
  await page.click('[data-testid=run-start]');
  await settled(page, total);
}

test('a corrupt entry is reported by path and skipped; filter, rerun and delete work on the others', async () => {
  const page = await openApp(browser, served.url);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await gotoArea(page, 'history');
    const banner = page.locator('[data-testid=history-problems]');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /1 entry could not be read and is skipped/);
    assert.ok(((await banner.textContent()) ?? '').includes(corrupt), 'the banner names the file');

    await run(page, '/bin/echo alpha-marker', 1);
    await run(page, '/bin/echo beta-marker', 2);
    await gotoArea(page, 'history');
    // Host column: runs on this machine carry its name.
    assert.deepEqual(await page.locator('[data-testid=history-host]').allTextContents(), [
      hostname(),
      hostname(),
    ]);

    // Filter by text: only the matching run stays; clearing brings both back.
    await page.fill('[data-testid=history-filter]', 'alpha-marker');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-entry]').length === 1);
    assert.match((await entries(page).first().textContent()) ?? '', /alpha-marker/);
    await page.fill('[data-testid=history-filter]', '');
    await settled(page, 2);

    // Rerun the alpha run: a new run with the same command appears and succeeds.
    const alpha = entries(page).filter({ hasText: 'alpha-marker' });
    await alpha.locator('[data-testid=history-rerun]').click();
    await page.waitForSelector('text=/Started run /');
    await settled(page, 3);
    assert.equal(await entries(page).filter({ hasText: 'alpha-marker' }).count(), 2);
    assert.equal(await entries(page).filter({ hasText: 'exit 0' }).count(), 3);

    // Delete asks first: "Keep" leaves the entry, the confirmation removes it (from disk too).
    const beta = entries(page).filter({ hasText: 'beta-marker' });
    const betaId = (await beta.getAttribute('data-id'))!;
    await beta.locator('[data-testid=history-delete]').click();
    await beta.locator('[data-testid=history-delete-confirm]').waitFor();
    await beta.locator('button', { hasText: 'Keep' }).click();
    await beta.locator('[data-testid=history-delete]').waitFor();
    assert.equal(await entries(page).count(), 3);
    assert.ok(existsSync(join(served.home, 'runs', betaId)));

    await beta.locator('[data-testid=history-delete]').click();
    await beta.locator('[data-testid=history-delete-confirm]').click();
    await page.waitForSelector(`text=Deleted run ${betaId}.`);
    await settled(page, 2);
    assert.equal(await entries(page).filter({ hasText: 'beta-marker' }).count(), 0);
    assert.ok(!existsSync(join(served.home, 'runs', betaId)), 'its folder is gone');

    // After a reload the deletion holds, and the corrupt entry is still reported without hiding the others.
    await page.reload();
    await settled(page, 2);
    await banner.waitFor();
    assert.equal(await entries(page).filter({ hasText: 'alpha-marker' }).count(), 2);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
