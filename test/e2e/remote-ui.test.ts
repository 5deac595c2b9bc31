// Remote targets through the UI: a real sshd on 127.0.0.1, the real server, headless Chromium. The user adds
// ssh://…, the map says it shows that target, and a run there streams its log and ends with its exit code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';
import { pickCpus } from '../helpers/ui';

const why = sshdUnavailable();
if (why && process.env.CI === 'true') throw new Error(`remote UI tests need sshd under CI=true: ${why}`);

let browser: Browser;
let served: Served;
let sshd: Sshd;

before(async () => {
  if (why) return;
  sshd = await startSshd();
  [browser, served] = await Promise.all([
    launchBrowser(),
    startServe([], { env: { AIO_TUNER_SSH_CONFIG: sshd.config } }),
  ]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
  await sshd?.stop();
});

test('add an ssh target, see its map, run there', { skip: why ?? false, timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(served.url);
  await page.waitForSelector('[data-testid=example-hint]');
  assert.equal(await page.textContent('[data-testid=target-active]'), 'this machine');

  await page.click('[data-testid=target-picker] summary');
  await page.fill('[data-testid=target-url]', sshd.url);
  await page.click('[data-testid=target-test]');
  await page.waitForSelector('[data-testid=target-check].target-ok', { timeout: 60_000 });
  await page.click('[data-testid=target-add]');
  await page.click(`[data-testid=target-list] li[data-target="${sshd.url}"] button:has-text("Use")`);
  await page.waitForFunction(
    (u) => document.querySelector('[data-testid=target-active]')?.textContent?.includes(u.split('?')[0]!),
    sshd.url,
    { timeout: 60_000 },
  );
  // The map's source line names the target it shows.
  await page.waitForFunction(() => document.body.textContent?.includes('ssh://'));
  assert.ok((await page.locator('[data-cpu]').count()) > 0);

  await pickCpus(page, '1');
  await page.fill(
    '[data-testid=workload]',
    '/usr/bin/python3 -c "import os; print(\'remote-ok\', sorted(os.sched_getaffinity(0)))"',
  );
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('remote-ok'),
  );
  await page.click('[data-testid=run-start]');
  await page.waitForSelector('[data-testid=log-row]:has-text("remote-ok [1]")', { timeout: 60_000 });
  await page.waitForFunction(
    () => /exit code 0/.test(document.querySelector('[data-testid=run-status]')?.textContent ?? ''),
    null,
    {
      timeout: 60_000,
    },
  );
  await page.close();
});
