// The engine selector of the Pick area (issue 17, item 4) against the real server and headless Chromium on the
// Ampere Altra dump (no bf16 in its /proc/cpuinfo): switching to oneDNN swaps the variables table for the stock
// PyTorch/oneDNN catalogue, drops BF16 from the math modes this CPU is offered, and the command preview carries
// OpenMP's variables instead of the AIO_* ones; switching back restores both, and a reload keeps the choice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { gotoArea, pickCpus } from '../helpers/ui';

let browser: Browser;
let served: Served;

before(async () => {
  [browser, served] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', fixtureRoot('arm64-altra-1p-80c')]),
  ]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

const rowNames = (page: Page) =>
  page.$$eval('[data-testid=variables] tr[data-var]', (rows) => rows.map((r) => r.getAttribute('data-var')));
const preview = (page: Page) => page.textContent('[data-testid=preview-bash]').then((t) => t ?? '');
const previewHas = (page: Page, text: string) =>
  page.waitForFunction(
    (s) => document.querySelector('[data-testid=preview-bash]')?.textContent?.includes(s),
    text,
  );

/** A fresh page (its own context, so its own stored forms) on the Altra's Pick area, CPUs 0-3 picked. */
async function pickedPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  await page.goto(served.url);
  await page.waitForSelector('[data-cpu="79"]', { timeout: 30_000 });
  await gotoArea(page, 'pick');
  await page.waitForSelector('[data-var="AIO_NUM_THREADS"]');
  await pickCpus(page, '0-3');
  return { context, page };
}

test('switching the engine changes the variables table and the command preview', async () => {
  const { context, page } = await pickedPage();
  try {
    assert.equal(await page.inputValue('[data-testid=engine-select]'), 'aio');
    assert.match(await preview(page), /AIO_NUM_THREADS=4 OMP_NUM_THREADS=4 AIO_NUMA_CPUS='0 1 2 3'/);

    await page.selectOption('[data-testid=engine-select]', 'onednn');
    await page.waitForSelector('[data-var="DNNL_DEFAULT_FPMATH_MODE"]');
    const names = await rowNames(page);
    assert.ok(!names.some((n) => n!.startsWith('AIO_')), names.join());
    for (const n of [
      'OMP_NUM_THREADS',
      'OMP_PLACES',
      'OMP_PROC_BIND',
      'LRU_CACHE_CAPACITY',
      'THP_MEM_ALLOC_ENABLE',
    ])
      assert.ok(names.includes(n), n);
    await previewHas(page, "OMP_PLACES='{0},{1},{2},{3}'");
    const text = await preview(page);
    assert.doesNotMatch(text, /AIO_/);
    assert.match(
      text,
      /^OMP_NUM_THREADS=4 OMP_PLACES='\{0\},\{1\},\{2\},\{3\}' OMP_PROC_BIND=close numactl /,
    );
    // The Altra has no bf16: BF16 and ANY are not offered.
    const modes = await page.$$eval('[data-testid=var-DNNL_DEFAULT_FPMATH_MODE] option', (os) =>
      os.map((o) => (o as HTMLOptionElement).value),
    );
    assert.ok(modes.includes('STRICT') && !modes.includes('BF16') && !modes.includes('ANY'), modes.join());
    // A oneDNN variable set in the table reaches the command.
    await page.selectOption('[data-testid=var-THP_MEM_ALLOC_ENABLE]', '1');
    await previewHas(page, 'THP_MEM_ALLOC_ENABLE=1');
    assert.equal(await page.textContent('[data-testid=var-OMP_PLACES-state]'), 'derived');

    // The choice is part of the draft: a reload finds it.
    await page.reload();
    await gotoArea(page, 'pick');
    await page.waitForSelector('[data-var="DNNL_DEFAULT_FPMATH_MODE"]');
    assert.equal(await page.inputValue('[data-testid=engine-select]'), 'onednn');

    await page.selectOption('[data-testid=engine-select]', 'aio');
    await page.waitForSelector('[data-var="AIO_NUM_THREADS"]');
    await previewHas(page, "AIO_NUMA_CPUS='0 1 2 3'");
    assert.ok(!(await rowNames(page)).includes('DNNL_DEFAULT_FPMATH_MODE'));
    assert.doesNotMatch(await preview(page), /OMP_PLACES/);
  } finally {
    await context.close();
  }
});

test('under oneDNN the sweep form refuses the AIO built-in variants before any run, and takes its own', async () => {
  const { context, page } = await pickedPage();
  try {
    await page.selectOption('[data-testid=engine-select]', 'onednn');
    await previewHas(page, 'OMP_PLACES=');
    await gotoArea(page, 'tune');
    const fp16 = page.locator('[data-testid=sweep-variant-fp16]');
    if (!(await fp16.isChecked())) await fp16.check();
    // The form's stored variants may hold another AIO one (`off`): its refusal can show first; wait for fp16's.
    const refusal = page.locator('[data-testid=area-tune] .inline-error', { hasText: 'onednn engine' });
    await page
      .locator('[data-testid=area-tune] .inline-error', { hasText: /^variants .*fp16.* onednn engine/ })
      .waitFor();
    assert.match(
      (await refusal.textContent()) ?? '',
      /^variants (\S+, )*fp16(, \S+)* set AIO_\* variables, which the onednn engine \(stock PyTorch\) does not read/,
    );
    assert.ok(await page.isDisabled('[data-testid=sweep-start]'));

    // Its own variant instead: the refusal goes and the sweep can start.
    for (const v of ['fp16', 'int8', 'int8-fc', 'off']) {
      const box = page.locator(`[data-testid=sweep-variant-${v}]`);
      if (await box.isChecked()) await box.uncheck();
    }
    await page.getByLabel('Your own variants').fill('bf16: DNNL_DEFAULT_FPMATH_MODE=BF16');
    await refusal.waitFor({ state: 'detached' });
    await page.waitForFunction(() => {
      const b = document.querySelector<HTMLButtonElement>('[data-testid=sweep-start]');
      return b !== null && !b.disabled && /\(\d+ runs\)/.test(b.textContent ?? '');
    });
  } finally {
    await context.close();
  }
});
