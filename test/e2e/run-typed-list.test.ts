// A user types a CPU list and presses Start at once: the run must be bound to what the field shows, not to the
// selection from before the engine answered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';

const haveNumactl = existsSync('/usr/bin/numactl');
if (!haveNumactl && process.env.CI === 'true') throw new Error('numactl is required under CI=true');

let browser: Browser;
let served: Served;
before(async () => {
  [browser, served] = await Promise.all([launchBrowser(), startServe()]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

test(
  'Start right after typing a CPU list runs on that list',
  { skip: haveNumactl ? false : 'numactl missing' },
  async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=example-hint]');
    await page.fill(
      '[data-testid=workload]',
      '/usr/bin/python3 -c "import os; print(\'affinity\', sorted(os.sched_getaffinity(0)))"',
    );
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('affinity'),
    );
    await page.fill('[data-testid=cpu-list]', '1');
    await page.click('[data-testid=run-start]');
    const row = await page.waitForSelector('[data-testid=log-row]:has-text("affinity")', { timeout: 60_000 });
    assert.match((await row.textContent()) ?? '', /affinity \[1\]/);
    await page.close();
  },
);
