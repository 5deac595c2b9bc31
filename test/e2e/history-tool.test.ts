// History as a tool, end to end through the real server and headless Chromium, on real runs the CLI made into
// the served data directory (numactl binds them): a real sweep of two runs, three runs that print per-step
// latencies (so each has a 95 % interval) and one that fails. Columns sort by click and by keyboard and the
// order is remembered; the sweep gathers its runs under it; "Load" puts a run's settings into the form without
// running it, fitted to the machine on the map; three ticked runs compare side by side with their intervals; axe
// finds no serious or critical violation in the panel in either theme.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CLI, freshHome, launchBrowser, startServe, type Served } from '../helpers/serve';
import { gotoArea, openApp, pickCpus, setWorkload } from '../helpers/ui';
import { need } from '../helpers/require';
import { screenshotPath } from '../helpers/screenshot';
import { fixtureRoot } from '../helpers/fixtures';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'aio-history-tool-'));
const FAKE = join(dir, 'bench.sh');
const SHOT = screenshotPath('history-tool.png');

let browser: Browser;
let served: Served;
/** Run ids by name, oldest first. */
const ids: Record<string, string> = {};
let sweepId = '';
let sweepRuns: string[] = [];

function cli(home: string, args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, AIO_TUNER_HOME: home },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `aio-tuner ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A real run printing ten per-step latencies around `ms` (so it has an interval), with a marker to find it. */
function stepRun(home: string, name: string, ms: number, flags: string[]): void {
  const steps = Array.from({ length: 10 }, (_, i) => (ms + (i % 5) * 0.4).toFixed(1));
  const script = `# ${name}\nfor v in ${steps.join(' ')}; do echo "step latency: $v ms"; sleep 0.01; done`;
  const out = JSON.parse(
    cli(home, ['run', '--json', '--quiet', ...flags, '--', '/bin/sh', '-c', script]),
  ) as {
    runId: string;
  };
  ids[name] = out.runId;
}

before(async () => {
  if (!hasNumactl) return;
  writeFileSync(
    FAKE,
    '#!/bin/sh\necho "  LATENCY"\necho "      mean   $((10 + AIO_NUM_THREADS)).5 [ms]"\n' +
      'echo "  THROUGHPUT"\necho "      observed   $((100 * AIO_NUM_THREADS)).0 [samples/s]"\n',
  );
  chmodSync(FAKE, 0o755);
  const home = freshHome();
  const sweep = JSON.parse(
    cli(home, ['sweep', '--threads', '1,2', '--variants', 'fp32', '--json', '--', FAKE]),
  ) as { sweepId: string; rows: { runId: string }[] };
  sweepId = sweep.sweepId;
  sweepRuns = sweep.rows.map((r) => r.runId);
  stepRun(home, 'cmp-a', 20, ['--cores', '0', '--threads', '1']);
  stepRun(home, 'cmp-b', 40, ['--cores', '1', '--threads', '1']);
  stepRun(home, 'cmp-c', 20.2, ['--cores', '0', '--threads', '1', '--set', 'AIO_MERGE_LINEAR=0']);
  const failed = spawnSync(process.execPath, [CLI, 'run', '--quiet', '--', '/bin/sh', '-c', 'exit 3'], {
    env: { ...process.env, AIO_TUNER_HOME: home },
  });
  assert.equal(failed.status, 3);
  [browser, served] = await Promise.all([launchBrowser(), startServe([], { home })]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The app on the History area with every entry listed (one sweep, four loose runs at the top level). */
async function historyPage(): Promise<Page> {
  const page = await openApp(browser, served.url);
  await gotoArea(page, 'history');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-entry]').length >= 5);
  return page;
}

const topIds = (page: Page) =>
  page.$$eval('[data-testid=history-entry][data-level="1"]', (rs) =>
    rs.map((r) => r.getAttribute('data-id')),
  );
/** axe-core's serious and critical violations inside the History panel, in the theme the page shows. */
async function axeProblems(page: Page, theme: 'light' | 'dark'): Promise<string[]> {
  await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
  if (!(await page.evaluate(() => 'axe' in window)))
    // Evaluated through the devtools protocol: the page's CSP (script-src 'self') refuses an inline script tag.
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const found = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run(el: Element): Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
    };
    const r = await w.axe.run(document.querySelector('[data-testid=history-panel]')!);
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length }));
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${theme}: ${v.id} (${v.impact}, ${v.n})`);
}

const row = (page: Page, id: string) => page.locator(`[data-testid=history-entry][data-id="${id}"]`);

test('columns sort by click and by keyboard, aria-sort says how, and the order survives a reload', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await historyPage();
  try {
    // Default: newest first, the time column marked.
    const timeTh = page.locator('th:has([data-testid=history-sort-time])');
    assert.equal(await timeTh.getAttribute('aria-sort'), 'descending');
    const newestFirst = await topIds(page);

    // Latency: lowest first on the first click; entries without a latency (the failed run) last.
    await page.click('[data-testid=history-sort-latency]');
    const latTh = page.locator('th:has([data-testid=history-sort-latency])');
    assert.equal(await latTh.getAttribute('aria-sort'), 'ascending');
    assert.equal(await timeTh.getAttribute('aria-sort'), null, 'only the sorted column has aria-sort');
    // sweep best 11.5 ms, cmp-a ≈ 20.8, cmp-c ≈ 21.0, cmp-b ≈ 40.8, then the failed run.
    const byLatency = await topIds(page);
    assert.deepEqual(byLatency.slice(0, 4), [sweepId, ids['cmp-a'], ids['cmp-c'], ids['cmp-b']]);
    assert.equal(await row(page, byLatency[4]!).getAttribute('class'), 'failed');

    // Again: highest first, the failed run still last (no blank figures on top).
    await page.click('[data-testid=history-sort-latency]');
    assert.equal(await latTh.getAttribute('aria-sort'), 'descending');
    assert.deepEqual((await topIds(page)).slice(0, 4), [ids['cmp-b'], ids['cmp-c'], ids['cmp-a'], sweepId]);
    assert.equal((await topIds(page))[4], byLatency[4]);

    // Kind, by keyboard: Tab to the header button, Enter. Runs keep their newest-first order among themselves.
    await page.focus('[data-testid=history-sort-kind]');
    await page.keyboard.press('Enter');
    assert.equal(
      await page.locator('th:has([data-testid=history-sort-kind])').getAttribute('aria-sort'),
      'ascending',
    );
    const byKind = await topIds(page);
    assert.equal(byKind.at(-1), sweepId, 'run before sweep (A to Z)');
    assert.deepEqual(
      byKind.slice(0, -1),
      newestFirst.filter((id) => id !== sweepId),
      'a stable sort: equal kinds stay newest first',
    );

    // Remembered: after a reload the table is still sorted by kind.
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-entry]').length >= 5);
    await gotoArea(page, 'history');
    assert.equal(
      await page.locator('th:has([data-testid=history-sort-kind])').getAttribute('aria-sort'),
      'ascending',
    );
    assert.deepEqual(await topIds(page), byKind);
    // Another column starts in its own first direction: time, newest first.
    await page.click('[data-testid=history-sort-time]');
    assert.equal(await timeTh.getAttribute('aria-sort'), 'descending');
    assert.deepEqual(await topIds(page), newestFirst);
  } finally {
    await page.close();
  }
});

test('a sweep gathers its runs: one row, expanded on demand, its runs nested under it and not repeated', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await historyPage();
  try {
    assert.equal(sweepRuns.length, 2);
    const sweep = row(page, sweepId);
    const toggle = sweep.locator('[data-testid=history-expand]');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.match((await sweep.textContent()) ?? '', /sweep \(2 runs\)/);
    // Collapsed: the sweep's runs are nowhere in the table; the four loose runs and the sweep are.
    for (const id of sweepRuns) assert.equal(await row(page, id).count(), 0, id);
    assert.equal((await topIds(page)).length, 5);

    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.match((await toggle.getAttribute('aria-label')) ?? '', /Hide the 2 runs of sweep/);
    // Right under the sweep, at level 2, each once.
    const order = await page.$$eval('[data-testid=history-entry]', (rs) =>
      rs.map((r) => `${r.getAttribute('data-level')}:${r.getAttribute('data-id')}`),
    );
    const at = order.indexOf(`1:${sweepId}`);
    assert.deepEqual(order.slice(at + 1, at + 3).sort(), sweepRuns.map((id) => `2:${id}`).sort());
    assert.equal(order.length, 7);
    assert.equal(await row(page, sweepRuns[0]!).getAttribute('data-sweep'), sweepId);

    // Filtered to runs only, the sweep is not listed: its runs stand on their own, marked as a sweep's.
    await page.selectOption('select[aria-label=Kind]', 'run');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=history-entry][data-level="1"]').length === 6,
    );
    assert.match((await row(page, sweepRuns[0]!).textContent()) ?? '', /run \(sweep\)/);

    await page.selectOption('select[aria-label=Kind]', '');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=history-entry][data-level="1"]').length === 5,
    );
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    for (const id of sweepRuns) assert.equal(await row(page, id).count(), 0, id);
  } finally {
    await page.close();
  }
});

test('Load puts a run’s settings into the form without running it, says so, and goes to Pick', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await historyPage();
  try {
    await gotoArea(page, 'pick');
    await pickCpus(page, '0');
    await setWorkload(page, '/bin/echo something-else');
    await gotoArea(page, 'history');
    const before = await page.locator('[data-testid=history-entry]').count();

    await row(page, ids['cmp-b']!).locator('[data-testid=history-load]').click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('cmp-b'),
    );
    assert.match((await page.textContent('[data-testid=preview-bash]')) ?? '', /--physcpubind=1 /);
    assert.match((await page.inputValue('[data-testid=workload]')) ?? '', /cmp-b/);
    assert.deepEqual(
      await page.$$eval('[data-cpu][aria-selected="true"]', (els) =>
        els.map((e) => e.getAttribute('data-cpu')),
      ),
      ['1'],
    );
    // The line where the user lands says what happened.
    const status = (await page.textContent('[data-testid=pick-status]')) ?? '';
    assert.match(
      status,
      new RegExp(`Loaded the settings of run ${ids['cmp-b']} into the form \\(not run\\): CPUs 1,`),
    );
    // Pick is on screen once the workspace has areas (everything is on one page before that).
    if ((await page.locator('[data-testid=area-pick]').count()) > 0)
      assert.ok(await page.locator('[data-testid=area-pick]').isVisible(), 'Load goes to Pick');

    // Nothing ran: no new entry.
    await page.waitForTimeout(1000);
    await gotoArea(page, 'history');
    assert.equal(await page.locator('[data-testid=history-entry]').count(), before);
    assert.match((await page.textContent('[data-testid=history-message]')) ?? '', /\(not run\)/);
  } finally {
    await page.close();
  }
});

test('three ticked runs compare side by side: differences marked, results with their 95 % interval', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await historyPage();
  try {
    const compare = page.locator('[data-testid=history-compare]');
    assert.equal(await compare.isDisabled(), true);
    // Ticked in any order; the sweep, ticked too, is not a run and is left out of the comparison.
    for (const name of ['cmp-c', 'cmp-a', 'cmp-b'])
      await row(page, ids[name]!).locator('[data-testid=history-pick]').check();
    await row(page, sweepId).locator('[data-testid=history-pick]').check();
    assert.equal((await compare.textContent())?.trim(), 'Compare 3');
    assert.match((await compare.getAttribute('title')) ?? '', /ticked sweeps are left out/);
    await compare.click();

    const view = page.locator('[data-testid=compare-view]');
    await view.waitFor();
    assert.equal(await view.getAttribute('data-runs'), '3');
    // One column per run, oldest first: the first is the baseline.
    assert.deepEqual(
      await view
        .locator('[data-testid=compare-run]')
        .evaluateAll((th) => th.map((h) => h.getAttribute('data-id'))),
      [ids['cmp-a'], ids['cmp-b'], ids['cmp-c']],
    );
    // Settings that differ come first and are marked; each value unlike the baseline's is marked in its cell.
    const diffs = await view.locator('[data-testid=compare-diff] th').allTextContents();
    assert.ok(diffs.includes('CPUs'), diffs.join());
    assert.ok(diffs.includes('$AIO_MERGE_LINEAR'), diffs.join());
    const cpus = view.locator('[data-testid=compare-diff]', {
      has: page.locator('th', { hasText: /^CPUs$/ }),
    });
    assert.deepEqual(await cpus.locator('td').allTextContents(), ['0', '1', '0']);
    assert.deepEqual(
      await cpus.locator('td').evaluateAll((tds) => tds.map((d) => d.getAttribute('data-changed'))),
      [null, 'true', null],
    );
    assert.equal(
      await view.locator('tr.same', { has: page.locator('th', { hasText: /^threads$/ }) }).count(),
      1,
    );

    // Results: each run's mean latency with its interval, and the change against the baseline.
    const lat = view.locator('[data-testid=compare-metric][data-metric="latency mean"] td');
    const cells = await lat.allTextContents();
    assert.equal(cells.length, 3);
    for (const c of cells) assert.match(c, /ms ± [\d.]+ \(95 % CI\)/);
    // cmp-b is twice as slow, clearly: worse; cmp-c is within the noise: intervals overlap, no verdict.
    assert.equal(await lat.nth(1).locator('.worse').count(), 1);
    assert.match((await lat.nth(2).textContent()) ?? '', /intervals overlap/);
    assert.equal(await lat.nth(2).locator('.better, .worse').count(), 0);
    await view.screenshot({ path: SHOT });

    // The panel as it is now (sort buttons, a ticked sweep expanded, the comparison open) passes axe in both
    // themes: no serious or critical violation.
    await row(page, sweepId).locator('[data-testid=history-expand]').click();
    assert.deepEqual([...(await axeProblems(page, 'light')), ...(await axeProblems(page, 'dark'))], []);
    await page.evaluate(() => delete document.documentElement.dataset.theme);

    // Another baseline: the others are measured against it.
    await view.locator(`[data-testid=compare-baseline][aria-label="make baseline ${ids['cmp-b']}"]`).click();
    await page.waitForFunction(
      (id) => document.querySelector('[data-testid=compare-run]')?.getAttribute('data-id') === id,
      ids['cmp-b']!,
    );
    assert.equal(await lat.nth(1).locator('.better').count(), 1, 'cmp-a is faster than the new baseline');
  } finally {
    await page.close();
  }
});

test('Load fits the settings to the machine on the map: CPUs and nodes it cannot use are left out and named', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  // A real run, its record then edited as if it had run on CPUs 0,1,3,12 with memory on nodes 0 and 2; the map
  // is a dump where CPU 3 is offline, CPU 12 outside the allowed set, and there is no node 2.
  const home = freshHome();
  cli(home, ['run', '--quiet', '--cores', '0-1', '--mem-nodes', '0', '--', '/bin/echo', 'fit-marker']);
  const [id] = readdirSync(join(home, 'runs'));
  const file = join(home, 'runs', id!, 'run.json');
  const rec = JSON.parse(readFileSync(file, 'utf8')) as { settings: { cpus: number[]; memNodes: number[] } };
  rec.settings.cpus = [0, 1, 3, 12];
  rec.settings.memNodes = [0, 2];
  writeFileSync(file, JSON.stringify(rec, null, 2));
  const other = await startServe(['--sysroot', fixtureRoot('arm64-offline-isolated')], { home });
  const page = await openApp(browser, other.url);
  try {
    await gotoArea(page, 'history');
    await row(page, id!).locator('[data-testid=history-load]').click();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('fit-marker'),
    );
    assert.deepEqual(
      await page.$$eval('[data-cpu][aria-selected="true"]', (els) =>
        els.map((e) => e.getAttribute('data-cpu')),
      ),
      ['0', '1'],
    );
    assert.match(
      (await page.textContent('[data-testid=pick-status]')) ?? '',
      /CPUs 3,12 are not usable on the machine shown and were left out\. Memory nodes 2 are not on it and were left out\./,
    );
  } finally {
    await page.close();
    await other.stop();
  }
});
