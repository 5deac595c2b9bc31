// The run view end to end through the real server, real processes and headless Chromium: a real PyTorch run
// bound to CPU 1 (logs stream, load shows, results appear), Stop on a process tree, and a start error shown as
// such. The log viewer's filter/search/follow are in run-logs.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { attr, openApp, pickCpus, recordedLoad, setWorkload, stopRun } from '../helpers/ui';

let browser: Browser;
let served: Served;

before(async () => {
  [browser, served] = await Promise.all([launchBrowser(), startServe()]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

const open = (): Promise<Page> => openApp(browser, served.url);

test('bench.py on CPU 1: logs stream, CPU load shows, the result card has the latency', async () => {
  const page = await open();
  try {
    await pickCpus(page, '1');
    const bench = join(process.cwd(), 'examples', 'bench.py');
    await setWorkload(page, `/usr/bin/python3 ${bench} -m cnn -b 4 --num_runs 30 --timeout 30`);
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-status][data-state=running]');
    await page.waitForSelector('[data-testid=run-stop]');
    await page.waitForSelector('[data-testid=log-row]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 60_000 });

    // After the run the strip shows the engine's record of the whole run (it needs no one watching at the
    // right moment): CPU 1, where it was bound, carried it, and it stays outlined as the selection.
    const { mean, peak } = await recordedLoad(page, 1);
    assert.ok(mean > 0.4 && peak > 0.7, `CPU 1 was busy over the run (mean ${mean}, peak ${peak})`);
    assert.ok(await page.isVisible('[data-testid=load-strip] .load-cell.is-picked[data-cpu="1"]'));
    assert.match((await page.textContent('.load-strip-label')) ?? '', /average over the run/);

    await page.waitForSelector('[data-testid=result-card]');
    assert.match((await page.textContent('[data-testid=result-latency-mean]')) ?? '', /mean\s*\d+\.\d\d ms/);
    assert.match((await page.textContent('[data-testid=result-throughput]')) ?? '', /\d+(\.\d+)? samples\/s/);
    assert.match((await page.textContent('[data-testid=result-passes]')) ?? '', /30 passes/);
    assert.match(
      (await page.textContent('[data-testid=run-status]')) ?? '',
      /exit code 0 · .* · peak memory \d/,
    );
    // The report itself is in the log and followed to the end.
    assert.equal(await attr(page, '[data-testid=log-viewport]', 'data-following'), 'true');
    assert.ok(
      await page.isVisible('[data-testid=log-row] >> text=/warm-up runs have not been considered/'),
      'the last line of the report is in view',
    );

    // The map (with each CPU's load once the map shows it), the run panel, the result card and the log fit in
    // one 1920×1080 view on this machine.
    await page.screenshot({ path: 'docs/run-logs-results.png' });
  } finally {
    await page.close();
  }
});

test('a busy loop bound to CPU 1 shows live in the load strip and on the map, and stays after Stop', async () => {
  const page = await open();
  try {
    await pickCpus(page, '1');
    // Runs until stopped, so the live view is checked without racing the workload's end.
    await setWorkload(page, '/usr/bin/python3 -c "while True: pass"');
    await page.click('[data-testid=run-start]');
    await page.waitForFunction(
      () =>
        Number(
          document
            .querySelector('[data-testid=load-strip][data-live=true] [data-cpu="1"]')
            ?.getAttribute('data-busy') ?? 0,
        ) > 0.8,
      undefined,
      { timeout: 20_000 },
    );
    assert.match((await page.textContent('.load-strip-label')) ?? '', /CPU load now/);
    // The map's own CPU cell carries the same live bar.
    await page.waitForSelector('[data-testid=cpu-load-meter]');
    await stopRun(page);
    assert.ok((await recordedLoad(page, 1)).peak > 0.8);
  } finally {
    await page.close();
  }
});

test('a workload that moves itself off the selected CPU is flagged as running outside it', async () => {
  const page = await open();
  try {
    await pickCpus(page, '1');
    // What a framework that resets affinity does: numactl put it on CPU 1, it moves itself to CPU 0.
    await setWorkload(
      page,
      `/usr/bin/python3 -c "import os; os.sched_setaffinity(0, {0}); exec('while True: pass')"`,
    );
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=load-outside]', { timeout: 20_000 });
    assert.match(
      (await page.textContent('[data-testid=load-outside]')) ?? '',
      /CPU 0 is busy outside your selection/,
    );
    await stopRun(page);
    // The warning is about a live run; the record after it shows where the load went.
    assert.equal(await page.locator('[data-testid=load-outside]').count(), 0);
    assert.ok((await recordedLoad(page, 0)).peak > 0.8);
  } finally {
    await page.close();
  }
});

test('Stop ends a running process tree quickly and says how it ended', async () => {
  const page = await open();
  try {
    await setWorkload(page, '/bin/sh -c "while true; do echo tick; sleep 0.1; done"');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=log-row]');
    const t0 = Date.now();
    await stopRun(page);
    assert.ok(Date.now() - t0 < 8000, `stopped in ${Date.now() - t0} ms`);
    assert.match((await page.textContent('[data-testid=run-end]')) ?? '', /SIG(TERM|KILL)/);
    await page.waitForSelector('[data-testid=run-start]');
  } finally {
    await page.close();
  }
});

test('a program that does not exist is an error banner, not an empty log', async () => {
  const page = await open();
  try {
    await setWorkload(page, 'aio-no-such-program-xyz --flag');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-start-error]');
    assert.match((await page.textContent('[data-testid=run-start-error]')) ?? '', /aio-no-such-program-xyz/);
    assert.equal(await page.locator('[data-testid=log-row]').count(), 0);
  } finally {
    await page.close();
  }
});
