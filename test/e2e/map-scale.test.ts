// A 384-CPU machine in the map (issue 15, "Scale"): the real `aio-tuner serve --sysroot` over a real kernel's dump
// of an arm64 `virt` board with 2 sockets × 96 two-core clusters and 4 NUMA nodes, in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { screenshotPath } from '../helpers/screenshot';

const DUMP = 'arm64-virt-2p-384c-4node';

let browser: Browser;
let big: Served;

before(async () => {
  [browser, big] = await Promise.all([launchBrowser(), startServe(['--sysroot', fixtureRoot(DUMP)])]);
});
after(async () => {
  await browser?.close();
  await big?.stop();
});

async function open(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(big.url);
  await page.waitForSelector('[data-cpu="383"]');
  return page;
}

const selectedCpus = (page: Page) =>
  page.$$eval('[data-cpu][aria-selected="true"]', (els) =>
    els.map((e) => Number(e.getAttribute('data-cpu'))),
  );

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function centre(page: Page, cpu: number): Promise<{ x: number; y: number }> {
  const box = await page.locator(`[data-cpu="${cpu}"]`).boundingBox();
  assert.ok(box, `CPU ${cpu} is on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A real rubber-band drag with the mouse, from one cell's centre to another's. */
async function drag(page: Page, from: number, to: number): Promise<void> {
  const a = await centre(page, from);
  const b = await centre(page, to);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 3, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();
}

const focusedCpu = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('data-cpu') ?? null);

test('384 CPUs: every node a box of its own, compact cells ≥ 18 px, one screen wide', async () => {
  const page = await open();
  try {
    assert.equal(await page.locator('[data-cpu]').count(), 384);
    assert.equal(await page.locator('.package-box').count(), 2);
    for (const n of [0, 1, 2, 3]) {
      const ids = await page.$$eval(`.node-box[data-node="${n}"] [data-cpu]`, (els) =>
        els.map((e) => Number(e.getAttribute('data-cpu'))),
      );
      assert.deepEqual(ids, range(n * 96, n * 96 + 95), `node ${n} holds CPUs ${n * 96}-${n * 96 + 95}`);
    }
    const layout = await page.evaluate(() => {
      const boxes = [...document.querySelectorAll('.node-box')].map((e) => e.getBoundingClientRect());
      const cells = [...document.querySelectorAll('[data-cpu]')].map((e) => e.getBoundingClientRect());
      const overlap = boxes.some((a, i) =>
        boxes.some(
          (b, j) => i < j && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom,
        ),
      );
      const scrollers = [document.documentElement, ...document.querySelectorAll<HTMLElement>('.map-pane')];
      return {
        overlap,
        overflow: scrollers.some((el) => el.scrollWidth > el.clientWidth + 1),
        minWidth: Math.min(...cells.map((r) => r.width)),
        map: document.querySelector('[data-testid=topology-map]')!.getBoundingClientRect().height,
      };
    });
    assert.equal(layout.overlap, false, 'node boxes do not overlap');
    assert.equal(layout.overflow, false, 'no horizontal scrolling at 1920×1080');
    assert.ok(layout.minWidth >= 18, `cells are ${layout.minWidth}px wide`);
    assert.ok(layout.map < 700, `the whole map is ${layout.map}px high: it fits one screen`);
    assert.ok(await page.locator('.topology-map.density-compact').count(), 'compact cells');
  } finally {
    await page.close();
  }
});

test('384 CPUs: fold and unfold a node by mouse and keyboard; picking still works around it', async () => {
  const page = await open();
  try {
    await page.click('[data-cpu="100"]');
    assert.deepEqual(await selectedCpus(page), [100]);

    // Fold node 1: its cells leave the map, its selection stays and is counted on the folded line.
    const toggle1 = page.getByRole('button', { name: 'Collapse Node 1' });
    assert.equal(await toggle1.getAttribute('aria-expanded'), 'true');
    await toggle1.click();
    assert.equal(await page.locator('[data-cpu]').count(), 288);
    assert.equal(await page.locator('.node-box[data-node="1"] [data-cpu]').count(), 0);
    const fold1 = page.locator('.node-box[data-node="1"] .node-fold');
    assert.match((await fold1.textContent()) ?? '', /96 CPUs folded · 1 selected/);
    assert.equal(
      await page.getByRole('button', { name: 'Expand Node 1' }).getAttribute('aria-expanded'),
      'false',
    );
    assert.match((await page.textContent('[data-testid=selection-count]')) ?? '', /\b1 CPU\b/);

    // Drag over node 0's first two rows: the rectangle takes what is on screen.
    await drag(page, 0, 24 + 5);
    const dragged = await selectedCpus(page);
    assert.ok(dragged.includes(0) && dragged.includes(29), `dragged ${dragged.join(',')}`);
    assert.ok(
      dragged.every((c) => c < 96),
      'a drag selects only cells inside the rectangle, none of the folded node',
    );

    // The node header still takes the whole folded node.
    await page.click('[data-group="node-1"]');
    assert.match((await fold1.textContent()) ?? '', /96 selected/);
    assert.deepEqual(await selectedCpus(page), []); // its cells are folded away
    await page.keyboard.press('Escape');

    // Keyboard: from node 0's last CPU the next one on screen is node 2's first (node 1 is folded).
    await page.focus('[data-cpu="95"]');
    await page.keyboard.press('ArrowRight');
    assert.equal(await focusedCpu(page), '192');
    await page.keyboard.press('Space');
    assert.deepEqual(await selectedCpus(page), [192]);

    // Fold and unfold node 2 from the keyboard, focus staying on its toggle.
    await page.focus('.node-box[data-node="2"] .node-toggle');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.node-box[data-node="2"] [data-cpu]').count(), 0);
    assert.equal(await page.getAttribute('.node-box[data-node="2"] .node-toggle', 'aria-expanded'), 'false');
    await page.keyboard.press('Space');
    assert.equal(await page.locator('.node-box[data-node="2"] [data-cpu]').count(), 96);
    assert.deepEqual(await selectedCpus(page), [192], 'folding keeps the selection');

    // A click on the folded line unfolds node 1.
    await fold1.click();
    assert.equal(await page.locator('[data-cpu]').count(), 384);
    assert.equal(await page.getAttribute('.node-box[data-node="1"] .node-toggle', 'aria-expanded'), 'true');

    // The picture for the README: node 3 folded with part of it selected, a selection across nodes 0 and 2.
    await page.click('[data-group="node-3"]');
    await page.getByRole('button', { name: 'Collapse Node 3' }).click();
    await page.click('[data-cpu="0"]', { modifiers: ['Control'] });
    await page.click('[data-cpu="5"]', { modifiers: ['Shift', 'Control'] });
    await page.locator('[data-testid=topology-map]').screenshot({ path: screenshotPath('topology-384.png') });
  } finally {
    await page.close();
  }
});
