// The topology map end to end: the real `aio-tuner serve --sysroot` over real kernel dumps, in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { fixtureRoot, fixtureText } from '../helpers/fixtures';
import { screenshotPath } from '../helpers/screenshot';

let browser: Browser;
let twoSocket: Served;
let offline: Served;
let smt: Served;

before(async () => {
  [browser, twoSocket, offline, smt] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', fixtureRoot('arm64-altra-2p-160c-2node')]),
    startServe(['--sysroot', fixtureRoot('arm64-offline-isolated')]),
    startServe(['--sysroot', fixtureRoot('x86-1p-4c-smt')]),
  ]);
});
after(async () => {
  await browser?.close();
  await Promise.all([twoSocket?.stop(), offline?.stop(), smt?.stop()]);
});

async function open(s: Served, lastCpu: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(s.url);
  await page.waitForSelector(`[data-cpu="${lastCpu}"]`);
  return page;
}

const shot = screenshotPath;

const selectedCpus = (page: Page) =>
  page.$$eval('[data-cpu][aria-selected="true"]', (els) =>
    els.map((e) => Number(e.getAttribute('data-cpu'))),
  );

/**
 * The largest machines (2 × AmpereOne-class, 384 CPUs, 4 nodes) have no kernel dump among the fixtures; an
 * `lscpu -p` table of that shape is enough to check the layout, which depends only on the counts.
 */
function lscpuP384(): string {
  const rows = ['# CPU,Core,Socket,Node,,L1d,L1i,L2'];
  for (let c = 0; c < 384; c++)
    rows.push(`${c},${c},${Math.floor(c / 192)},${Math.floor(c / 96)},,${c},${c},${c}`);
  return rows.join('\n') + '\n';
}

async function importText(page: Page, text: string, lastCpu: number): Promise<void> {
  await page.getByRole('button', { name: 'Import topology…' }).click();
  await page.fill('textarea[aria-label="Topology text"]', text);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  // The whole new map, not one CPU id: the map shown before (160 CPUs) may have that id too.
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll('[data-cpu]').length === n &&
      !!document.querySelector(`[data-cpu="${n - 1}"]`),
    lastCpu + 1,
  );
}

const horizontalLayout = (page: Page) =>
  page.evaluate(() => {
    const cells = [...document.querySelectorAll('[data-cpu]')].map((e) => e.getBoundingClientRect());
    const scrollers = [document.documentElement, ...document.querySelectorAll<HTMLElement>('.map-pane')];
    return {
      overflow: scrollers.some((el) => el.scrollWidth > el.clientWidth + 1),
      minWidth: Math.min(...cells.map((r) => r.width)),
      right: Math.max(...cells.map((r) => r.right)),
    };
  });

test('2-socket map: packages, nodes, 160 cells, header facts; fits 1920 px with cells ≥ 18 px', async () => {
  const page = await open(twoSocket, 159);
  try {
    assert.equal(await page.locator('[data-cpu]').count(), 160);
    assert.equal(await page.locator('.package-box').count(), 2);
    assert.equal(await page.locator('.node-box').count(), 2);
    assert.equal(await page.locator('.node-box[data-node="1"] [data-cpu]').count(), 80);
    assert.match((await page.textContent('[data-testid=cpu-model]')) ?? '', /Ampere Altra/);
    assert.match((await page.textContent('[data-testid=cache-summary]')) ?? '', /L1d .*×160/);
    assert.ok(
      ((await page.textContent('[data-testid=topology-origin]')) ?? '').includes('arm64-altra-2p-160c-2node'),
    );
    const name = await page.getAttribute('[data-cpu="12"]', 'aria-label');
    assert.match(name ?? '', /^CPU 12, node 0, package 0, core 12, usable$/);

    const layout = await horizontalLayout(page);
    assert.ok(layout.minWidth >= 18, `cells are ${layout.minWidth}px wide`);
    assert.equal(layout.overflow, false, 'no horizontal scrolling at 1920×1080');
    assert.ok(layout.right <= 1920);
    await page.screenshot({ path: shot('topology-2socket.png') });
  } finally {
    await page.close();
  }
});

test('offline-isolated map: reasons on hover and in the name; unavailable CPUs cannot be picked', async () => {
  const page = await open(offline, 15);
  try {
    const reasons = await page.$$eval('[data-cpu]', (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-cpu'), e.getAttribute('data-unavailable')])),
    );
    assert.equal(reasons['3'], 'offline');
    for (const id of [4, 5, 6, 7]) assert.equal(reasons[String(id)], 'isolated', `CPU ${id}`);
    for (const id of [12, 13, 14, 15]) assert.equal(reasons[String(id)], 'not-allowed', `CPU ${id}`);
    for (const id of [0, 1, 2, 8, 9, 10, 11]) assert.equal(reasons[String(id)], null, `CPU ${id}`);
    assert.match((await page.getAttribute('[data-cpu="3"]', 'title')) ?? '', /offline/);
    assert.match(
      (await page.getAttribute('[data-cpu="5"]', 'aria-label')) ?? '',
      /isolated.*cannot be picked/,
    );
    assert.match((await page.getAttribute('[data-cpu="13"]', 'title')) ?? '', /not allowed/);

    for (const id of [3, 4, 7, 12, 15]) {
      // A real mouse click: Playwright's element click would refuse an aria-disabled cell before trying.
      const box = (await page.locator(`[data-cpu="${id}"]`).boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      assert.deepEqual(await selectedCpus(page), [], `clicking CPU ${id} selects nothing`);
    }
    assert.match((await page.textContent('[data-testid=pick-status]')) ?? '', /CPU 15 is not allowed/);
    // Taking a whole node takes only its usable CPUs.
    await page.click('[data-group="node-0"]');
    assert.deepEqual(await selectedCpus(page), [0, 1, 2]);
    assert.match((await page.textContent('[data-testid=selection-count]')) ?? '', /3 CPUs/);
  } finally {
    await page.close();
  }
});

test('picking: click, Shift-click range, Ctrl-click toggle, keyboard', async () => {
  const page = await open(twoSocket, 159);
  try {
    await page.click('[data-cpu="10"]');
    assert.deepEqual(await selectedCpus(page), [10]);
    await page.click('[data-cpu="13"]', { modifiers: ['Shift'] });
    assert.deepEqual(await selectedCpus(page), [10, 11, 12, 13]);
    await page.click('[data-cpu="11"]', { modifiers: ['Control'] });
    assert.deepEqual(await selectedCpus(page), [10, 12, 13]);
    assert.equal(
      await page.getAttribute('[data-cpu="12"]', 'aria-label'),
      'CPU 12, node 0, package 0, core 12, selected',
    );

    await page.focus('[data-cpu="13"]');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    assert.deepEqual(await selectedCpus(page), [10, 12, 13, 14]);
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    assert.deepEqual(await selectedCpus(page), [10, 12, 13, 14, 15, 16]);
    assert.match((await page.textContent('[data-testid=selection-nodes]')) ?? '', /node 0/);
  } finally {
    await page.close();
  }
});

test("SMT: a click takes the core's first thread; the sibling only with the switch or Alt-click", async () => {
  const page = await open(smt, 7);
  try {
    // x86-1p-4c-smt: cores are CPU pairs 0-1, 2-3, 4-5, 6-7.
    await page.click('[data-cpu="3"]');
    assert.deepEqual(await selectedCpus(page), [2], 'the second thread clicked, the first one taken');
    await page.click('[data-cpu="1"]');
    assert.deepEqual(await selectedCpus(page), [0]);
    assert.match((await page.textContent('[data-testid=selection-count]')) ?? '', /1 CPU\b/);

    // Alt-click: exactly this thread, added to (and then removed from) the selection.
    await page.click('[data-cpu="6"]');
    await page.click('[data-cpu="7"]', { modifiers: ['Alt'] });
    assert.deepEqual(await selectedCpus(page), [6, 7]);
    await page.click('[data-cpu="7"]', { modifiers: ['Alt'] });
    assert.deepEqual(await selectedCpus(page), [6]);

    // The package header takes one thread per core…
    await page.click('[data-group="package-0"]');
    assert.deepEqual(await selectedCpus(page), [0, 2, 4, 6]);

    // …and with "include SMT siblings" a click and a header take whole cores.
    await page.getByLabel('include SMT siblings').check();
    await page.click('[data-cpu="5"]');
    assert.deepEqual(await selectedCpus(page), [4, 5]);
    await page.click('[data-group="package-0"]');
    assert.deepEqual(await selectedCpus(page), [0, 1, 2, 3, 4, 5, 6, 7]);
    await page.getByLabel('include SMT siblings').uncheck();
    await page.click('[data-cpu="5"]');
    assert.deepEqual(await selectedCpus(page), [4]);
  } finally {
    await page.close();
  }
});

test('package and cluster headers take all of it; Ctrl adds another cluster', async () => {
  const page = await open(twoSocket, 159);
  try {
    await page.click('[data-group="package-1"]');
    assert.deepEqual(
      await selectedCpus(page),
      Array.from({ length: 80 }, (_, i) => 80 + i),
    );
    assert.match((await page.textContent('[data-testid=selection-nodes]')) ?? '', /^node 1$/);

    // Clusters are numbered machine-wide: package 1's first 2-core cluster is cluster 40 (CPUs 80-81).
    await page.getByRole('button', { name: 'Take cluster 40 (2 cores)' }).click();
    assert.deepEqual(await selectedCpus(page), [80, 81]);
    await page.getByRole('button', { name: 'Take cluster 41 (2 cores)' }).click({ modifiers: ['Control'] });
    assert.deepEqual(await selectedCpus(page), [80, 81, 82, 83]);
    await page.getByRole('button', { name: 'Take cluster 0 (2 cores)' }).click();
    assert.deepEqual(await selectedCpus(page), [0, 1]);
    assert.match((await page.textContent('[data-testid=pick-status]')) ?? '', /Took 2 CPU\(s\) of cluster 0/);
  } finally {
    await page.close();
  }
});

test('an imported topology: isolation and affinity unknown, said so, and every online CPU pickable', async () => {
  const page = await open(twoSocket, 159);
  try {
    // lscpu -e of the offline/isolated machine: sysfs says 4-7 isolated and 12-15 denied, lscpu -e cannot say.
    await importText(page, fixtureText('lscpu/arm64-offline-isolated.lscpu-e.txt'), 15);
    const marks = await page.$$eval('[data-cpu]', (els) =>
      Object.fromEntries(
        els.map((e) => [
          e.getAttribute('data-cpu'),
          [e.getAttribute('data-unavailable'), e.getAttribute('data-availability-unknown')],
        ]),
      ),
    );
    assert.deepEqual(marks['3'], ['offline', null]);
    for (const id of [0, 5, 13]) assert.deepEqual(marks[String(id)], [null, 'true'], `CPU ${id}`);
    assert.match(
      (await page.getAttribute('[data-cpu="13"]', 'title')) ?? '',
      /unknown for an imported topology/,
    );
    assert.doesNotMatch((await page.getAttribute('[data-cpu="13"]', 'title')) ?? '', /cannot be picked/);
    assert.match(
      (await page.textContent('[data-testid=availability-unknown]')) ?? '',
      /unknown for an imported/,
    );
    await page.click('[data-cpu="5"]');
    await page.click('[data-cpu="13"]', { modifiers: ['Control'] });
    assert.deepEqual(await selectedCpus(page), [5, 13]);
  } finally {
    // The loaded topology belongs to the server, not the page: give the other tests their sysroot back.
    await page.getByRole('button', { name: 'Back to this host' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-cpu]').length === 160);
    await page.close();
  }
});

test('import a topology from pasted lscpu text, then back to this host', async () => {
  const page = await open(twoSocket, 159);
  try {
    await importText(page, fixtureText('lscpu/altramax-m128-30-2p.lscpu.txt'), 255);
    assert.equal(await page.locator('[data-cpu]').count(), 256);
    assert.match((await page.textContent('[data-testid=topology-origin]')) ?? '', /pasted text/);
    let layout = await horizontalLayout(page);
    assert.equal(layout.overflow, false);
    assert.ok(layout.minWidth >= 18);

    await importText(page, lscpuP384(), 383);
    assert.equal(await page.locator('[data-cpu]').count(), 384);
    assert.equal(await page.locator('.node-box').count(), 4);
    layout = await horizontalLayout(page);
    assert.equal(layout.overflow, false, '384 CPUs fit 1920 px without horizontal scrolling');
    assert.ok(layout.minWidth >= 18, `cells are ${layout.minWidth}px wide`);
    assert.ok(layout.right <= 1920);

    await page.getByRole('button', { name: 'Back to this host' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-cpu]').length === 160);
  } finally {
    await page.close();
  }
});
