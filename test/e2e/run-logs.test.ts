// The log viewer end to end: a workload printing 20,000 lines with errors, warnings on stderr and a Python
// traceback, through the real server and headless Chromium: follow-tail pauses and resumes, the level filter
// shows exactly the error lines with the right count, regex search moves between matches and reports no match
// and invalid expressions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { attr, openApp, setWorkload } from '../helpers/ui';

let browser: Browser;
let served: Served;
const scratch = mkdtempSync(join(tmpdir(), 'aio-run-logs-e2e-'));

before(async () => {
  [browser, served] = await Promise.all([launchBrowser(), startServe()]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

const open = (): Promise<Page> => openApp(browser, served.url);
const rows = (page: Page) =>
  page.$$eval('[data-testid=log-row]', (els) =>
    els.map((e) => ({ n: Number(e.getAttribute('data-n')), level: e.getAttribute('data-level') ?? '' })),
  );

test('20,000 lines with errors: filter to errors, search next/previous, follow-tail pauses and resumes', async () => {
  const script = join(scratch, 'noisy.py');
  writeFileSync(
    script,
    [
      'import sys, time',
      'for i in range(20000):',
      "    print(f'ERROR: x {i}' if i % 1000 == 7 else f'line {i} ok')",
      '    if i % 5000 == 0:',
      "        print('WARNING: careful', file=sys.stderr)",
      '        sys.stdout.flush(); time.sleep(0.3)',
      "raise ValueError('boom')",
      '',
    ].join('\n'),
  );
  const page = await open();
  try {
    await setWorkload(page, `/usr/bin/python3 ${script}`);
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=log-viewport]')?.getAttribute('data-count')) > 20_004,
    );
    const total = Number(await attr(page, '[data-testid=log-viewport]', 'data-count'));
    // Following: the last line (the exception) is the last row.
    await page.waitForFunction(
      (t) =>
        [...document.querySelectorAll('[data-testid=log-row]')].some(
          (e) => e.getAttribute('data-n') === String(t),
        ),
      total,
    );
    assert.equal(await attr(page, '[data-testid=log-viewport]', 'data-following'), 'true');

    // Scrolling up pauses following; the button resumes it at the end.
    await page.hover('[data-testid=log-viewport]');
    await page.mouse.wheel(0, -3000);
    await page.waitForSelector('[data-testid=log-viewport][data-following=false]');
    assert.ok(Math.max(...(await rows(page)).map((r) => r.n)) < total);
    await page.click('[data-testid=log-follow]');
    await page.waitForSelector('[data-testid=log-viewport][data-following=true]');
    await page.waitForFunction(
      (t) =>
        [...document.querySelectorAll('[data-testid=log-row]')].some(
          (e) => e.getAttribute('data-n') === String(t),
        ),
      total,
    );

    // Only errors: 20 "ERROR: x" lines plus the traceback, and the count on the toggle is the rows shown.
    const errorCount = Number(
      ((await page.textContent('[data-testid=level-count-error]')) ?? '').replace(/,/g, ''),
    );
    assert.ok(errorCount >= 23, `errors counted: ${errorCount}`);
    assert.equal(await page.textContent('[data-testid=level-count-warning]'), '4');
    await page.dblclick('[data-testid=level-error]');
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=log-viewport]')?.getAttribute('data-count') === String(n),
      errorCount,
    );
    // Following shows the end (the exception); from the top down, every row seen is an error, none missing.
    await page.waitForSelector('[data-testid=log-row] >> text=/ValueError: boom/');
    const seen = new Map<number, string>();
    const collect = async () => {
      for (const r of await rows(page)) seen.set(r.n, r.level);
    };
    await collect();
    await page.hover('[data-testid=log-viewport]');
    await page.mouse.wheel(0, -5000);
    await page.waitForSelector('[data-testid=log-viewport][data-first="0"]');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid=log-row]').length > 0 &&
        !document.querySelector('[data-testid=log-row-loading]'),
    );
    await collect();
    assert.equal(seen.size, errorCount);
    assert.ok([...seen.values()].every((l) => l === 'error'));

    // Search in the error view: next/previous move between matches, the current one is marked and in view.
    await page.fill('[data-testid=log-search]', 'ERROR: x \\d+7\\b');
    await page.click('[data-testid=log-search-next]');
    await page.waitForSelector('[data-testid=log-row][aria-current=true]');
    const current = () => attr(page, '[data-testid=log-row][aria-current=true]', 'data-n');
    const first = await current();
    await page.click('[data-testid=log-search-next]');
    await page.waitForFunction(
      (f) => document.querySelector('[aria-current=true]')?.getAttribute('data-n') !== f,
      first,
    );
    const second = await current();
    assert.ok(Number(second) > Number(first));
    await page.click('[data-testid=log-search-prev]');
    await page.waitForFunction(
      (f) => document.querySelector('[aria-current=true]')?.getAttribute('data-n') === f,
      first,
    );
    assert.match(
      (await page.textContent('[data-testid=log-row][aria-current=true] mark')) ?? '',
      /^ERROR: x \d*7$/,
    );

    // Back to all levels: search jumps through 20,000 lines and scrolls the hit into view.
    await page.click('[data-testid=level-all]');
    await page.fill('[data-testid=log-search]', 'line 15432 ok');
    await page.click('[data-testid=log-search-next]');
    await page.waitForSelector('[data-testid=log-row][aria-current=true] >> text=line 15432 ok');
    assert.equal(await attr(page, '[data-testid=log-viewport]', 'data-following'), 'false');
    await page.fill('[data-testid=log-search]', 'no such text anywhere');
    await page.click('[data-testid=log-search-next]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=log-search-message]')?.textContent === 'no match',
    );
    await page.fill('[data-testid=log-search]', '(unclosed');
    assert.match(
      (await page.textContent('[data-testid=log-search-message]')) ?? '',
      /invalid regular expression/,
    );
  } finally {
    await page.close();
  }
});

test('a 10 MB line is shown cut with "show all"; an old log file opens in the same viewer', async () => {
  const page = await open();
  try {
    await setWorkload(page, `/usr/bin/python3 -c "print('x' * 10_000_000); print('after the long line')"`);
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=log-row] >> text=after the long line');
    await page.click('[data-testid=log-row][data-n="1"] [data-testid=log-show-all]');
    await page.waitForSelector('[data-testid=line-full]');
    assert.equal(await page.textContent('[data-testid=line-length]'), '10,000,000 characters');
    const shown = await page.$eval('[data-testid=line-full]', (e) => e.textContent?.length ?? 0);
    assert.ok(shown > 4096 && shown < 10_000_000, `shown in steps (${shown} characters)`);
    await page.click('[data-testid=line-dialog] button[aria-label=Close]');

    // A colleague's log, read in the page and opened through the engine: same viewer, same levels.
    await page.setInputFiles('[data-testid=log-open-file]', {
      name: 'colleague.log',
      mimeType: 'text/plain',
      buffer: Buffer.from('starting\nWARNING: slow\nRuntimeError: broken\ndone\n'),
    });
    await page.waitForSelector('[data-testid=log-title] >> text=colleague.log');
    await page.waitForSelector('[data-testid=log-row][data-n="3"][data-level=error]');
    assert.equal(await attr(page, '[data-testid=log-row][data-n="2"]', 'data-level'), 'warning');
    assert.equal(await attr(page, '[data-testid=log-viewport]', 'data-count'), '4');
    await page.click('[data-testid=log-back-to-run]');
    await page.waitForSelector('[data-testid=log-row] >> text=after the long line');
  } finally {
    await page.close();
  }
});
