// A sweep's statistics as the user sees them, end to end: the real server, headless Chromium, real numactl.
// A real sweep is made by the CLI into the served data directory; its record then gains what the engine writes
// since issue 12 (configs with 95 % intervals, recommendations tied with others, findings) so the page shows
// error bars, one "tied" card for three identical answers, findings with evidence and a copyable fix, and row
// markers. History offers Resume on sweeps with missing runs. Two tests drive the engine's own side and pass
// once it is in (sweep.resume, configs and engine-absent from a real bench.py sweep).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ConfigStats, Recommendation, SweepRecord } from '../../app/shared/sweep';
import { CLI, freshHome, launchBrowser, startServe, type Served } from '../helpers/serve';
import { gotoArea, setWorkload } from '../helpers/ui';
import { need } from '../helpers/require';
import { screenshotPath } from '../helpers/screenshot';

const PY = '/usr/bin/python3';
const BENCH = resolve(__dirname, '../../examples/bench.py');
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasTorch = spawnSync(PY, ['-c', 'import torch']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'aio-sweep-stats-ui-'));
const FAKE = join(dir, 'bench.sh');
const home = freshHome();

let browser: Browser;
let served: Served;
let context: BrowserContext;
/** The finished sweep with statistics, one cancelled half-way, one whose process went away while it ran. */
let doneId = '';
let cancelledId = '';
let interruptedId = '';

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 60_000,
  });
}

const fileOf = (id: string) => join(home, 'sweeps', `${id}.json`);
const readRecord = (id: string) => JSON.parse(readFileSync(fileOf(id), 'utf8')) as SweepRecord;
const writeRecord = (r: SweepRecord) =>
  writeFileSync(fileOf(r.sweepId), JSON.stringify({ schemaVersion: 1, ...r }, null, 2));

/** What the engine keeps for a configuration: the rows' numbers with intervals as a real sweep gives them. */
function stats(r: SweepRecord, i: number, ci: [number, number] | null, extra: Partial<ConfigStats> = {}) {
  const row = r.rows[i]!;
  const half = ci ? (ci[1] - ci[0]) / 2 : 0;
  const t = row.throughput!;
  return {
    threads: row.threads,
    instances: row.instances,
    cores: row.cores,
    placement: row.placement,
    variant: row.variant,
    batch: row.batch,
    runs: 1,
    runIds: [row.runId],
    basis: 'samples' as const,
    latencyStats: {
      meanMs: row.latencyMs,
      medianMs: row.latencyMs! - 0.1,
      p90Ms: row.latencyMs! + 0.6,
      ci95Ms: ci,
      cv: ci ? 0.021 : null,
    },
    throughputStats: {
      value: t,
      unit: 'samples/s',
      ci95: ci
        ? ([t - (t * half) / row.latencyMs!, t + (t * half) / row.latencyMs!] as [number, number])
        : null,
      cv: ci ? 0.021 : null,
    },
    ...extra,
  };
}

function tiedBest(r: SweepRecord, config: number, tiedWith: number[]): Recommendation {
  const c = r.configs![config]!;
  const row = r.rows.find((x) => x.runId === c.runIds[0])!;
  return {
    threads: c.threads,
    instances: c.instances,
    cores: c.cores,
    placement: c.placement,
    variant: c.variant,
    batch: c.batch,
    latencyMs: c.latencyStats.meanMs,
    throughput: c.throughputStats.value,
    perCore: c.throughputStats.value! / c.cores,
    repeats: c.runs,
    command: row.commands.join('\n'),
    commands: row.commands,
    runIds: c.runIds,
    config,
    significant: false,
    tiedWith,
  };
}

const ENGINE_FIX = 'docker run --rm -it amperecomputingai/pytorch:latest';

before(async () => {
  // Two threads halve the latency and more than double the throughput: 2 threads wins all three answers.
  writeFileSync(
    FAKE,
    '#!/bin/sh\necho "  LATENCY"\necho "      mean   $((37 - 12 * AIO_NUM_THREADS)).5 [ms]"\n' +
      'echo "  THROUGHPUT"\necho "      observed   $((50 * AIO_NUM_THREADS - 10)).0 [samples/s]"\n',
  );
  chmodSync(FAKE, 0o755);
  if (!hasNumactl) return;
  const made = cli(['sweep', '--threads', '1,2', '--variants', 'fp32,off', '--json', '--', FAKE]);
  assert.equal(made.status, 0, made.stderr);
  const r = readRecord((JSON.parse(made.stdout) as SweepRecord).sweepId);
  doneId = r.sweepId;
  assert.deepEqual(
    r.rows.map((x) => [x.threads, x.variant, x.latencyMs]),
    [
      [1, 'fp32', 25.5],
      [1, 'off', 25.5],
      [2, 'fp32', 13.5],
      [2, 'off', 13.5],
    ],
  );
  // fp32 and off ran the same program (no engine here): the engine ties them, and says why.
  r.configs = [
    stats(r, 0, [23.9, 27.1]),
    stats(r, 1, [24.3, 26.7]),
    stats(r, 2, [12.1, 14.9]),
    stats(r, 3, null, {
      findings: [{ code: 'too-few-samples', severity: 'warning', message: '1 measured pass, fewer than 30' }],
    }),
  ];
  r.best = {
    latency: tiedBest(r, 2, [3]),
    throughput: tiedBest(r, 2, [3]),
    perCore: tiedBest(r, 2, [3]),
    withinBudget: null,
    budgetMs: null,
  };
  // The runs' own findings (too few passes, no engine) are dropped: one row's marker is what is looked at.
  for (const row of r.rows) delete row.findings;
  r.rows[3]!.findings = [
    { code: 'too-few-samples', severity: 'warning', message: '1 measured pass, fewer than 30' },
  ];
  r.findings = [
    {
      code: 'engine-absent',
      severity: 'warning',
      message:
        "The workload's Python has no Ampere engine: variants fp32 and off ran the same program, so they are tied.",
      evidence: [
        { source: `${PY} -c "'_aio_profiler_print' in dir(torch._C)"`, value: 'False' },
        { source: 'torch.__version__', value: '1.13.1' },
      ],
      fix: { label: 'Run in an Ampere Optimized PyTorch image', command: ENGINE_FIX },
    },
  ];
  r.engine = { present: false, version: null, python: '3.11.2', torch: '1.13.1' };
  r.spec.practicalPct = 2;
  writeRecord(r);

  // Cancelled after two of its four runs: no statistics yet (as records from before issue 12).
  const c = JSON.parse(JSON.stringify(r)) as SweepRecord;
  cancelledId = c.sweepId = `${r.sweepId.slice(0, -6)}c4nc3l`;
  c.createdAt = new Date(Date.parse(r.createdAt) + 1000).toISOString();
  c.state = 'cancelled';
  c.rows = c.rows.slice(0, 2);
  delete c.configs;
  delete c.findings;
  c.best = { latency: null, throughput: null, perCore: null, withinBudget: null, budgetMs: null };
  writeRecord(c);
  // "running" on disk with no process behind it: History shows it as interrupted.
  const i = { ...c, sweepId: `${r.sweepId.slice(0, -6)}1ntrpt`, state: 'running' as const };
  i.createdAt = new Date(Date.parse(r.createdAt) + 2000).toISOString();
  i.rows = c.rows.slice(0, 1);
  interruptedId = i.sweepId;
  writeRecord(i);

  [browser, served] = await Promise.all([launchBrowser(), startServe([], { home })]);
  context = await browser.newContext({
    viewport: { width: 1500, height: 1100 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
});
after(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

async function appPage(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(served.url);
  // The pages share a context, so one opens on the area the last one left (kept in its storage).
  await page.waitForSelector('[data-testid=example-hint]', { state: 'attached', timeout: 20_000 });
  await page.waitForFunction(
    // The seeded three, and any sweep an earlier test ran.
    () => document.querySelectorAll('[data-testid=history-entry][data-kind=sweep]').length >= 3,
  );
  await gotoArea(page, 'history');
  return page;
}

const entry = (page: Page, id: string) => page.locator(`[data-testid=history-entry][data-id="${id}"]`);

test('a sweep with statistics: error bars, one tied card for three answers, findings, row markers', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await appPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await entry(page, doneId).locator('[data-testid=history-open]').click();
    const detail = page.locator('[data-testid=history-detail]');
    const chart = detail.locator('[data-testid=sweep-chart][data-mode=configs]');
    await chart.waitFor();

    // One point per configuration and panel; a bar for each of the three with an interval, in both panels.
    assert.equal(await chart.locator('[data-testid=sweep-point]').count(), 8);
    assert.equal(await chart.locator('[data-testid=sweep-errorbar]').count(), 6);
    assert.deepEqual(
      await chart
        .locator('svg[data-metric=latencyMs] [data-testid=sweep-errorbar]')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-lo'), e.getAttribute('data-hi')])),
      [
        ['23.9', '27.1'],
        ['12.1', '14.9'],
        ['24.3', '26.7'],
      ],
    );
    // The bar spans its interval on screen, around the mean.
    const bar = await chart
      .locator('svg[data-metric=latencyMs] [data-testid=sweep-errorbar][data-cores="2"]')
      .boundingBox();
    const point = await chart
      .locator('svg[data-metric=latencyMs] [data-testid=sweep-point][data-cores="2"][data-variant=fp32]')
      .boundingBox();
    assert.ok(bar && point && bar.height > 2, `a visible bar: ${JSON.stringify(bar)}`);
    const mid = bar.y + bar.height / 2;
    assert.ok(Math.abs(mid - (point.y + point.height / 2)) < 1.5, 'centred on its mean');
    assert.equal(
      await chart.locator('[data-testid=sweep-point][data-ci=no]').count(),
      2,
      'off at 2 threads: one value',
    );
    assert.match(
      (await chart.locator('[data-testid=sweep-noci-legend]').textContent()) ?? '',
      /no interval: one value/,
    );
    assert.match(
      (await chart.locator('[data-testid=sweep-ci-legend]').textContent()) ?? '',
      /95 % confidence interval/,
    );
    const tip = await chart
      .locator(
        'svg[data-metric=latencyMs] [data-testid=sweep-point][data-cores="2"][data-variant=fp32] title',
      )
      .textContent();
    assert.match(tip ?? '', /mean 13\.5 ms, median 13\.4 ms, p90 14\.1 ms/);
    assert.match(tip ?? '', /95 % CI \[12\.1, 14\.9\] ms, CV 2\.1 %/);
    assert.match(tip ?? '', /basis: per-pass samples of one run/);
    assert.match(tip ?? '', /runs: 1/);

    // Three answers, one configuration: one card that says so, tied with the configuration that ran the same.
    const cards = detail.locator('.sweep-recs > .sweep-rec');
    assert.equal(await cards.count(), 1);
    const card = detail.locator('[data-testid=rec-latency]');
    assert.equal(
      await card.locator('h3').evaluate((h) => h.firstChild?.textContent),
      'Lowest latency, highest throughput and best per core',
    );
    assert.equal(await card.locator('[data-testid=rec-tied]').textContent(), 'tied');
    assert.equal(
      await card.locator('[data-testid=rec-tied-with]').textContent(),
      'tied with: 2 threads · off',
    );
    assert.match(
      (await card.locator('[data-testid=rec-ci]').textContent()) ?? '',
      /latency 13\.5 ms ± 1\.40 \(95 % CI\)/,
    );
    assert.equal(await card.locator('[data-testid=rec-significant]').count(), 0);

    // The sweep's findings above the results: severity, message, evidence folded, the fix's command to copy.
    const f = detail.locator('[data-testid=sweep-findings] [data-testid=finding][data-code=engine-absent]');
    assert.equal(await f.getAttribute('data-severity'), 'warning');
    assert.match((await f.textContent()) ?? '', /no Ampere engine/);
    const evidence = f.locator('[data-testid=finding-evidence] dl');
    assert.equal(await evidence.isVisible(), false, 'evidence starts folded');
    await f.locator('[data-testid=finding-evidence] summary').click();
    assert.match((await evidence.textContent()) ?? '', /_aio_profiler_print.*False/);
    await page.setViewportSize({ width: 1500, height: 3000 });
    await detail
      .locator('[data-testid=sweep-findings]')
      .screenshot({ path: screenshotPath('sweep-findings.png') });
    await f.locator('[data-testid=finding-copy]').click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), ENGINE_FIX);
    assert.equal(
      await detail.locator('[data-testid=sweep-engine]').textContent(),
      'No Ampere engine · Python 3.11.2 · PyTorch 1.13.1',
    );
    const findingsBox = await detail.locator('[data-testid=sweep-findings]').boundingBox();
    const chartBox = await chart.boundingBox();
    assert.ok(findingsBox!.y < chartBox!.y, 'findings come first');

    // A row's own findings: a marker in its row, the message on hover.
    const marker = detail.locator('[data-testid=sweep-row-findings]');
    assert.equal(await marker.count(), 1);
    assert.equal(await marker.getAttribute('data-codes'), 'too-few-samples');
    assert.match((await marker.getAttribute('title')) ?? '', /warning: 1 measured pass, fewer than 30/);

    await chart.screenshot({ path: screenshotPath('sweep-errorbars.png') });
    await card.screenshot({ path: screenshotPath('sweep-tied.png') });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('History offers Resume only on sweeps with missing runs, and shows why a resume fails', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await appPage();
  try {
    assert.equal(await entry(page, doneId).locator('[data-testid=history-resume]').count(), 0, 'complete');
    assert.match((await entry(page, interruptedId).textContent()) ?? '', /interrupted \(1\/4\)/);
    for (const id of [cancelledId, interruptedId])
      assert.equal(await entry(page, id).locator('[data-testid=history-resume]').count(), 1, id);
    assert.match(
      (await entry(page, cancelledId).locator('[data-testid=history-resume]').getAttribute('title')) ?? '',
      /Run the 2 missing run\(s\)/,
    );
    // The record goes away behind the list's back: the engine's refusal is shown, named, as an alert.
    const gone = readFileSync(fileOf(interruptedId), 'utf8');
    rmSync(fileOf(interruptedId));
    try {
      await entry(page, interruptedId).locator('[data-testid=history-resume]').click();
      const msg = page.locator('[data-testid=history-message][role=alert]');
      await msg.waitFor();
      assert.match(
        (await msg.textContent()) ?? '',
        new RegExp(`^Could not resume sweep ${interruptedId}: .+`),
      );
    } finally {
      writeFileSync(fileOf(interruptedId), gone);
    }
  } finally {
    await page.close();
  }
});

// Needs the engine's sweep.resume (issue 12 item 6, the "sweepcore" side): before it, the click shows the
// engine's "not available yet".
test('Resume from History: the Tune panel follows the resumed sweep to its end', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await appPage();
  try {
    await entry(page, cancelledId).locator('[data-testid=history-resume]').click();
    const panel = page.locator('[data-testid=sweep-panel]');
    // The Tune panel follows it (Cancel shows while it runs), or History says why it could not.
    const refused = page.locator('[data-testid=history-message][role=alert]');
    await panel
      .locator('[data-testid=sweep-cancel]')
      .or(panel.locator('[data-testid=sweep-state]'))
      .or(refused)
      .first()
      .waitFor({ state: 'attached' });
    assert.equal(await refused.count(), 0, `resume refused: ${await refused.textContent().catch(() => '')}`);
    await gotoArea(page, 'tune');
    await panel.locator('[data-testid=sweep-state]').waitFor({ timeout: 60_000 });
    assert.match((await panel.locator('[data-testid=sweep-state]').textContent()) ?? '', /done, 4 of 4 runs/);
    assert.equal(await panel.locator('[data-testid=sweep-row]').count(), 4);
    assert.match((await page.textContent('[data-testid=history-message]')) ?? '', /Resumed sweep/);
    await page.waitForFunction(
      (id) =>
        /done \(4\/4\)/.test(
          document.querySelector(`[data-testid=history-entry][data-id="${id}"]`)?.textContent ?? '',
        ),
      cancelledId,
    );
  } finally {
    await page.close();
  }
});

// Needs the engine's statistics (configs, ties, engine-absent: the "sweepcore" and "runfind" sides). Debian's
// PyTorch has no Ampere engine: fp32 and off run the same program and must come out tied, not one "better".
test('a real bench.py sweep over fp32 and off: engine-absent, error bars, tied, nothing claimed', async (t) => {
  if (!need(t, hasNumactl && hasTorch && existsSync(BENCH), 'numactl and PyTorch')) return;
  const page = await context.newPage();
  try {
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=example-hint]', { state: 'attached', timeout: 20_000 });
    await gotoArea(page, 'pick');
    await setWorkload(page, `${PY} ${BENCH} --num_runs 20 --warmup 2`);
    await gotoArea(page, 'tune');
    await page.fill('[data-testid=sweep-threads]', '1');
    await page.fill('[data-testid=sweep-instances]', '1');
    await page.fill('[data-testid=sweep-batches]', '');
    await page.fill('[data-testid=sweep-repeat]', '2');
    await page.fill('[data-testid=sweep-until-stable]', '');
    await page.fill('[data-testid=sweep-practical]', '2');
    for (const p of ['compact', 'spread'])
      await page.setChecked(`[data-testid=sweep-placement-${p}]`, p === 'compact');
    for (const v of ['fp32', 'fp16', 'int8', 'int8-fc', 'off'])
      await page.setChecked(`[data-testid=sweep-variant-${v}]`, v === 'fp32' || v === 'off');
    await page.waitForFunction(() =>
      /\(4 runs\)/.test(document.querySelector('[data-testid=sweep-start]')?.textContent ?? ''),
    );
    await page.click('[data-testid=sweep-start]');
    const panel = page.locator('[data-testid=sweep-panel]');
    await panel.locator('[data-testid=sweep-state]').waitFor({ timeout: 120_000 });
    assert.match((await panel.locator('[data-testid=sweep-state]').textContent()) ?? '', /done, 4 of 4 runs/);
    await panel.locator('[data-testid=sweep-findings] [data-code=engine-absent]').waitFor();
    assert.ok((await panel.locator('[data-testid=sweep-errorbar]').count()) > 0, 'error bars');
    const card = panel.locator('[data-testid=rec-latency]');
    assert.equal(await card.getAttribute('data-tied'), 'true');
    assert.match(
      (await card.locator('[data-testid=rec-tied-with]').textContent()) ?? '',
      /tied with: 1 thread · off/,
    );
    assert.equal(await panel.locator('[data-testid=rec-significant]').count(), 0, 'no card claims a winner');
    // A budget typed on the page is worked out there, with the same rule: fp32 and off stay tied.
    await panel.locator('[data-testid=sweep-budget]').fill('100000');
    const budget = panel.locator('[data-testid=rec-budget]');
    await budget.waitFor();
    assert.equal(await budget.getAttribute('data-tied'), 'true');
    assert.match((await budget.textContent()) ?? '', /tied with: .*(fp32|off)/);
  } finally {
    await page.close();
  }
});

test('builder: until stable makes the count "up to N runs"; a bad percentage blocks Start and says why', async (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const page = await appPage();
  try {
    await gotoArea(page, 'pick');
    await setWorkload(page, FAKE);
    await gotoArea(page, 'tune');
    await page.fill('[data-testid=sweep-threads]', '1,2');
    await page.fill('[data-testid=sweep-instances]', '1');
    await page.fill('[data-testid=sweep-batches]', '');
    for (const v of ['fp32', 'fp16', 'int8', 'int8-fc', 'off'])
      await page.setChecked(`[data-testid=sweep-variant-${v}]`, v === 'fp32' || v === 'off');
    for (const p of ['compact', 'spread'])
      await page.setChecked(`[data-testid=sweep-placement-${p}]`, p === 'compact');
    await page.fill('[data-testid=sweep-practical]', '2');
    await page.fill('[data-testid=sweep-until-stable]', '');
    await page.fill('[data-testid=sweep-repeat]', '3');
    const start = page.locator('[data-testid=sweep-start]');
    const label = (re: string) =>
      page.waitForFunction(
        (r) => new RegExp(r).test(document.querySelector('[data-testid=sweep-start]')?.textContent ?? ''),
        re,
      );
    await label('^Start sweep \\(12 runs\\)$');
    await page.fill('[data-testid=sweep-until-stable]', '1');
    await label('^Start sweep \\(up to 12 runs\\)$');
    await page.fill('[data-testid=sweep-until-stable]', 'soon');
    await page.waitForSelector('text=Repeat until stable: a percentage above 0 to 100, or empty');
    assert.equal(await start.isDisabled(), true);
    await page.fill('[data-testid=sweep-until-stable]', '1');
    await page.fill('[data-testid=sweep-repeat]', '1');
    await page.waitForSelector('text=set Repetitions to the most runs it may take (2 or more)');
    assert.equal(await start.isDisabled(), true);
    await page.fill('[data-testid=sweep-until-stable]', '');
    await page.fill('[data-testid=sweep-practical]', '120');
    await page.waitForSelector('text=Minimum difference: a percentage from 0 to 100, or empty');
    assert.equal(await start.isDisabled(), true);
    await page.fill('[data-testid=sweep-practical]', '2');
    await label('^Start sweep \\(4 runs\\)$');
    assert.equal(await start.isDisabled(), false);
  } finally {
    await page.close();
  }
});
