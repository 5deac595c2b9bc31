// CPU load on the topology map, end to end with a real busy loop bound to CPU 1: load is its own channel (a
// meter, with a legend entry) beside the selection's fill, and it is painted only on a map of the machine whose
// load is sampled, never on an imported topology or a --sysroot dump.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { openApp, pickCpus, setWorkload, stopRun } from '../helpers/ui';
import { fixtureRoot, fixtureText } from '../helpers/fixtures';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';

let browser: Browser;
let host: Served;
let sysroot: Served;
let sshd: Sshd | null = null;
const noSshd = sshdUnavailable();

before(async () => {
  [browser, host, sysroot] = await Promise.all([
    launchBrowser(),
    startServe(),
    startServe(['--sysroot', fixtureRoot('arm64-offline-isolated')]),
  ]);
  if (!noSshd) sshd = await startSshd();
});
after(async () => {
  await browser?.close();
  await Promise.all([host?.stop(), sysroot?.stop()]);
  await sshd?.stop();
});

/** Start a loop bound to CPU 1 that runs until stopped, and wait until the live strip sees CPU 1 busy. */
async function busyOnCpu1(page: Page): Promise<void> {
  await pickCpus(page, '1');
  await setWorkload(page, '/usr/bin/python3 -c "while True: pass"');
  await page.click('[data-testid=run-start]');
  await liveBusy(page, 1);
}

/** Wait for a live sample (a fresh one each call) in which `cpu` is busy. */
async function liveBusy(page: Page, cpu: number): Promise<void> {
  await page.waitForFunction(
    (id) =>
      Number(
        document
          .querySelector(`[data-testid=load-strip][data-live=true] [data-cpu="${id}"]`)
          ?.getAttribute('data-busy') ?? 0,
      ) > 0.8,
    cpu,
    { timeout: 20_000 },
  );
}

/** Every load mark inside a map cell, whatever it is called. */
const loadMarksOnMap = (page: Page) =>
  page.locator('[data-testid=topology-map] [data-cpu] [data-testid^="cpu-load"]');

test("this host's map: load is a meter with a legend entry, separate from the selection's fill", async () => {
  const page = await openApp(browser, host.url);
  try {
    await busyOnCpu1(page);
    const meter = page.locator('[data-cpu="1"] [data-testid=cpu-load-meter]');
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-cpu="1"] [data-testid=cpu-load-meter]')?.getAttribute('data-busy') ??
            0,
        ) > 0.8,
      undefined,
      { timeout: 20_000 },
    );
    assert.equal(await meter.count(), 1);
    assert.match((await page.getAttribute('[data-cpu="1"]', 'title')) ?? '', /selected — \d+% busy/);
    // The selection keeps its own fill: the load does not tint the cell.
    // No helper functions inside evaluate: tsx would wrap them in a __name() the page does not have.
    const look = await page.evaluate(() => {
      const probe = document.createElement('div');
      probe.style.background = 'var(--sel)';
      document.body.append(probe);
      const sel = getComputedStyle(probe).backgroundColor;
      probe.remove();
      return {
        cell: getComputedStyle(document.querySelector('[data-cpu="1"]')!).backgroundColor,
        sel,
        fill: getComputedStyle(document.querySelector('[data-cpu="1"] .cpu-load-fill')!).backgroundColor,
      };
    });
    assert.equal(look.cell, look.sel, 'a busy selected CPU is filled as selected');
    assert.notEqual(look.fill, look.sel, 'the meter has a colour of its own');
    const legend = page.locator('[data-testid=map-legend-load]');
    assert.match((await legend.textContent()) ?? '', /CPU load now/);
    assert.equal(await legend.locator('.cpu-load-meter').count(), 2);
    await page.locator('[data-testid=topology-map]').screenshot({ path: join(tmpdir(), 'aio-map-load.png') });
    await page
      .locator('[data-testid=map-legend-load]')
      .screenshot({ path: join(tmpdir(), 'aio-map-load-legend.png') });

    // Another machine's topology imported while the loop still runs: samples keep coming, none is painted.
    await page.getByRole('button', { name: 'Import topology…' }).click();
    await page.fill(
      'textarea[aria-label="Topology text"]',
      fixtureText('lscpu/arm64-offline-isolated.lscpu-e.txt'),
    );
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await page.waitForSelector('[data-testid=topology-origin] >> text=pasted text');
    await liveBusy(page, 1);
    await liveBusy(page, 1);
    assert.equal(await loadMarksOnMap(page).count(), 0, 'no CPU of the imported map shows load');
    assert.doesNotMatch((await page.getAttribute('[data-cpu="1"]', 'title')) ?? '', /busy/);
    assert.equal(await page.locator('[data-testid=map-legend-load]').count(), 0);
    assert.match(
      (await page.textContent('[data-testid=map-load-hidden]')) ?? '',
      /not shown: this map describes another machine/,
    );

    // Back to this host: its load is shown again.
    await page.getByRole('button', { name: 'Back to this host' }).click();
    await page.waitForSelector('[data-cpu="1"] [data-testid=cpu-load-meter]');
    await stopRun(page);
    // After the run, the meter holds the run's average and the legend says so.
    assert.match(
      (await page.textContent('[data-testid=map-legend-load]')) ?? '',
      /average over the last run/,
    );
  } finally {
    await page.close();
  }
});

test('serve --sysroot: the map is a dump of another machine, so no load is painted on it', async () => {
  const page = await openApp(browser, sysroot.url);
  try {
    await busyOnCpu1(page);
    await liveBusy(page, 1);
    assert.equal(await loadMarksOnMap(page).count(), 0, 'no CPU of the sysroot map shows load');
    await page.waitForSelector('[data-testid=map-load-hidden]');
    await stopRun(page);
    assert.equal(await loadMarksOnMap(page).count(), 0, 'nor the run average afterwards');
  } finally {
    await page.close();
  }
});

test(
  "after switching targets, the last run's load stays off the new target's map, and returns with this machine",
  { skip: noSshd ?? false, timeout: 120_000 },
  async () => {
    const page = await openApp(browser, host.url);
    try {
      await busyOnCpu1(page);
      await stopRun(page);
      await page.waitForSelector('[data-cpu="1"] [data-testid=cpu-load-meter]');

      // The target is this machine over ssh, but nothing tells the app so: it is another machine to it.
      const url = sshd!.url;
      await page.click('[data-testid=target-picker] summary');
      await page.fill('[data-testid=target-url]', url);
      await page.click('[data-testid=target-add]');
      await page.click(`[data-testid=target-list] li[data-target="${url}"] button:has-text("Use")`);
      await page.waitForSelector('[data-testid=topology-origin] >> text=ssh://', { timeout: 60_000 });
      assert.equal(await loadMarksOnMap(page).count(), 0, "the local run's load is not on the target's map");
      assert.match(
        (await page.textContent('[data-testid=map-load-hidden]')) ?? '',
        /ran on another machine than this map's/,
      );

      await page.click('[data-testid=target-list] li[data-target="local"] button:has-text("Use")');
      await page.waitForSelector('[data-testid=topology-origin] >> text=this host', { timeout: 60_000 });
      await page.waitForSelector('[data-cpu="1"] [data-testid=cpu-load-meter]');
    } finally {
      await page.close();
    }
  },
);
