// Core types on the map: the real `aio-tuner serve --sysroot` over a real DynamIQ phone SoC dump (util-linux's
// test data) in headless Chromium: a stripe per type on every CPU, the legend fastest first, the preset.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { utilLinuxRoot } from '../helpers/real-dumps';
import { screenshotPath } from '../helpers/screenshot';

let browser: Browser;
let phone: Served;
let uniform: Served;

before(async () => {
  [browser, phone, uniform] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', utilLinuxRoot('arm-A510-A710-A715-X3')]),
    startServe(['--sysroot', fixtureRoot('x86-1p-4c-smt')]),
  ]);
});
after(async () => {
  await browser?.close();
  await Promise.all([phone?.stop(), uniform?.stop()]);
});

async function open(s: Served, lastCpu: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(s.url);
  await page.waitForSelector(`[data-cpu="${lastCpu}"]`);
  return page;
}

/** The colour of the stripe along a cell's top edge (transparent when it has none). */
const stripe = (page: Page, sel: string) =>
  page.$eval(sel, (el) => {
    const s = getComputedStyle(el, '::before');
    return { colour: s.backgroundColor, height: s.height, top: s.top };
  });

test('a heterogeneous SoC: each core type has its stripe colour and a legend entry, fastest first', async () => {
  const page = await open(phone, 7);
  try {
    const entries = page.locator('[data-testid=map-legend-core-types] [data-core-type]');
    assert.deepEqual(await entries.allTextContents(), [
      'Cortex-X3 — CPU 7 · capacity 1024',
      'Cortex-A715 — CPUs 3-4 · capacity 855',
      'Cortex-A710 — CPUs 5-6 · capacity 855',
      'Cortex-A510 — CPUs 0-2 · capacity 280',
    ]);
    const byType: Record<string, number[]> = {
      'Cortex-X3': [7],
      'Cortex-A715': [3, 4],
      'Cortex-A710': [5, 6],
      'Cortex-A510': [0, 1, 2],
    };
    const colours = new Set<string>();
    for (const [name, cpus] of Object.entries(byType)) {
      const swatch = await stripe(page, `[data-core-type="${name}"] .core-type-swatch`);
      assert.notEqual(swatch.colour, 'rgba(0, 0, 0, 0)', name);
      colours.add(swatch.colour);
      for (const id of cpus) {
        const cell = await stripe(page, `.topology-map [data-cpu="${id}"]`);
        assert.equal(cell.colour, swatch.colour, `CPU ${id} is striped as ${name}`);
        assert.equal(cell.top, '0px');
        assert.equal(cell.height, '3px');
      }
    }
    assert.equal(colours.size, 4, 'four types, four colours');

    // The preset picks the fastest type's cores; selected cells keep their stripe.
    await page.getByRole('button', { name: 'Fastest type' }).click();
    await page.waitForSelector('[data-cpu="7"][aria-selected="true"]');
    const selected = await page.$$eval('[data-cpu][aria-selected="true"]', (els) =>
      els.map((e) => Number(e.getAttribute('data-cpu'))),
    );
    assert.deepEqual(selected, [7]);
    assert.equal(
      (await stripe(page, '.topology-map [data-cpu="7"]')).colour,
      (await stripe(page, '[data-core-type="Cortex-X3"] .core-type-swatch')).colour,
    );
    await page.screenshot({ path: screenshotPath('map-core-types.png') });
  } finally {
    await page.close();
  }
});

test('a uniform machine: no core-type legend, no stripes, no preset', async () => {
  const page = await open(uniform, 7);
  try {
    assert.equal(await page.locator('[data-testid=map-legend-core-types]').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Fastest type' }).count(), 0);
    assert.equal((await stripe(page, '.topology-map [data-cpu="0"]')).colour, 'rgba(0, 0, 0, 0)');
  } finally {
    await page.close();
  }
});
