// Tuning end to end: the real server, headless Chromium, real numactl and PyTorch on this machine. Start a
// sweep from the form, watch the chart gain points, read the recommendations, then compare two runs in History.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';

const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const BENCH = resolve(__dirname, '../../examples/bench.py');
const CI = process.env.CI === 'true';
const ready =
  spawnSync('numactl', ['--show']).status === 0 && spawnSync(PY, ['-c', 'import torch']).status === 0;
const SHOT = resolve(__dirname, '../../docs/sweep-chart.png');
const SHOT_COMPARE = resolve(__dirname, '../../docs/sweep-compare.png');

let browser: Browser;
let served: Served;
let context: BrowserContext;

before(async () => {
  if (!ready) return;
  [browser, served] = await Promise.all([launchBrowser(), startServe()]);
  context = await browser.newContext({
    viewport: { width: 1500, height: 1100 },
    permissions: ['clipboard-read', 'clipboard-write'],
    acceptDownloads: true,
  });
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

const points = (page: Page) => page.locator('[data-testid=sweep-point]').count();

test('start a sweep, watch the chart grow, copy a recommendation, compare two runs, export', async (t) => {
  if (!ready) {
    if (CI) assert.fail('numactl and PyTorch are required when CI=true');
    return t.skip('numactl or PyTorch is not installed; install them to run this test');
  }
  const page = await context.newPage();
  const logs: string[] = [];
  page.on('pageerror', (e) => logs.push(e.message));
  await page.goto(served.url);
  await page.waitForSelector('[data-testid=sweep-panel]', { timeout: 20_000 });
  // The example workload replaces the default once system.info is in: typing before that can be overwritten.
  await page.waitForSelector('[data-testid=example-hint]', { timeout: 20_000 });

  await page.fill('[data-testid=workload]', `${PY} ${BENCH} -m cnn --num_runs 15 --timeout 20`);
  await page.fill('[data-testid=sweep-threads]', '1,2');
  await page.fill('[data-testid=sweep-instances]', '1');
  for (const v of ['fp32', 'off']) await page.check(`[data-testid=sweep-variant-${v}]`);
  for (const v of ['fp16', 'int8', 'int8-fc']) await page.uncheck(`[data-testid=sweep-variant-${v}]`);
  const start = page.locator('[data-testid=sweep-start]');
  await page.waitForFunction(() =>
    /\(4 runs\)/.test(document.querySelector('[data-testid=sweep-start]')?.textContent ?? ''),
  );
  await start.click();

  // Progress, then the chart growing run by run (two panels: each row adds a latency and a throughput point).
  await page.waitForSelector('[data-testid=sweep-cancel]');
  await page.waitForFunction(() =>
    /Run \d of 4/.test(document.querySelector('[data-testid=sweep-progress]')?.textContent ?? ''),
  );
  const seen = new Set<number>();
  const deadline = Date.now() + 170_000;
  while (!(await page.locator('[data-testid=sweep-state]').count())) {
    seen.add(await points(page));
    assert.ok(Date.now() < deadline, `sweep finished in time; points seen: ${[...seen]}`);
    await page.waitForTimeout(250);
  }
  seen.add(await points(page));
  assert.equal(await points(page), 8, 'four runs → four latency and four throughput points');
  assert.ok(
    [...seen].some((n) => n > 0 && n < 8),
    `the chart grew while running (seen ${[...seen].sort()})`,
  );
  assert.match((await page.textContent('[data-testid=sweep-state]')) ?? '', /done, 4 of 4 runs/);
  assert.equal(await page.locator('[data-testid=sweep-row]').count(), 4);
  assert.deepEqual(
    await page.$$eval('[data-testid=sweep-point]', (els) =>
      [...new Set(els.map((e) => e.getAttribute('data-variant')))].sort(),
    ),
    ['fp32', 'off'],
  );

  // Recommendations carry the exact command; Copy puts it on the clipboard.
  const cmd = (await page.textContent('[data-testid=rec-latency] pre')) ?? '';
  assert.match(
    cmd,
    /^AIO_NUM_THREADS=\d OMP_NUM_THREADS=\d AIO_NUMA_CPUS=.* numactl --physcpubind=\S+ .*bench\.py -m cnn/,
  );
  await page.click('[data-testid=rec-latency-copy]');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), cmd);
  await page.fill('[data-testid=sweep-budget]', '20');
  await page.waitForSelector('[data-testid=rec-budget] pre');
  // Tall enough that the whole panel shows without scrolling its column under the app header.
  await page.setViewportSize({ width: 1500, height: 3000 });
  await page.locator('[data-testid=sweep-panel]').screenshot({ path: SHOT });
  await page.setViewportSize({ width: 1500, height: 1100 });

  // History: the sweep and its four runs; compare two of them side by side.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-entry]').length === 5);
  const runs = page.locator('[data-testid=history-entry][data-kind=run]');
  // Newest first: threads 2 with the engine off, then threads 2 fp32 — they differ by AIO_PROCESS_MODE only.
  await runs.nth(1).locator('[data-testid=history-pick]').check();
  await runs.nth(0).locator('[data-testid=history-pick]').check();
  await page.click('[data-testid=history-compare]');
  const view = page.locator('[data-testid=compare-view]');
  await view.waitFor();
  const diffs = await view.locator('[data-testid=compare-diff] th').allTextContents();
  assert.deepEqual(diffs, ['$AIO_PROCESS_MODE']);
  assert.match((await view.textContent()) ?? '', /latency mean/);
  await view.screenshot({ path: SHOT_COMPARE });

  // Export as CSV: a real download with a header and one line per entry.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid=history-export-csv]'),
  ]);
  assert.match(download.suggestedFilename(), /^aio-history-.*\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8')
    .trimEnd()
    .split('\r\n');
  assert.match(csv[0]!, /^kind,id,time,state/);
  assert.equal(csv.length, 3, 'the two picked runs');

  // Open a run: its outcome and log.
  await runs.nth(0).locator('[data-testid=history-open]').click();
  await page.click('[data-testid=history-open-log]');
  await page.waitForSelector('[data-testid=history-log]');
  assert.match((await page.textContent('[data-testid=history-log]')) ?? '', /LATENCY/);
  assert.deepEqual(logs, []);
});
