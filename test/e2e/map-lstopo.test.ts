// What lstopo and htop show, on the map (issue 16): cache boxes around the CPUs sharing each cache, a memory bar
// per NUMA node (total, free — live only on the machine runs go to — and the run's share), a 60 s load sparkline
// per CPU, a legend entry for each, a keyboard walk with a screen-reader description per CPU, and axe-core clean
// in light and dark. The real `aio-tuner serve` over real kernel dumps and this host, in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { gotoArea, openApp, pickCpus, setWorkload, stopRun } from '../helpers/ui';
import { screenshotPath } from '../helpers/screenshot';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let browser: Browser;
let smt: Served;
let split: Served;
let altra: Served;
let host: Served;

before(async () => {
  [browser, smt, split, altra, host] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', fixtureRoot('x86-1p-4c-smt')]),
    startServe(['--sysroot', fixtureRoot('x86-1p-4c-2node')]),
    startServe(['--sysroot', fixtureRoot('arm64-altra-2p-160c-2node')]),
    startServe(),
  ]);
});
after(async () => {
  await browser?.close();
  await Promise.all([smt?.stop(), split?.stop(), altra?.stop(), host?.stop()]);
});

async function open(s: Served, lastCpu: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(s.url);
  await gotoArea(page, 'pick');
  await page.waitForSelector(`[data-cpu="${lastCpu}"]`);
  return page;
}

interface Box {
  cache: string;
  cpus: string;
  label: string;
  title: string;
  cells: number[];
  inside: string | null;
  /** Every cell of the box lies within the box's rectangle. */
  spans: boolean;
}

const cacheBoxes = (page: Page): Promise<Box[]> =>
  page.$$eval('[data-testid=topology-map] [data-testid=cache-box]', (els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      const cells = [...el.querySelectorAll('[data-cpu]')];
      return {
        cache: el.getAttribute('data-cache') ?? '',
        cpus: el.getAttribute('data-cpus') ?? '',
        label: el.querySelector(':scope > .cache-label')?.textContent ?? '',
        title: el.getAttribute('title') ?? '',
        cells: cells.map((c) => Number(c.getAttribute('data-cpu'))),
        inside: el.closest('.node-box')
          ? `node ${el.closest('.node-box')!.getAttribute('data-node')}`
          : el.closest('.package-box')
            ? `package ${el.closest('.package-box')!.getAttribute('data-package')}`
            : null,
        spans: cells.every((c) => {
          const b = c.getBoundingClientRect();
          return b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom;
        }),
      };
    }),
  );

test('cache boxes: the L3 around the package, an L2 around each SMT core, sizes in the labels', async () => {
  const page = await open(smt, 7);
  try {
    const boxes = await cacheBoxes(page);
    const l3 = boxes.filter((b) => b.cache === 'L3');
    assert.equal(l3.length, 1, 'one L3: the kernel lists one instance shared by all 8 CPUs');
    assert.deepEqual(
      { cpus: l3[0]!.cpus, label: l3[0]!.label, inside: l3[0]!.inside, cells: l3[0]!.cells },
      { cpus: '0-7', label: 'L3 16 MiB', inside: 'package 0', cells: [0, 1, 2, 3, 4, 5, 6, 7] },
    );
    assert.equal(l3[0]!.title, 'L3 16 MiB, shared by CPUs 0-7');
    const l2 = boxes.filter((b) => b.cache === 'L2');
    assert.deepEqual(
      l2.map((b) => [b.cpus, b.label, b.cells.join(',')]),
      [
        ['0-1', 'L2 4 MiB', '0,1'],
        ['2-3', 'L2 4 MiB', '2,3'],
        ['4-5', 'L2 4 MiB', '4,5'],
        ['6-7', 'L2 4 MiB', '6,7'],
      ],
    );
    assert.ok(
      boxes.every((b) => b.spans),
      'each box is drawn around the cells it holds',
    );
    // The cell's own tooltip (the one shown on hover) names its core's cache too.
    assert.match((await page.getAttribute('[data-cpu="5"]', 'title')) ?? '', /L2 4 MiB, shared by CPUs 4-5/);
    assert.equal(await page.locator('[data-testid=map-legend-cache]').count(), 1);
    await page.locator('.map-panel').screenshot({ path: screenshotPath('map-lstopo.png') });
  } finally {
    await page.close();
  }
});

test('an L3 split at the node boundary is boxed inside each node; a one-CPU L2 keeps its size in the tooltip', async () => {
  const page = await open(split, 3);
  try {
    const boxes = await cacheBoxes(page);
    assert.deepEqual(
      boxes.filter((b) => b.cache === 'L3').map((b) => [b.cpus, b.label, b.inside, b.spans]),
      [
        ['0-1', 'L3 8 MiB', 'node 0', true],
        ['2-3', 'L3 8 MiB', 'node 1', true],
      ],
    );
    const l2 = boxes.filter((b) => b.cache === 'L2');
    assert.equal(l2.length, 4);
    assert.ok(
      l2.every((b) => b.label === '' && b.cells.length === 1),
      'no label squeezed into a one-CPU box',
    );
    assert.match((await page.getAttribute('[data-cpu="2"]', 'title')) ?? '', /L2 512 KiB, shared by CPU 2/);
  } finally {
    await page.close();
  }
});

test("a dump's nodes: total and the free memory read with it, marked not live; no cache box where the kernel gave no size", async () => {
  const page = await open(altra, 159);
  try {
    assert.equal(await page.locator('[data-testid=topology-map] [data-testid=cache-box]').count(), 0);
    assert.equal(await page.locator('[data-testid=map-legend-cache]').count(), 0);
    const bars = await page.$$eval('[data-testid=node-capacity]', (els) =>
      els.map((e) => ({
        node: e.getAttribute('data-node'),
        live: e.getAttribute('data-live'),
        text: e.textContent,
        label: e.getAttribute('aria-label'),
      })),
    );
    assert.equal(bars.length, 2);
    assert.deepEqual(
      bars.map((b) => [b.node, b.live]),
      [
        ['0', 'false'],
        ['1', 'false'],
      ],
    );
    // 1018814464 bytes total, 808280064 free in node 0's meminfo of the dump.
    assert.match(bars[0]!.text ?? '', /^972 MiB · 771 MiB free when read, not live$/);
    assert.match(bars[0]!.label ?? '', /^Node 0 memory: 972 MiB total, 771 MiB free when read, not live$/);
    assert.equal(await page.locator('[data-testid=map-legend-memory]').count(), 1);
  } finally {
    await page.close();
  }
});

test("this host: node memory live, a sparkline per CPU filling while a busy loop runs, the run's share on its node", async () => {
  const page = await openApp(browser, host.url);
  try {
    await gotoArea(page, 'pick');
    const bar = page.locator('[data-testid=node-capacity][data-node="0"]');
    assert.equal(await bar.getAttribute('data-live'), 'true');
    const total = Number(await bar.getAttribute('data-total'));
    const free = Number(await bar.getAttribute('data-free'));
    assert.ok(total > 0 && free > 0 && free < total, `node 0: ${free} free of ${total}`);
    assert.match((await bar.textContent()) ?? '', /^[\d.]+ [GM]iB · [\d.]+ [GM]iB free$/);

    await pickCpus(page, '1');
    await setWorkload(page, `/usr/bin/python3 -c "b = b'x' * (64 << 20); exec('while True: pass')"`);
    await gotoArea(page, 'run');
    await page.click('[data-testid=run-start]');
    await gotoArea(page, 'pick');
    // Samples come every ~0.4 s (the map's own watch has drawn lines since the page opened): wait for the run's
    // live load on CPU 1, then for a line of at least 5 points on it, busy at its right end.
    await page.waitForFunction(
      () => /, load \d+ %$/.test(document.querySelector('[data-cpu="1"]')?.getAttribute('aria-label') ?? ''),
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForFunction(
      () => {
        const line = document.querySelector('[data-cpu="1"] [data-testid=cpu-sparkline]');
        const ys = [
          ...(line?.querySelector('path')?.getAttribute('d') ?? '').matchAll(/[ML][\d.]+ ([\d.]+)/g),
        ];
        return Number(line?.getAttribute('data-points') ?? 0) >= 5 && Number(ys.at(-1)?.[1] ?? 99) < 3;
      },
      undefined,
      { timeout: 30_000 },
    );
    const d = (await page.getAttribute('[data-cpu="1"] [data-testid=cpu-sparkline] path', 'd')) ?? '';
    const ys = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => Number(m[2]));
    assert.ok(ys.length >= 5, d);
    assert.ok(ys[ys.length - 1]! < 3, `CPU 1 busy at the newest point (y near the top): ${d}`);
    assert.equal(
      await page.locator('[data-testid=cpu-sparkline]').count(),
      await page.locator('[data-testid=topology-map] [data-cpu]').count(),
      'every CPU of the map has its line',
    );
    assert.match(
      (await page.textContent('[data-testid=map-legend-sparkline]')) ?? '',
      /load over the last 60 s/,
    );
    assert.match((await page.getAttribute('[data-cpu="1"]', 'aria-label')) ?? '', /, selected, load \d+ %$/);
    // The run's resident 64 MiB, from the placement proof, inside the node's bar.
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-testid=node-capacity][data-node="0"]')?.getAttribute('data-run') ?? 0,
        ) >
        64 << 20,
      undefined,
      { timeout: 30_000 },
    );
    assert.match((await bar.textContent()) ?? '', / · run [\d.]+ MiB$/);
    await page
      .locator('[data-testid=topology-map]')
      .screenshot({ path: join(tmpdir(), 'aio-map-sparklines.png') });
    await gotoArea(page, 'run');
    await stopRun(page);
  } finally {
    await page.close();
  }
});

test('this host, no run: the Pick area alone keeps sparklines and free memory live; hidden, sampling stops', async () => {
  const page = await openApp(browser, host.url);
  try {
    await gotoArea(page, 'pick');
    const points = () =>
      page.evaluate(() =>
        Number(
          document.querySelector('[data-cpu="0"] [data-testid=cpu-sparkline]')?.getAttribute('data-points') ??
            0,
        ),
      );
    // Samples come every ~0.4 s while the map is on screen: a few seconds give every CPU a line.
    await page.waitForFunction(
      () =>
        Number(
          document.querySelector('[data-cpu="0"] [data-testid=cpu-sparkline]')?.getAttribute('data-points') ??
            0,
        ) >= 3,
      undefined,
      { timeout: 10_000 },
    );
    assert.equal(
      await page.locator('[data-testid=cpu-sparkline]').count(),
      await page.locator('[data-testid=topology-map] [data-cpu]').count(),
      'every CPU of the map has its line',
    );
    const bar = page.locator('[data-testid=node-capacity][data-node="0"]');
    assert.equal(await bar.getAttribute('data-sampled'), 'true', 'the free memory comes from the samples');
    assert.ok(Number(await bar.getAttribute('data-free')) > 0);
    assert.match((await bar.textContent()) ?? '', /^[\d.]+ [GM]iB · [\d.]+ [GM]iB free$/);
    assert.match(
      (await page.textContent('[data-testid=map-legend-sparkline]')) ?? '',
      /load over the last 60 s/,
    );

    // An area without the map: nobody watches, the engine stops sampling, the lines stop growing.
    await gotoArea(page, 'history');
    await page.waitForTimeout(1000);
    const stopped = await points();
    await page.waitForTimeout(1500);
    assert.equal(await points(), stopped, 'no sample while the map is not on screen');
    // Back on the map: live again.
    await gotoArea(page, 'pick');
    await page.waitForFunction(
      (n) =>
        Number(
          document.querySelector('[data-cpu="0"] [data-testid=cpu-sparkline]')?.getAttribute('data-points') ??
            0,
        ) > n,
      stopped,
      { timeout: 10_000 },
    );
  } finally {
    await page.close();
  }
});

test('this host: a run that ends (the run panel lets go of its watch) leaves the map live', async () => {
  const page = await openApp(browser, host.url);
  try {
    await setWorkload(page, '/usr/bin/python3 -c "import time; time.sleep(0.5)"');
    await gotoArea(page, 'run');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
    await gotoArea(page, 'pick');
    const now = await page.evaluate(() =>
      Number(
        document.querySelector('[data-cpu="0"] [data-testid=cpu-sparkline]')?.getAttribute('data-points') ??
          0,
      ),
    );
    await page.waitForFunction(
      (n) =>
        Number(
          document.querySelector('[data-cpu="0"] [data-testid=cpu-sparkline]')?.getAttribute('data-points') ??
            0,
        ) >=
        n + 3,
      now,
      { timeout: 10_000 },
    );
  } finally {
    await page.close();
  }
});

test('keyboard: Tab into the map, arrows walk, Space toggles, Shift+arrows extend; each CPU described', async () => {
  const page = await open(smt, 7);
  try {
    await page.focus('[data-group="package-0"]');
    let focused: string | null = null;
    for (let i = 0; i < 6 && focused === null; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.getAttribute('data-cpu') ?? null);
    }
    assert.equal(focused, '0', 'Tab reaches the map on its first CPU');
    const label = (id: number) => page.getAttribute(`[data-cpu="${id}"]`, 'aria-label');
    assert.equal(await label(0), 'CPU 0, node 0, package 0, core 0, thread 1 of 2, usable');
    assert.equal(
      await page.evaluate(() =>
        document.activeElement?.closest('[role=listbox]')?.getAttribute('aria-multiselectable'),
      ),
      'true',
    );
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-cpu="0"][aria-selected="true"]');
    assert.equal(await label(0), 'CPU 0, node 0, package 0, core 0, thread 1 of 2, selected');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-cpu')), '2');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.waitForSelector('[data-cpu="4"][aria-selected="true"]');
    const selected = await page.$$eval('[data-cpu][aria-selected="true"]', (els) =>
      els.map((e) => Number(e.getAttribute('data-cpu'))),
    );
    // The cores of CPUs 2-4 on top of the first pick; a core is taken by its first thread.
    assert.ok(
      [0, 2, 4].every((c) => selected.includes(c)),
      `selected ${selected}`,
    );
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('[data-cpu="4"]', 'aria-selected'), 'false', 'Enter toggles it off');
  } finally {
    await page.close();
  }
});

async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(el: Element): Promise<{
            violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
            passes: { id: string }[];
          }>;
        };
      }
    ).axe;
    const out: string[] = [];
    const checked: [string, string[]][] = [
      ['[data-testid=topology-map]', ['color-contrast', 'aria-allowed-role']],
      ['[data-testid=map-legend]', ['color-contrast']],
    ];
    for (const [sel, rules] of checked) {
      const r = await axe.run(document.querySelector(sel)!);
      // Checked, not skipped: the contrast and ARIA rules ran on the element.
      for (const rule of rules)
        if (!r.passes.some((p) => p.id === rule) && !r.violations.some((v) => v.id === rule))
          out.push(`${sel}: rule ${rule} did not run`);
      for (const v of r.violations)
        if (v.impact === 'serious' || v.impact === 'critical')
          out.push(
            `${sel}: ${v.id} (${v.impact}) at ${v.nodes
              .slice(0, 3)
              .map((n) => n.target.join(' '))
              .join(', ')}`,
          );
    }
    return out;
  });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`axe-core: the map and its legend have no serious or critical violation (${scheme})`, async () => {
    // axe is injected as a script tag: the app's Content-Security-Policy would refuse it.
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, bypassCSP: true });
    try {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(smt.url);
      await gotoArea(page, 'pick');
      await page.waitForSelector('[data-cpu="7"]');
      await page.evaluate((s) => (document.documentElement.dataset.theme = s), scheme);
      await page.click('[data-cpu="2"]');
      assert.deepEqual(await axeViolations(page), []);
      if (scheme === 'dark')
        await page.locator('.map-panel').screenshot({ path: screenshotPath('map-lstopo-dark.png') });
    } finally {
      await page.close();
    }
  });
}
