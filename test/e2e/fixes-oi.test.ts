// A fix must never lead into an error. On the offline/isolated fixture (offline CPU 3, isolated 4-7, CPUs 12-15
// not allowed, node 1 without memory) pick "All", then apply every offered fix one after another, as a user
// clicking down the list would: no error-severity finding may appear that was not there before, and the chain
// must end (a fix that brings back its own finding would loop).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';

let browser: Browser;
let served: Served;
before(async () => {
  [browser, served] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', fixtureRoot('arm64-offline-isolated')]),
  ]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

/** Error findings as "code: message", so one code about another node counts as new. */
const errorFindings = (page: Page) =>
  page.$$eval('[data-code].check-error', (els) =>
    els.map((e) => `${e.getAttribute('data-code')}: ${e.querySelector('.check-message')?.textContent ?? ''}`),
  );
const snapshot = (page: Page) =>
  page.evaluate(
    () =>
      (document.querySelector('[data-testid=preview-bash]')?.textContent ?? '') +
      '\n' +
      (document.querySelector('[data-testid=checks]')?.textContent ?? ''),
  );

// Before the engine's fixes preferred nodes with memory (issue 10 item 19), "Keep only the 4 CPUs on node 1" led
// to a membind on the memory-less node, an error the tool's own fix had brought.
test('OI after "All": applying every offered fix in turn never brings a new error, and the chain ends', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  try {
    await page.goto(served.url);
    await page.waitForSelector('[data-cpu="15"]');
    await page.waitForSelector('[data-testid=workload]:enabled');
    await page
      .locator('[aria-label="Selection presets"]')
      .getByRole('button', { name: 'All', exact: true })
      .click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-cpu][aria-selected="true"]').length > 0,
    );
    await page.waitForSelector('[data-testid=preview-bash]');
    const applied: string[] = [];
    for (let step = 0; ; step++) {
      const fix = page.locator('button.fix').first();
      if ((await fix.count()) === 0) break;
      assert.ok(step < 12, `the fixes do not come to an end: ${applied.join(' → ')}`);
      const label = (await fix.textContent()) ?? '';
      const before = await snapshot(page);
      // Judged fix by fix: an error already there may go or stay, none may be brought in.
      const had = new Set(await errorFindings(page));
      await fix.click();
      applied.push(label);
      await page.waitForFunction(
        (b) =>
          (document.querySelector('[data-testid=preview-bash]')?.textContent ?? '') +
            '\n' +
            (document.querySelector('[data-testid=checks]')?.textContent ?? '') !==
          b,
        before,
        { timeout: 10_000 },
      );
      const fresh = (await errorFindings(page)).filter((c) => !had.has(c));
      assert.deepEqual(
        fresh,
        [],
        `after ${applied.join(' → ')}: new error ${fresh.join(', ')}\n${await page.textContent('[data-testid=checks]')}`,
      );
    }
    assert.ok(applied.length > 0, 'some fix was offered after "All"');
  } finally {
    await page.close();
  }
});
