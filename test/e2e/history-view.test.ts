// The History panel as a user reads and drives it, end to end: real runs (made by the CLI into the served data
// directory, one of them over real ssh to a local sshd with a ?config= target), the real server and headless
// Chromium. Rerun loads the run's settings into the form, export says which rows it takes, the table scrolls
// inside its panel under a header that stays, the open entry is marked, and an ssh target is shown without its
// private ?config= path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CLI, freshHome, launchBrowser, startServe, type Served } from '../helpers/serve';
import { gotoArea, openApp, pickCpus, setWorkload } from '../helpers/ui';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';

const ROWS = 16;
const noSshd = sshdUnavailable();

let browser: Browser;
let served: Served;
let sshd: Sshd | null = null;

/** One real run through the CLI into `home`'s history. */
function cliRun(home: string, args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, 'run', '--quiet', ...args], {
    env: { ...process.env, AIO_TUNER_HOME: home },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `aio-tuner run ${args.join(' ')}: ${r.stderr}`);
}

before(async () => {
  const home = freshHome();
  // More runs than the panel shows at once, so its table has to scroll.
  for (let i = 0; i < ROWS; i++) cliRun(home, ['--', '/bin/echo', `row-${i}`]);
  if (!noSshd) {
    sshd = await startSshd();
    cliRun(home, ['--target', sshd.url, '--', '/bin/echo', 'over-ssh']);
  }
  [browser, served] = await Promise.all([launchBrowser(), startServe([], { home })]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
  await sshd?.stop();
});

const entries = (page: Page) => page.locator('[data-testid=history-entry]');

async function openWithHistory(): Promise<Page> {
  const page = await openApp(browser, served.url);
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid=history-entry]').length >= n,
    ROWS,
  );
  await gotoArea(page, 'history');
  return page;
}

test('Rerun loads the run’s settings into the form (selection and workload) and runs them', async () => {
  const page = await openWithHistory();
  try {
    await gotoArea(page, 'pick');
    await pickCpus(page, '1');
    await setWorkload(page, '/bin/echo rerun-marker');
    await page.click('[data-testid=run-start]');
    const original = entries(page).filter({ hasText: 'rerun-marker' });
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid=history-entry]')].some(
        (r) => /rerun-marker/.test(r.textContent ?? '') && /exit 0/.test(r.textContent ?? ''),
      ),
    );

    // The form moves on to something else…
    await pickCpus(page, '0');
    await setWorkload(page, '/bin/echo something-else');

    // …and Rerun brings the old run's settings back into it, and runs them.
    await gotoArea(page, 'history');
    await original.locator('[data-testid=history-rerun]').click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('rerun-marker'),
    );
    assert.match((await page.inputValue('[data-testid=workload]')) ?? '', /\/bin\/echo rerun-marker/);
    assert.match((await page.textContent('[data-testid=preview-bash]')) ?? '', /--physcpubind=1 /);
    assert.match((await page.textContent('[data-testid=selection-count]')) ?? '', /^1 CPU selected/);
    assert.deepEqual(
      await page.$$eval('[data-cpu][aria-selected="true"]', (els) =>
        els.map((e) => e.getAttribute('data-cpu')),
      ),
      ['1'],
    );
    assert.match((await page.textContent('[data-testid=history-message]')) ?? '', /settings are in the form/);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=history-entry]')].filter((r) =>
          /rerun-marker/.test(r.textContent ?? ''),
        ).length === 2,
    );
  } finally {
    await page.close();
  }
});

test('export says which rows it takes: all (N), the ones shown by a filter, or the ticked ones', async () => {
  const page = await openWithHistory();
  try {
    const total = await entries(page).count();
    const csv = page.locator('[data-testid=history-export-csv]');
    assert.equal(await page.textContent('[data-testid=history-export-scope]'), `Export all (${total}):`);

    const download = async (): Promise<string> => {
      const [d] = await Promise.all([page.waitForEvent('download'), csv.click()]);
      return readFileSync((await d.path())!, 'utf8');
    };
    const dataRows = (text: string) => text.trim().split('\n').length - 1;
    assert.equal(dataRows(await download()), total);

    // A filter narrows what is shown, and what is exported with it.
    await page.fill('[data-testid=history-filter]', 'row-1');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-entry]').length < 10);
    const shown = await entries(page).count();
    assert.equal(await page.textContent('[data-testid=history-export-scope]'), `Export the ${shown} shown:`);
    const filtered = await download();
    assert.equal(dataRows(filtered), shown);
    assert.doesNotMatch(filtered, /row-2/);
    await page.fill('[data-testid=history-filter]', '');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=history-entry]').length === n,
      total,
    );

    // Ticked rows win, and the label says so.
    await entries(page).nth(2).locator('[data-testid=history-pick]').check();
    await entries(page).nth(4).locator('[data-testid=history-pick]').check();
    assert.equal(await page.textContent('[data-testid=history-export-scope]'), 'Export 2 selected:');
    assert.equal(await csv.getAttribute('aria-label'), 'Export 2 selected as CSV');
    assert.equal(dataRows(await download()), 2);
  } finally {
    await page.close();
  }
});

test('the table scrolls inside its panel under a sticky header; the open entry is highlighted', async () => {
  const page = await openWithHistory();
  try {
    const wrap = page.locator('.history-list-wrap');
    const fit = await page.evaluate(() => {
      const panel = document.querySelector<HTMLElement>('[data-testid=history-panel]')!;
      const w = document.querySelector<HTMLElement>('.history-list-wrap')!;
      const table = document.querySelector<HTMLElement>('[data-testid=history-list]')!;
      return {
        panelRight: panel.getBoundingClientRect().right,
        wrapRight: w.getBoundingClientRect().right,
        tableRight: table.getBoundingClientRect().right,
        panelOverflows: panel.scrollWidth > panel.clientWidth + 1,
        scrollsDown: w.scrollHeight > w.clientHeight + 1,
      };
    });
    assert.equal(fit.panelOverflows, false, 'nothing sticks out of the History panel');
    assert.ok(
      fit.wrapRight <= fit.panelRight + 0.5,
      `the table's box ends inside the panel (${JSON.stringify(fit)})`,
    );
    assert.ok(fit.scrollsDown, 'the list scrolls inside its box');

    // Scrolled to the end, the column header is still at the top of the box.
    await wrap.evaluate((w) => (w.scrollTop = w.scrollHeight));
    const head = await page.evaluate(() => {
      const w = document.querySelector('.history-list-wrap')!.getBoundingClientRect();
      const th = document.querySelector('[data-testid=history-list] thead th')!.getBoundingClientRect();
      return {
        wrapTop: w.top,
        thTop: th.top,
        scrolled: document.querySelector('.history-list-wrap')!.scrollTop,
      };
    });
    assert.ok(head.scrolled > 0);
    assert.ok(
      Math.abs(head.thTop - head.wrapTop) <= 1,
      `header at the top of the box (${JSON.stringify(head)})`,
    );

    // Opening an entry marks its row, and only its row.
    const row = entries(page).last();
    await row.locator('[data-testid=history-open]').click();
    await page.waitForSelector('[data-testid=history-detail]');
    assert.equal(await row.getAttribute('aria-current'), 'true');
    assert.equal(await page.locator('[data-testid=history-entry][aria-current=true]').count(), 1);
    // No helper functions inside evaluate: tsx would wrap them in a __name() the page does not have.
    const bg = await page.evaluate(() => {
      const open = document.querySelector('[data-testid=history-entry][aria-current=true] td')!;
      const other = document.querySelector('[data-testid=history-entry]:not([aria-current]) td')!;
      return { open: getComputedStyle(open).backgroundColor, other: getComputedStyle(other).backgroundColor };
    });
    assert.notEqual(bg.open, bg.other, 'the open row stands out');
    await page
      .locator('[data-testid=history-panel]')
      .screenshot({ path: join(tmpdir(), 'aio-history-panel.png') });

    // A narrower window: nothing of the panel is cut off at its edge (the column clips what sticks out); the
    // table's own box scrolls sideways instead.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator('[data-testid=history-panel]').scrollIntoViewIfNeeded();
    const sticking = await page.evaluate(() => {
      const panel = document.querySelector('[data-testid=history-panel]')!;
      const right = panel.getBoundingClientRect().right;
      const box = document.querySelector('.history-list-wrap')!;
      return [...panel.querySelectorAll('*')]
        .filter((el) => !box.contains(el) || el === box)
        .filter((el) => el.getBoundingClientRect().right > right + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${el.getAttribute('data-testid') ?? ''}`);
    });
    assert.deepEqual(sticking, [], 'nothing sticks out of the History panel at 1280 px');
    // The row actions stay in view at the box's right edge instead of scrolling off with the wide columns.
    const reach = await page.evaluate(() => {
      const box = document.querySelector('.history-list-wrap')!;
      const del = document.querySelector('[data-testid=history-entry] [data-testid=history-delete]')!;
      return {
        wide: box.scrollWidth > box.clientWidth,
        deleteRight: del.getBoundingClientRect().right,
        boxRight: box.getBoundingClientRect().right,
      };
    });
    assert.ok(reach.wide, 'the table is wider than its box at 1280 px');
    assert.ok(reach.deleteRight <= reach.boxRight, `Delete is in view (${JSON.stringify(reach)})`);
    await page
      .locator('[data-testid=history-panel]')
      .screenshot({ path: join(tmpdir(), 'aio-history-panel-1280.png') });
  } finally {
    await page.close();
  }
});

test(
  'an ssh target shows without its ?config= path; the full URL is on hover',
  { skip: noSshd ?? false },
  async () => {
    const page = await openWithHistory();
    try {
      const full = sshd!.url;
      assert.match(full, /\?config=/);
      const shown = full.replace(/\?.*$/, '');
      const row = entries(page).filter({ hasText: 'over-ssh' });
      const host = row.locator('[data-testid=history-host]');
      assert.equal((await host.textContent())?.trim(), shown);
      assert.equal(await host.getAttribute('title'), full);

      await row.locator('[data-testid=history-open]').click();
      const detail = page.locator('[data-testid=history-detail]');
      await detail.waitFor();
      assert.doesNotMatch((await detail.textContent()) ?? '', /config=/);
      assert.equal(await detail.locator('[data-testid=history-detail-target]').getAttribute('title'), full);
    } finally {
      await page.close();
    }
  },
);
