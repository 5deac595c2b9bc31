// The launcher tabs of the command preview (issue 17) through the real server and headless Chromium: each form of
// the picked selection with what it cannot express, and a launcher line imported back into the picker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { gotoArea, pickCpus } from '../helpers/ui';
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

async function tab(page: Page, format: string): Promise<{ text: string; limits: string }> {
  await page.click(`[data-testid=tab-preview-${format}]`);
  const text = (await page.textContent(`[data-testid=preview-${format}]`)) ?? '';
  const limits = (await page.locator('[data-testid=preview-limits]').textContent()) ?? '';
  return { text, limits };
}

test('launcher tabs show each form of the selection and its limits; a systemd-run line imports back', async () => {
  // The axe context (its script allowed in); otherwise the page openApp would give.
  const context = await axeContext(browser);
  const page = await context.newPage();
  await page.goto(served.url);
  await page.waitForSelector('[data-testid=example-hint]');
  try {
    await gotoArea(page, 'pick');
    await pickCpus(page, '80-83');
    const taskset = await tab(page, 'taskset');
    assert.match(taskset.text, /taskset -c 80-83 /);
    assert.match(taskset.limits, /taskset sets CPU affinity only: the memory bound to node 1/);
    const docker = await tab(page, 'docker-cpuset');
    assert.match(docker.text, /^docker run --rm --cpuset-cpus 80-83 --cpuset-mems 1 /);
    assert.match(docker.limits, /numactl is not used inside/);
    const systemd = await tab(page, 'systemd-run');
    assert.match(systemd.text, /systemd-run --scope -p 'AllowedCPUs=80-83' -p 'AllowedMemoryNodes=1' /);
    const runCpu = await tab(page, 'run_cpu');
    assert.match(
      runCpu.text,
      /-m torch\.backends\.xeon\.run_cpu --ninstances 1 --ncores_per_instance 4 --core_list 80,81,82,83 --node_id 1 /,
    );
    // Opening the tab asks the workload's interpreter (the example's /usr/bin/python3, PyTorch 1.13) how its
    // run_cpu spells the flags; the tab then says the spelling is that interpreter's.
    assert.match(runCpu.text, /\/usr\/bin\/python3 -m torch/);
    await page.waitForFunction(
      () =>
        /this interpreter's torch \(its --help, underscore spelling\)/.test(
          document.querySelector('[data-testid=preview-limits]')?.textContent ?? '',
        ),
      null,
      { timeout: 90_000 },
    );
    const omp = await tab(page, 'omp');
    assert.match(omp.text, /OMP_PLACES='\{80\}:4' OMP_PROC_BIND=close GOMP_CPU_AFFINITY=80-83 /);
    assert.match(omp.limits, /OpenMP has no memory policy/);
    // The limits list under a launcher tab, in both themes: named, readable (axe, serious or worse).
    for (const theme of ['light', 'dark']) {
      await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
      const bad = atLeast((await runAxe(page, { include: '.command-preview' })).violations, 'serious');
      assert.equal(bad.length, 0, `${theme}: ${formatViolations(bad)}`);
    }
    // The numactl forms carry no limits list.
    await page.click('[data-testid=tab-preview-bash]');
    assert.equal(await page.locator('[data-testid=preview-limits]').count(), 0);

    await page.click('[data-testid=import-command-open]');
    await page.fill(
      '[data-testid=import-command-text]',
      "systemd-run --scope -p 'AllowedCPUs=84-87' -p AllowedMemoryNodes=1 --setenv=MY_FLAG=on -- python3 run.py -m resnet50",
    );
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('--physcpubind=84-87'),
    );
    const line = (await page.textContent('[data-testid=preview-bash]')) ?? '';
    assert.match(line, /MY_FLAG=on/);
    assert.match(line, /--membind=1 python3 run\.py -m resnet50/);
  } finally {
    await context.close();
  }
});
