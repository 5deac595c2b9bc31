// The Tune area's "Op coverage" panel (issue 17) through the real server and headless Chromium: the example conv
// net saved with `examples/bench.py --save`, analysed by the real /usr/bin/python3 with PyTorch. Analyze shows
// the coverage bars, the op table heaviest first with its accelerated marks and the heaviest unaccelerated ops,
// all agreeing with what the CLI reports for the same model; a corrupt file says why; the report passes axe in
// both themes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CLI, launchBrowser, startServe, type Served } from '../helpers/serve';
import { gotoArea } from '../helpers/ui';
import { need } from '../helpers/require';
import { SYSTEM_PYTHON, systemHasTorch } from '../helpers/venv';
import { atLeast, axeContext, formatViolations, runAxe } from '../helpers/axe';
import { screenshotPath } from '../helpers/screenshot';
import { OP_PRECISIONS, type OpsReport } from '../../app/shared/ops';

const hasTorch = systemHasTorch();
const dir = mkdtempSync(join(tmpdir(), 'aio-ops-ui-'));
const model = join(dir, 'cnn.pt');
const PANEL = '[data-testid=ops-panel]';

let browser: Browser;
let served: Served;
let page: Page;

before(async () => {
  if (!hasTorch) return;
  const r = spawnSync(
    SYSTEM_PYTHON,
    ['examples/bench.py', '-m', 'cnn', '--image_size', '64', '--save', model],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
  [browser, served] = await Promise.all([launchBrowser(), startServe()]);
  const context = await axeContext(browser);
  page = await context.newPage();
  await page.goto(served.url);
  await page.waitForSelector('[data-testid=example-hint]');
  await gotoArea(page, 'tune');
});
after(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function analyze(path: string, shapes: string): Promise<void> {
  await page.fill(`${PANEL} [data-testid=ops-model]`, path);
  await page.fill(`${PANEL} [data-testid=ops-shapes]`, shapes);
  await page.fill(`${PANEL} [data-testid=ops-python]`, SYSTEM_PYTHON);
  await page.click(`${PANEL} [data-testid=ops-analyze]`);
}

test('Analyze shows coverage bars, the op table heaviest first and what INT8 leaves behind', async (t) => {
  if (!need(t, hasTorch, `${SYSTEM_PYTHON} with PyTorch`)) return;
  // A typo in the shapes is caught before anything runs.
  await page.fill(`${PANEL} [data-testid=ops-model]`, model);
  await page.fill(`${PANEL} [data-testid=ops-shapes]`, '1,3,x');
  await page.waitForSelector(`${PANEL} [data-testid=ops-shapes-error]`);
  assert.equal(await page.isDisabled(`${PANEL} [data-testid=ops-analyze]`), true);

  await analyze(model, '1,3,64,64');
  await page.waitForSelector(`${PANEL} [data-testid=ops-report]`, { timeout: 120_000 });

  // What the CLI says for the same model: the panel shows the same numbers.
  const cli = spawnSync(
    process.execPath,
    [CLI, 'ops', model, '--input-shape', '1,3,64,64', '--python', SYSTEM_PYTHON, '--json'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(cli.status, 0, cli.stderr);
  const j = JSON.parse(cli.stdout) as OpsReport;
  for (const p of OP_PRECISIONS) {
    const ops = Number(await page.getAttribute(`${PANEL} [data-testid=ops-bar-ops-${p}]`, 'data-value'));
    assert.equal(ops, j.coverage[p].ops, `${p} ops share`);
    const time = Number(await page.getAttribute(`${PANEL} [data-testid=ops-bar-time-${p}]`, 'data-value'));
    assert.ok(time >= 0 && time <= 1, `${p} time share ${time}`);
    assert.equal(await page.getAttribute(`${PANEL} [data-testid=ops-bar-ops-${p}]`, 'role'), 'meter');
  }
  // All of this net is accelerated at FP32; INT8 implicit takes only the Linear: 1 node of 9.
  assert.match((await page.textContent(`${PANEL} [data-testid=ops-coverage-fp32]`))!, /100\.0 %/);
  assert.match((await page.textContent(`${PANEL} [data-testid=ops-coverage-int8Implicit]`))!, /11\.1 %/);

  const rows = page.locator(`${PANEL} [data-testid=ops-row]`);
  assert.equal(await rows.count(), j.ops.length);
  // Heaviest first: the convolutions, accelerated at FP32 and not at INT8 implicit.
  const first = rows.first();
  assert.match((await first.textContent())!, /aten::_convolution \[2d\]Conv2d3/);
  assert.equal(await first.locator('[data-precision=fp32]').textContent(), '✓ yes');
  assert.equal(await first.locator('[data-precision=int8Implicit]').textContent(), '✗ no');
  const linear = page.locator(`${PANEL} [data-testid=ops-row][data-kind="aten::linear"]`);
  assert.equal(await linear.locator('[data-precision=int8Implicit]').textContent(), '✓ yes');
  assert.match(
    (await page.textContent(`${PANEL} [data-testid=ops-heaviest-int8Implicit]`))!,
    /INT8 implicit:\s*aten::_convolution \[2d\] \([\d.]+ ms\)/,
  );
  assert.match((await page.textContent(`${PANEL} [data-testid=ops-heaviest-fp32]`))!, /FP32:\s*none/);
  assert.match(
    (await page.textContent(`${PANEL} [data-testid=ops-facts]`))!,
    /frozen graph · 5 profiled passes/,
  );
  await page.locator(PANEL).screenshot({ path: screenshotPath('ops-coverage.png') });

  // The report, its bars and its table, in both themes: no serious or critical axe violation.
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.evaluate((th) => (document.documentElement.dataset.theme = th), theme);
    const answer = await runAxe(page, { include: PANEL });
    const bad = atLeast(answer.violations, 'serious');
    assert.equal(bad.length, 0, `${theme}: ${formatViolations(bad)}`);
  }
});

test('a file that is not TorchScript says so under the form', async (t) => {
  if (!need(t, hasTorch, `${SYSTEM_PYTHON} with PyTorch`)) return;
  const corrupt = join(dir, 'corrupt.pt');
  writeFileSync(corrupt, 'not a model');
  await analyze(corrupt, '');
  const error = await page.waitForSelector(`${PANEL} [data-testid=ops-error]`, { timeout: 60_000 });
  assert.match((await error.textContent())!, /cannot load .*corrupt\.pt as TorchScript/);
});
