// Proof of placement in the page, end to end with the real server and headless Chromium:
// 1. A saved run whose run.json carries an `outcome.proof` (made by a real `aio-tuner run`, its proof written in
//    as a two-node Ampere Altra would record it), opened from the History on the Altra dump's map: thread marks
//    on the CPUs that ran the threads, a warning mark on the CPU of node 1 outside the selection, the run's
//    memory beside each node header (node 1's in the warning colour), and the run view's Placement section.
// 2. A real PyTorch run started from the page on CPUs 0-1 with 2 threads: live marks while it runs, then the
//    recorded ones. It needs the engine's sampler (run.proof events, outcome.proof).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunProof } from '../../app/shared/proof';
import type { Finding } from '../../app/shared/findings';
import { CLI, freshHome, launchBrowser, startServe, type Served } from '../helpers/serve';
import { gotoArea, openApp, pickCpus, setWorkload } from '../helpers/ui';
import { fixtureRoot } from '../helpers/fixtures';
import { screenshotPath } from '../helpers/screenshot';

const GiB = 1024 ** 3;
/** The Altra dump's first CPU of node 1 (node 0 is CPUs 0-79). */
const NODE1_CPU = 80;

let browser: Browser;
let altra: Served;
let host: Served;
let seededRunId: string;

const PROOF: RunProof = {
  samples: 48,
  samplerCpuPercent: 0.7,
  threads: [
    { tid: 4101, name: 'python3', pid: 4101, cpuTimeMs: 2350, cpus: { '0': 2300, '1': 50 }, allowed: [0, 1] },
    { tid: 4107, name: 'pt_thread', pid: 4101, cpuTimeMs: 2200, cpus: { '1': 2200 }, allowed: [0, 1] },
    {
      tid: 4109,
      name: 'repinned',
      pid: 4101,
      cpuTimeMs: 900,
      cpus: { [NODE1_CPU]: 900 },
      allowed: [NODE1_CPU],
    },
    { tid: 4110, name: 'python3', pid: 4101, cpuTimeMs: 0, cpus: {}, allowed: [0, 1] },
  ],
  memoryByNode: { '0': 3 * GiB, '1': 1 * GiB },
  counters: {
    taskClockMs: 5460.2,
    contextSwitches: 812,
    cpuMigrations: 3,
    pageFaults: 245_112,
    cycles: null,
    instructions: null,
    ipc: null,
    unavailable: [
      { name: 'cycles', reason: '<not supported>' },
      { name: 'instructions', reason: '<not supported>' },
    ],
  },
  cpuFreqMHz: { '0': { mean: 2999, min: 2800 }, '1': { mean: 3000, min: 3000 } },
};

const FINDINGS: Finding[] = [
  {
    code: 'thread-outside-selection',
    severity: 'warning',
    message: `Thread 4109 (repinned) ran on CPU ${NODE1_CPU}, outside the selection 0-1.`,
    evidence: [{ source: '/proc/4101/task/4109/stat', value: `cpu ${NODE1_CPU}` }],
    fix: { label: 'Find what re-pins the thread (taskset, the workload itself) and remove it.' },
  },
  {
    code: 'memory-remote',
    severity: 'warning',
    message: '25% of the run’s resident memory is on node 1; its CPUs are on node 0.',
    fix: { label: 'Bind memory to the CPUs’ node', command: 'numactl --membind=0 …' },
  },
];

/** A real run recorded by the CLI into `home`, then given the proof an Altra run would have recorded. */
const PLACEMENT = [
  'threads-share-cpu',
  'thread-outside-selection',
  'memory-remote',
  'migrations-high',
  'selected-cpus-idle',
  'smt-siblings-busy',
];

function seedRun(home: string): string {
  const r = spawnSync(
    process.execPath,
    [CLI, 'run', '--quiet', '--cores', '0-1', '--', '/usr/bin/python3', '-c', 'print("latency 1.0 ms")'],
    { env: { ...process.env, AIO_TUNER_HOME: home }, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const [id] = readdirSync(join(home, 'runs'));
  const file = join(home, 'runs', id!, 'run.json');
  const rec = JSON.parse(readFileSync(file, 'utf8'));
  rec.outcome.proof = PROOF;
  rec.outcome.durationMs = 2500;
  // The real run's own placement findings (of its real proof, replaced here) give way to those of the seeded one.
  const real = ((rec.outcome.findings ?? []) as Finding[]).filter((f) => !PLACEMENT.includes(f.code));
  rec.outcome.findings = [...real, ...FINDINGS];
  writeFileSync(file, JSON.stringify(rec, null, 2));
  return id!;
}

before(async () => {
  const home = freshHome();
  seededRunId = seedRun(home);
  [browser, altra, host] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', fixtureRoot('arm64-altra-2p-160c-2node')], { home }),
    startServe(),
  ]);
});
after(async () => {
  await browser?.close();
  await Promise.all([altra?.stop(), host?.stop()]);
});

const cell = (cpu: number) => `[data-testid=topology-map] [data-cpu="${cpu}"]`;

async function openSaved(page: Page): Promise<void> {
  await gotoArea(page, 'history');
  await page.waitForSelector('[data-testid=history-entry]');
  await page.locator('[data-testid=history-entry]').first().locator('[data-testid=history-open]').click();
  await page.waitForSelector('[data-testid=history-detail]');
  await page.click('[data-testid=history-show-run]');
  await page.waitForSelector('[data-testid=placement-section]');
}

test('a saved run on the two-node map: thread marks, outside warning, node memory bars, Placement section', async () => {
  const page = await openApp(browser, altra.url);
  try {
    await openSaved(page);

    // Thread marks: one thread on CPU 0 and one on CPU 1 (4101's 50 ms visit to CPU 1 is not a stay).
    await page.waitForSelector(`${cell(0)}[data-run-threads="1"]`);
    assert.equal(await page.getAttribute(cell(1), 'data-run-threads'), '1');
    assert.equal(await page.textContent(`${cell(0)} [data-testid=run-thread-count]`), '1');
    // 2300 ms over a 2500 ms run.
    assert.equal(await page.getAttribute(`${cell(0)} [data-testid=run-busy-meter]`, 'data-busy'), '0.92');
    const title0 = (await page.getAttribute(cell(0), 'title')) ?? '';
    assert.match(title0, /the run's threads here \(1\), 92% of this CPU/);
    assert.match(title0, /4101 python3 — 92% \(2300 ms\)/);
    assert.match((await page.getAttribute(cell(1), 'title')) ?? '', /4107 pt_thread/);
    // A CPU the run never touched carries no mark.
    assert.equal(await page.locator(`${cell(2)} [data-testid=run-thread-count]`).count(), 0);

    // The CPU of node 1 that hosted a re-pinned thread: warned, in its badge, outline and tooltip.
    assert.equal(await page.getAttribute(cell(NODE1_CPU), 'data-run-outside'), 'true');
    assert.equal(await page.textContent(`${cell(NODE1_CPU)} [data-testid=run-thread-count]`), '!1');
    assert.match(
      (await page.getAttribute(cell(NODE1_CPU), 'title')) ?? '',
      /OUTSIDE the selection.*\n.*4109 repinned/,
    );
    const outline = await page.evaluate(
      (sel) => getComputedStyle(document.querySelector(sel)!).outlineStyle,
      cell(NODE1_CPU),
    );
    assert.equal(outline, 'dashed');
    assert.equal(await page.locator('[data-testid=topology-map] [data-run-outside]').count(), 1);

    // Node memory bars: node 0 (the selection's) holds 3 GiB, node 1 1 GiB in the warning colour.
    const mem0 = page.locator('[data-testid=node-memory][data-node="0"]');
    const mem1 = page.locator('[data-testid=node-memory][data-node="1"]');
    assert.equal(await mem0.getAttribute('data-intended'), 'true');
    assert.equal(await mem0.getAttribute('data-remote'), 'false');
    assert.match((await mem0.textContent()) ?? '', /3(\.0)? GiB \(75%\)/);
    assert.equal(await mem1.getAttribute('data-remote'), 'true');
    assert.match((await mem1.textContent()) ?? '', /1(\.0)? GiB \(25%\)/);
    const widths = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=node-memory] .node-memory-fill')].map(
        (e) => (e as HTMLElement).getBoundingClientRect().width,
      ),
    );
    assert.ok(widths[0]! > 2.5 * widths[1]! && widths[1]! > 0, `bar widths ${widths}`);
    const colours = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=node-memory] .node-memory-fill')].map(
        (e) => getComputedStyle(e).backgroundColor,
      ),
    );
    assert.notEqual(colours[0], colours[1], 'remote memory has a colour of its own');
    assert.equal(await page.getAttribute('.node-box[data-node="0"]', 'data-intended'), 'true');
    assert.equal(await page.getAttribute('.node-box[data-node="1"]', 'data-intended'), 'false');
    assert.match(
      (await page.textContent('[data-testid=map-legend-placement]')) ?? '',
      new RegExp(`Run ${seededRunId}: the badge counts its threads`),
    );

    // The run view's Placement section: threads where they lived, counters (refused ones with their reason),
    // frequency, and the placement findings.
    const section = page.locator('[data-testid=placement-section]');
    const rows = section.locator('[data-testid=placement-threads] tbody tr');
    assert.equal(await rows.count(), 3);
    assert.match((await rows.nth(0).textContent()) ?? '', /4101python32350 msCPU 0 \(98%\), also 1/);
    assert.equal(await rows.nth(2).getAttribute('data-outside'), 'true');
    assert.match((await rows.nth(2).textContent()) ?? '', /CPU 80 — outside the selection/);
    assert.match((await section.textContent()) ?? '', /1 thread\(s\) used no CPU time/);
    const counter = (name: string) => section.locator(`[data-counter="${name}"] dd`).textContent();
    assert.equal(await counter('context switches'), '812');
    assert.equal(await counter('page faults'), '245,112');
    assert.equal(await counter('cycles'), 'unavailable: <not supported>');
    assert.equal(await section.locator('[data-counter="cycles"]').getAttribute('data-unavailable'), 'true');
    assert.match(
      (await section.locator('[data-testid=placement-freq]').textContent()) ?? '',
      /CPU 0 2999 MHz/,
    );
    const codes = await section
      .locator('[data-testid=placement-findings] [data-testid=finding]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    assert.deepEqual(codes.sort(), ['memory-remote', 'thread-outside-selection']);
    // Shown once: not repeated in the general findings list.
    assert.equal(await page.locator('[data-testid=run-findings] [data-code=memory-remote]').count(), 0);

    await page.locator('.node-box[data-node="0"]').scrollIntoViewIfNeeded();
    await page.locator('[data-testid=topology-map]').screenshot({ path: screenshotPath('proof-map.png') });
    await section.screenshot({ path: screenshotPath('proof-placement.png') });
  } finally {
    await page.close();
  }
});

test('PyTorch with 2 threads on CPUs 0-1 from the page: live thread marks, then the recorded ones', async () => {
  const page = await openApp(browser, host.url);
  try {
    await pickCpus(page, '0-1');
    await setWorkload(page, '/usr/bin/python3 examples/bench.py --num_runs 200 --warmup 2');
    await page.click('[data-testid=run-start]');
    // Live: both selected CPUs carry the run's threads while it goes (run.proof events).
    await page.waitForSelector('[data-testid=map-legend-placement]:has-text(" now")', { timeout: 30_000 });
    await page.waitForFunction(
      () =>
        ['0', '1'].every((c) =>
          document.querySelector(`[data-testid=topology-map] [data-cpu="${c}"][data-run-threads]`),
        ),
      undefined,
      { timeout: 30_000 },
    );
    assert.equal(await page.locator('[data-testid=topology-map] [data-run-outside]').count(), 0);
    await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 60_000 });

    // Recorded: threads on both selected CPUs, none outside, memory on node 0 only.
    await page.waitForSelector('[data-testid=placement-section] [data-testid=placement-threads]');
    for (const c of [0, 1]) {
      assert.ok(
        Number(await page.getAttribute(`${cell(c)}`, 'data-run-threads')) >= 1,
        `CPU ${c} has a thread`,
      );
      assert.ok(
        Number(await page.getAttribute(`${cell(c)} [data-testid=run-busy-meter]`, 'data-busy')) > 0,
        `CPU ${c} used by the run`,
      );
    }
    assert.equal(await page.locator('[data-testid=topology-map] [data-run-outside]').count(), 0);
    const mem = page.locator('[data-testid=node-memory][data-node="0"]');
    assert.equal(await mem.getAttribute('data-intended'), 'true');
    assert.ok(
      Number(await mem.getAttribute('data-bytes')) > 10 * 1024 ** 2,
      'PyTorch holds memory on node 0',
    );
    assert.equal(
      await page.locator('[data-testid=placement-findings] [data-code=threads-share-cpu]').count(),
      0,
    );
    await page
      .locator('[data-testid=topology-map]')
      .screenshot({ path: screenshotPath('proof-map-live-run.png') });
  } finally {
    await page.close();
  }
});
