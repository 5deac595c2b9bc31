// Tuning end to end: the real server, headless Chromium, real numactl and PyTorch on this machine. Start a
// sweep from the form, watch the chart gain points, read the recommendations, then compare two runs in History.
// Placement/instance and Cancel paths use a small shell workload printing AML-style results (numactl only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { gotoArea, setWorkload } from '../helpers/ui';
import { need } from '../helpers/require';
import { screenshotPath } from '../helpers/screenshot';

const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const BENCH = resolve(__dirname, '../../examples/bench.py');
const CI = process.env.CI === 'true';
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const ready = hasNumactl && spawnSync(PY, ['-c', 'import torch']).status === 0;
// Prints AML-style results at once, except with the engine off (variant "off"), where it hangs: a run to cancel.
const dir = mkdtempSync(join(tmpdir(), 'aio-sweep-ui-'));
const FAKE = join(dir, 'bench.sh');
const SHOT = screenshotPath('sweep-chart.png');
const SHOT_COMPARE = screenshotPath('sweep-compare.png');

let browser: Browser;
let served: Served;
let context: BrowserContext;

before(async () => {
  writeFileSync(
    FAKE,
    '#!/bin/sh\n[ "$AIO_PROCESS_MODE" = 0 ] && sleep 300\necho "  LATENCY"\n' +
      'echo "      mean   $((10 + AIO_NUM_THREADS)).5 [ms]"\necho "  THROUGHPUT"\n' +
      'echo "      observed   $((100 * AIO_NUM_THREADS)).0 [samples/s]"\n',
  );
  chmodSync(FAKE, 0o755);
  if (!hasNumactl) return;
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
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh page with the fake workload and the sweep form set to exactly these dimensions. */
async function sweepPage(form: {
  threads: string;
  instances: string;
  placements: string[];
  variants: string[];
}): Promise<Page> {
  const page = await context.newPage();
  await page.goto(served.url);
  await page.waitForSelector('[data-testid=sweep-panel]', { state: 'attached', timeout: 20_000 });
  // The pages share a context, so one opens on the area the last one left (kept in its storage).
  await page.waitForSelector('[data-testid=example-hint]', { state: 'attached', timeout: 20_000 });
  await gotoArea(page, 'pick');
  await setWorkload(page, FAKE);
  await gotoArea(page, 'tune');
  await page.fill('[data-testid=sweep-threads]', form.threads);
  await page.fill('[data-testid=sweep-instances]', form.instances);
  await page.fill('[data-testid=sweep-batches]', '');
  for (const p of ['compact', 'spread'])
    await page.setChecked(`[data-testid=sweep-placement-${p}]`, form.placements.includes(p));
  for (const v of ['fp32', 'fp16', 'int8', 'int8-fc', 'off'])
    await page.setChecked(`[data-testid=sweep-variant-${v}]`, form.variants.includes(v));
  return page;
}

const startLabel = (page: Page, n: number) =>
  page.waitForFunction(
    (re) => new RegExp(re).test(document.querySelector('[data-testid=sweep-start]')?.textContent ?? ''),
    `\\(${n} runs\\)`,
  );

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
  await page.waitForSelector('[data-testid=sweep-panel]', { state: 'attached', timeout: 20_000 });
  // The example workload replaces the default once system.info is in: typing before that can be overwritten.
  await page.waitForSelector('[data-testid=example-hint]', { state: 'attached', timeout: 20_000 });
  await gotoArea(page, 'pick');

  await page.fill('[data-testid=workload]', `${PY} ${BENCH} -m cnn --num_runs 15 --timeout 20`);
  await gotoArea(page, 'tune');
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

  await gotoArea(page, 'history');
  // History: the sweep, its four runs nested under it once expanded; compare two of them side by side.
  const expand = '[data-testid=history-entry][data-kind=sweep] [data-testid=history-expand]';
  await page.waitForSelector(`${expand}:not([disabled])`);
  await page.click(expand);
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

test('both placements × 1 and 2 instances: placement in the table and the chart, latency of each instance', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await sweepPage({
    threads: '1',
    instances: '1,2',
    placements: ['compact', 'spread'],
    variants: ['fp32'],
  });
  try {
    await startLabel(page, 4);
    // This machine has one NUMA node: the builder warns that both placements pick the same CPUs.
    assert.match(
      (await page.textContent('[data-testid=sweep-notes]')) ?? '',
      /Note: compact and spread pick the same CPUs/,
    );
    await page.click('[data-testid=sweep-start]');
    await page.waitForSelector('[data-testid=sweep-state]', { timeout: 60_000 });
    assert.match((await page.textContent('[data-testid=sweep-state]')) ?? '', /done, 4 of 4 runs/);
    assert.deepEqual(await page.locator('[data-testid=sweep-row-placement]').allTextContents(), [
      'compact',
      'spread',
      'compact',
      'spread',
    ]);
    assert.deepEqual(await page.locator('[data-testid=sweep-row-instances]').allTextContents(), [
      '—',
      '—',
      '11.50 / 11.50 ms',
      '11.50 / 11.50 ms',
    ]);
    // One series per instance count and placement: spread ones are drawn apart from compact ones. One run per
    // configuration and a printer without per-pass values: no interval to draw, and the legend says so.
    const legend = await page.locator('.sweep-legend li').allTextContents();
    assert.deepEqual(legend.sort(), [
      'fp32, 1 inst., compact',
      'fp32, 1 inst., spread',
      'fp32, 2 inst., compact',
      'fp32, 2 inst., spread',
      'point without a bar: no interval: one value',
    ]);
    assert.equal(await page.locator('[data-testid=sweep-errorbar]').count(), 0);
    assert.equal(await page.locator('[data-testid=sweep-point][data-placement=spread]').count(), 4);
    assert.match((await page.textContent('[data-testid=rec-latency]')) ?? '', /compact|spread/);
  } finally {
    await page.close();
  }
});

test('Cancel during the second run: the sweep says cancelled and keeps the finished row', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await sweepPage({
    threads: '1',
    instances: '1',
    placements: ['compact'],
    variants: ['fp32', 'off'],
  });
  try {
    await startLabel(page, 2);
    await page.click('[data-testid=sweep-start]');
    // The fp32 run finishes at once; the engine-off run hangs until cancelled.
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid=sweep-row]').length === 1 &&
        /Run 2 of 2/.test(document.querySelector('[data-testid=sweep-progress]')?.textContent ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    await page.click('[data-testid=sweep-cancel]');
    await page.waitForSelector('[data-testid=sweep-state]', { timeout: 30_000 });
    assert.match((await page.textContent('[data-testid=sweep-state]')) ?? '', /cancelled, 1 of 2 runs/);
    assert.equal(await page.locator('[data-testid=sweep-row]').count(), 1);
    assert.match((await page.textContent('[data-testid=sweep-row]')) ?? '', /fp32.*11\.50/);
    assert.equal(await points(page), 2, 'the finished run stays on the chart');
    assert.match((await page.textContent('[data-testid=rec-latency] pre')) ?? '', /bench\.sh/);
    // The Start button is back for the next sweep, and History lists this one as cancelled.
    await page.waitForSelector('[data-testid=sweep-start]');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=history-entry][data-kind=sweep]')].some((e) =>
        /cancelled \(1\/2\)/.test(e.textContent ?? ''),
      ),
    );
  } finally {
    await page.close();
  }
});
