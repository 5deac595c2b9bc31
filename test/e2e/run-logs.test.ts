// The log viewer end to end: a workload printing 20,000 lines with errors, warnings on stderr and a Python
// traceback, through the real server and headless Chromium: follow-tail pauses and resumes, the level filter
// shows exactly the error lines with the right count, typing a regex jumps to the first match with "n of N",
// next/previous move between matches, no match and an invalid expression are said once; a 1,000,000-line
// file (past the viewport's height cap, so scaled scrolling) opens and reaches its end, a search hit near it
// and its middle; Save writes the run's log byte for byte; a run too short to measure reports its peak memory
// as unknown, in the UI and in `aio-tuner run --json`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CLI, freshHome, startServe, launchBrowser, type Served } from '../helpers/serve';
import { attr, gotoArea, openApp, runToEnd } from '../helpers/ui';

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
/** The row for line n is in the DOM and inside the viewport's visible box (not just rendered off-screen). */
const lineInView = (page: Page, n: number) =>
  page.waitForFunction((n) => {
    const vp = document.querySelector('[data-testid=log-viewport]');
    const row = document.querySelector(`[data-testid=log-row][data-n="${n}"]`);
    if (!vp || !row) return false;
    const a = vp.getBoundingClientRect();
    const b = row.getBoundingClientRect();
    return b.height > 0 && b.top >= a.top - 0.5 && b.bottom <= a.bottom + 0.5;
  }, n);
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
    await runToEnd(page, `/usr/bin/python3 ${script}`);
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

    // Search in the error view: typing jumps to the first match and says where it stands among all of them
    // (19: "ERROR: x 1007" … "ERROR: x 19007"); next/previous move between matches, the current one is marked.
    const searchMessage = () => page.textContent('[data-testid=log-search-message]').then((t) => t ?? '');
    const current = () => attr(page, '[data-testid=log-row][aria-current=true]', 'data-n');
    await page.fill('[data-testid=log-search]', 'ERROR: x \\d+7\\b');
    await page.waitForFunction(() =>
      /^1 of 19 · line /.test(document.querySelector('[data-testid=log-search-message]')?.textContent ?? ''),
    );
    await page.waitForSelector('[data-testid=log-row][aria-current=true]');
    const first = await current();
    assert.match(
      await searchMessage(),
      new RegExp(`^1 of 19 · line ${Number(first).toLocaleString('en-US')}$`),
    );
    await page.click('[data-testid=log-search-next]');
    await page.waitForFunction(
      (f) => document.querySelector('[aria-current=true]')?.getAttribute('data-n') !== f,
      first,
    );
    const second = await current();
    assert.ok(Number(second) > Number(first));
    assert.match(await searchMessage(), /^2 of 19 · line /);
    await page.click('[data-testid=log-search-prev]');
    await page.waitForFunction(
      (f) => document.querySelector('[aria-current=true]')?.getAttribute('data-n') === f,
      first,
    );
    assert.match(await searchMessage(), /^1 of 19 · line /);
    assert.match(
      (await page.textContent('[data-testid=log-row][aria-current=true] mark')) ?? '',
      /^ERROR: x \d*7$/,
    );

    // Back to all levels: typing finds a line among 20,000 and scrolls it into view, without pressing Next.
    await page.click('[data-testid=level-all]');
    await page.fill('[data-testid=log-search]', 'line 15432 ok');
    await page.waitForSelector('[data-testid=log-row][aria-current=true] >> text=line 15432 ok');
    assert.match(await searchMessage(), /^1 of 1 · line [\d,]+$/);
    assert.equal(await attr(page, '[data-testid=log-viewport]', 'data-following'), 'false');
    await page.fill('[data-testid=log-search]', 'no such text anywhere');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=log-search-message]')?.textContent === 'no match',
    );
    // A bad pattern is said once, in V8's own words.
    await page.fill('[data-testid=log-search]', '(unclosed');
    const bad = await searchMessage();
    assert.match(bad, /^Invalid regular expression: .*Unterminated group/);
    assert.doesNotMatch(bad, /invalid regular expression.*invalid regular expression/i);
  } finally {
    await page.close();
  }
});

test('a 10 MB line is shown cut with "show all"; an old log file opens in the same viewer', async () => {
  const page = await open();
  try {
    await runToEnd(page, `/usr/bin/python3 -c "print('x' * 10_000_000); print('after the long line')"`);
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

test('a 1,000,000-line log file: opens at the top, jumps to the end, finds a line near it, scrolls to the middle', async () => {
  const LINES = 1_000_000;
  const file = join(scratch, 'million.log');
  const text: string[] = [];
  for (let i = 1; i <= LINES; i++) text.push(`line ${i} ok`);
  writeFileSync(file, text.join('\n') + '\n');
  const page = await open();
  try {
    await gotoArea(page, 'run');
    await page.setInputFiles('[data-testid=log-open-file]', file);
    await page.waitForSelector('[data-testid=log-title] >> text=million.log', { timeout: 60_000 });
    await page.waitForSelector(`[data-testid=log-viewport][data-count="${LINES}"]`, { timeout: 60_000 });
    await lineInView(page, 1);

    // The end: following shows the last line, inside the visible box.
    await page.click('[data-testid=log-follow]');
    await page.waitForSelector(`[data-testid=log-row][data-n="${LINES}"] >> text=line ${LINES} ok`);
    await lineInView(page, LINES);

    // Typing a search from there lands on the line just before the end.
    await page.fill('[data-testid=log-search]', 'line 999999 ok');
    await page.waitForSelector('[data-testid=log-row][aria-current=true][data-n="999999"]');
    await lineInView(page, 999_999);
    assert.equal(await attr(page, '[data-testid=log-viewport]', 'data-following'), 'false');

    // Dragging the scrollbar to its middle shows the lines around 500,000, each with its own text.
    await page.$eval('[data-testid=log-viewport]', (el) => {
      el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
    });
    await page.waitForFunction(() => {
      const shown = [...document.querySelectorAll('[data-testid=log-row]')].map((e) =>
        Number(e.getAttribute('data-n')),
      );
      return (
        shown.some((n) => Math.abs(n - 500_000) < 1000) &&
        !document.querySelector('[data-testid=log-row-loading]')
      );
    });
    const middle = await page.$$eval('[data-testid=log-row]', (els) =>
      els.map((e) => [Number(e.getAttribute('data-n')), e.querySelector('.log-text')?.textContent ?? '']),
    );
    for (const [n, t] of middle) assert.equal(t, `line ${n} ok`);
    const mid = middle[Math.floor(middle.length / 2)]![0] as number;
    await lineInView(page, mid);

    // Past the height cap the wheel moves by rows: 180 px of wheel is 10 rows.
    const before = Number(await attr(page, '[data-testid=log-viewport]', 'data-first'));
    await page.hover('[data-testid=log-viewport]');
    await page.mouse.wheel(0, 10 * 18);
    await page.waitForFunction(
      (b) => Number(document.querySelector('[data-testid=log-viewport]')?.getAttribute('data-first')) !== b,
      before,
    );
    assert.equal(Number(await attr(page, '[data-testid=log-viewport]', 'data-first')), before + 10);
  } finally {
    await page.close();
  }
});

test("Save writes the run's log byte for byte, and the copy opens again; a missing folder is a clear error", async () => {
  const script = join(scratch, 'tosave.py');
  writeFileSync(
    script,
    [
      'import sys, time',
      "print('first line')",
      "print('WARNING: on stderr', file=sys.stderr)",
      'sys.stdout.flush(); sys.stderr.flush(); time.sleep(0.6)',
      "print('\u00e9t\u00e9 \x1b[31mred\x1b[0m')",
      "print('last line')",
      '',
    ].join('\n'),
  );
  const page = await open();
  try {
    await runToEnd(page, `/usr/bin/python3 ${script}`);
    await page.waitForSelector('[data-testid=log-row] >> text=last line');
    // Long enough to be sampled: a real figure, not "unknown".
    assert.match((await page.textContent('[data-testid=run-status]')) ?? '', /peak memory \d/);

    const href = await attr(page, '[data-testid=log-download]', 'href');
    const runLog = new URL(href, served.url).searchParams.get('path')!;
    const target = join(scratch, 'saved.log');
    await page.fill('[data-testid=log-save-path]', target);
    await page.click('[data-testid=log-save]');
    await page.waitForSelector(`[data-testid=log-file-note] >> text=Saved to ${target}`);
    const saved = readFileSync(target);
    assert.ok(saved.length > 0);
    assert.ok(saved.equals(readFileSync(runLog)), 'saved file differs from the run log');

    await page.fill('[data-testid=log-save-path]', '/nonexistent-aio-dir/x.log');
    await page.click('[data-testid=log-save]');
    await page.waitForSelector(
      '[data-testid=log-file-note].inline-error >> text=the folder /nonexistent-aio-dir does not exist',
    );

    // The copy is a log like any other: same lines, same levels.
    await page.fill('[data-testid=log-open-path]', target);
    await page.press('[data-testid=log-open-path]', 'Enter');
    await page.waitForSelector('[data-testid=log-title] >> text=saved.log');
    await page.waitForSelector('[data-testid=log-row] >> text=last line');
    assert.equal(await attr(page, '[data-testid=log-viewport]', 'data-count'), '4');
    assert.equal(
      await attr(page, '[data-testid=log-row]:has-text("WARNING: on stderr")', 'data-stream'),
      'stderr',
    );
  } finally {
    await page.close();
  }
});

test('a run too short to measure shows "peak memory unknown"; `aio-tuner run --json` prints null', async () => {
  const page = await open();
  try {
    await runToEnd(page, '/usr/bin/true');
    assert.match((await page.textContent('[data-testid=run-status]')) ?? '', /peak memory unknown/);
  } finally {
    await page.close();
  }

  const cli = (workload: string[]) => {
    const r = spawnSync(process.execPath, [CLI, 'run', '--json', '--quiet', '--', ...workload], {
      env: { ...process.env, AIO_TUNER_HOME: freshHome(), OMP_NUM_THREADS: '1' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { peakRssBytes: number | null };
  };
  assert.equal(cli(['true']).peakRssBytes, null);
  // A 200 MB spike freed before the process ends is still the peak (the processes' own high-water mark).
  const spike = cli([
    '/usr/bin/python3',
    '-c',
    'import time; b = b"x" * (200 << 20); del b; time.sleep(0.5)',
  ]);
  assert.ok((spike.peakRssBytes ?? 0) >= 200 * 1024 * 1024, `peak ${spike.peakRssBytes}`);
});
