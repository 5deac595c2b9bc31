// The CPU-list field takes selection expressions: the real `aio-tuner serve --sysroot` over the 2-socket Altra
// dump in headless Chromium. Typing `M1:0-3` shows "= CPUs 80-83", selects those four cells on the map and binds
// them in the command; a map pick afterwards turns the field back into a plain list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { gotoArea } from '../helpers/ui';
import { atLeast, axeContext, formatViolations, runAxe } from '../helpers/axe';

let browser: Browser;
let served: Served;

before(async () => {
  [browser, served] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', fixtureRoot('arm64-altra-2p-160c-2node')]),
  ]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

const selectedCpus = (page: Page) =>
  page.$$eval('[data-cpu][aria-selected="true"]', (els) =>
    els.map((e) => Number(e.getAttribute('data-cpu'))).sort((a, b) => a - b),
  );

const expansion = (page: Page) => page.textContent('[data-testid=cpu-list-expansion]');

test('an expression in the CPU-list field shows its expansion and selects it on the map', async () => {
  // axe's context (the test's own script allowed in): the field with its expansion line is checked in both themes.
  const context = await axeContext(browser);
  const page = await context.newPage();
  await page.goto(served.url);
  await page.waitForSelector('[data-cpu="159"]');
  await gotoArea(page, 'pick');

  await page.fill('[data-testid=cpu-list]', 'M1:0-3');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=cpu-list-expansion]')?.textContent === '= CPUs 80-83',
  );
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('--physcpubind=80-83'),
  );
  assert.deepEqual(await selectedCpus(page), [80, 81, 82, 83]);
  assert.equal(await page.inputValue('[data-testid=cpu-list]'), 'M1:0-3');
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.evaluate((t) => {
      document.documentElement.dataset.theme = t;
    }, theme);
    const bad = atLeast((await runAxe(page, { include: '.cpu-list-field' })).violations, 'serious');
    assert.equal(bad.length, 0, `${theme}: ${formatViolations(bad)}`);
  }

  // hwloc's spelling of the same cores.
  await page.fill('[data-testid=cpu-list]', 'node:1.core:0-1 node:0.core:0');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=cpu-list-expansion]')?.textContent === '= CPUs 0,80-81',
  );
  assert.deepEqual(await selectedCpus(page), [0, 80, 81]);

  // What the machine does not have is an error under the field; the map keeps the last valid selection.
  await page.fill('[data-testid=cpu-list]', 'S2:0-3');
  const error = await page.waitForSelector('[data-testid=cpu-list-error] li');
  assert.match((await error.textContent()) ?? '', /S2 does not exist: this machine has 2 sockets \(S0-S1\)/);
  assert.equal(await expansion(page), '');
  assert.deepEqual(await selectedCpus(page), [0, 80, 81]);

  // A plain list has no expansion line (it is its own), and a pick on the map replaces the expression.
  await page.fill('[data-testid=cpu-list]', 'S0:0-1');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=cpu-list-expansion]')?.textContent === '= CPUs 0-1',
  );
  await page.click('[data-cpu="5"]', { modifiers: ['Control'] });
  await page.waitForFunction(
    () => (document.querySelector('[data-testid=cpu-list]') as HTMLInputElement).value === '0-1,5',
  );
  assert.equal(await expansion(page), '');
  await context.close();
});
