// The run view end to end through the real server, real processes and headless Chromium: a real PyTorch run
// bound to CPU 1 (logs stream, load shows, results appear, a green card), Stop on a process tree (it reads
// "stopped"), a start error shown as such, and a script that does not exist (its error at level 1, a red card). The log viewer's filter/search/follow are in run-logs.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { attr, openApp, pickCpus, recordedLoad, runToEnd, setWorkload, stopRun } from '../helpers/ui';
import { screenshotPath } from '../helpers/screenshot';

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

/** The colours the run view paints: the theme's own ok/err/warn, the result card's edge and the status dot. */
const paint = (page: Page) =>
  page.evaluate(() => {
    // No named inner functions here: the test transpiler would wrap them in a helper the page does not have.
    const probe = document.createElement('span');
    document.body.append(probe);
    const [ok, err, warn] = ['--ok', '--err', '--warn'].map((v) => {
      probe.style.color = `var(${v})`;
      return getComputedStyle(probe).color;
    });
    probe.remove();
    return {
      ok,
      err,
      warn,
      card: getComputedStyle(document.querySelector('[data-testid=result-card]')!).borderLeftColor,
      dot: getComputedStyle(document.querySelector('[data-testid=run-status] .run-dot')!).backgroundColor,
    };
  });

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

    await page.waitForSelector('[data-testid=result-card][data-outcome=success]');
    const colours = await paint(page);
    assert.equal(colours.card, colours.ok, 'a successful run has a green result card');
    assert.equal(colours.dot, colours.ok, 'and a green status dot');
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
    await page.screenshot({ path: screenshotPath('run-logs-results.png') });
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
    // One CPU: singular throughout ("is using it", not "using them").
    assert.equal(
      await page.textContent('[data-testid=load-outside]'),
      'CPU 0 is busy outside your selection — the binding may not have worked (or another process is using it).',
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
    // It reads "stopped"; the signal that did it is small print. Amber, neither success nor failure.
    assert.equal(await page.textContent('[data-testid=run-end]'), 'stopped');
    assert.match((await page.textContent('[data-testid=run-end-detail]')) ?? '', /^\(SIG(TERM|KILL)\)$/);
    assert.equal(await attr(page, '[data-testid=run-status]', 'data-outcome'), 'stopped');
    await page.waitForSelector('[data-testid=result-card][data-outcome=stopped]');
    const colours = await paint(page);
    assert.equal(colours.card, colours.warn);
    assert.equal(colours.dot, colours.warn);
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

test("a script that does not exist: the interpreter's error shows at level 1, and the result card is red", async () => {
  const page = await open();
  try {
    // python3 itself starts (so this is no start error): it fails to open the script and exits 2.
    await runToEnd(page, '/usr/bin/python3 /nonexistent-aio-tuner-script.py');
    await page.waitForSelector('[data-testid=result-card][data-outcome=failure]');
    assert.equal(await attr(page, '[data-testid=run-status]', 'data-outcome'), 'failure');
    assert.equal(await page.textContent('[data-testid=run-end]'), 'exit code 2');
    const colours = await paint(page);
    assert.equal(colours.card, colours.err, 'a failed run has a red result card');
    assert.equal(colours.dot, colours.err, 'and a red status dot');
    // Level 1 (errors only) still explains the failure.
    await page.dblclick('[data-testid=level-error]');
    await page.waitForSelector('[data-testid=level-error][aria-pressed=true]');
    await page.waitForSelector('[data-testid=level-info][aria-pressed=false]');
    const row = page.locator('[data-testid=log-row]', { hasText: "can't open file" });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-level'), 'error');
    assert.equal(await page.textContent('[data-testid=level-count-error]'), '1');
  } finally {
    await page.close();
  }
});
