// The Host readiness panel (issue 14) through the real server and headless Chromium: the host doctor's report for
// the machine the next run goes to. One server is started the way users get bitten — OMP_NUM_THREADS exported in
// the shell that starts the tool — and shows that warning with its fix to copy; another starts from a clean
// environment and reports the same check as passed. A target switch re-examines the target the runs will go to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';
import { screenshotPath } from '../helpers/screenshot';
import { gotoArea, pickCpus, setWorkload } from '../helpers/ui';
import { INHERITED_THREAD_VARS } from '../../app/doctor/checks/threads-env';

// The variables the doctor looks for: a developer's shell may export one, and then "clean" would not be.
const THREAD_VARS = INHERITED_THREAD_VARS;
for (const k of THREAD_VARS) delete process.env[k];

const why = sshdUnavailable();

let browser: Browser;
let warned: Served;
let clean: Served;
let sshd: Sshd | undefined;
let context: BrowserContext;

before(async () => {
  if (!why) sshd = await startSshd();
  [browser, warned, clean] = await Promise.all([
    launchBrowser(),
    startServe([], { env: { OMP_NUM_THREADS: '3' } }),
    startServe([], sshd ? { env: { AIO_TUNER_SSH_CONFIG: sshd.config } } : {}),
  ]);
  context = await browser.newContext({
    viewport: { width: 1920, height: 1080 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
});
after(async () => {
  await browser?.close();
  await warned?.stop();
  await clean?.stop();
  await sshd?.stop();
});

const PANEL = '[data-testid=host-readiness]';
const BODY = `${PANEL} [data-testid=doctor-body]`;

/** The app with the panel's first report in. */
async function openPanel(served: Served): Promise<{ page: Page; panel: Locator }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(served.url);
  await page
    .waitForSelector(`${BODY}[data-state=ready][aria-busy=false]`, { state: 'attached', timeout: 30_000 })
    .catch(async (e: Error) => {
      throw new Error(
        `${e.message}\npanel: ${await page.textContent(PANEL).catch(() => null)}\n${errors.join('\n')}`,
      );
    });
  await gotoArea(page, 'host');
  return { page, panel: page.locator(PANEL) };
}

/** When the panel's report was made (its <time datetime>). */
const checkedAt = (panel: Locator) =>
  panel.locator('[data-testid=doctor-meta] time').getAttribute('datetime');

/** Wait until the panel shows a report newer than `than`, checked with nothing pending. */
async function nextReport(page: Page, than: string | null): Promise<string> {
  await page.waitForFunction(
    ([sel, old]) => {
      const body = document.querySelector(sel);
      const t = body?.querySelector('[data-testid=doctor-meta] time')?.getAttribute('datetime');
      return body?.getAttribute('aria-busy') === 'false' && t != null && t !== old;
    },
    [BODY, than] as const,
    { timeout: 30_000 },
  );
  return (await checkedAt(page.locator(PANEL)))!;
}

/** "1 error · 2 warnings · 9 passed · 3 skipped" read back into numbers. */
function parseCounts(text: string): Record<string, number> {
  const out: Record<string, number> = { error: 0, warning: 0, info: 0 };
  for (const m of text.matchAll(/(\d+) (errors?|warnings?|info|passed|skipped)/g))
    out[m[2]!.replace(/s$/, '')] = Number(m[1]);
  return out;
}

test(
  'OMP_NUM_THREADS in the tool environment: a warning with evidence, its fix copied',
  { timeout: 90_000 },
  async () => {
    const { page, panel } = await openPanel(warned);
    assert.equal(await panel.locator('h2').textContent(), 'Host readiness');

    // Seen before Start, from every area: the header counts the warnings and leads to this panel.
    await gotoArea(page, 'pick');
    const summary = page.locator('[data-testid=header-readiness]');
    assert.equal(await summary.getAttribute('data-state'), 'warning');
    assert.match((await summary.textContent()) ?? '', /\d+ warnings?/);
    await summary.click();
    await panel.waitFor();

    const finding = panel.locator(
      '[data-testid=doctor-warning] [data-testid=finding][data-code=threads-env-inherited]',
    );
    assert.equal(await finding.getAttribute('data-severity'), 'warning');
    assert.match((await finding.locator('.finding-message').textContent()) ?? '', /OMP_NUM_THREADS is set/);
    assert.match(
      (await panel.locator('[data-testid=doctor-warning] h3').textContent()) ?? '',
      /^Warnings \(\d+\)$/,
    );
    // What was read, shown unfolded: where from and the value.
    const evidence = finding.locator('[data-testid=finding-evidence] dl');
    assert.ok(await evidence.isVisible(), 'the evidence is shown without a click');
    assert.match((await evidence.locator('dt').first().textContent()) ?? '', /^environment of /);
    assert.equal(await evidence.locator('dd').first().textContent(), 'OMP_NUM_THREADS=3');
    // The fix: its label says for how long, its command is in a monospace box.
    const fix = finding.locator('[data-testid=finding-fix]');
    assert.match((await fix.textContent()) ?? '', /this shell only/);
    const command = finding.locator('[data-testid=finding-command]');
    assert.equal(await command.textContent(), 'unset OMP_NUM_THREADS');
    assert.match(await command.evaluate((el) => getComputedStyle(el).fontFamily), /mono/i);

    // Header counts agree with what the panel lists.
    const counts = parseCounts((await panel.locator('[data-testid=doctor-counts]').textContent()) ?? '');
    assert.ok(counts.warning! >= 1, `counts: ${JSON.stringify(counts)}`);
    for (const sev of ['error', 'warning', 'info'])
      assert.equal(
        await panel.locator(`[data-testid=doctor-${sev}] [data-testid=finding]`).count(),
        counts[sev],
        sev,
      );

    // Passed and skipped checks: folded, counted, and what the header says.
    for (const [kind, item] of [
      ['passed', 'doctor-pass'],
      ['skipped', 'doctor-skip'],
    ] as const) {
      const box = panel.locator(`[data-testid=doctor-${kind}]`);
      assert.equal(await box.getAttribute('open'), null, `${kind} starts folded`);
      const summary = (await box.locator('summary').textContent()) ?? '';
      assert.equal(Number(/\((\d+)\)/.exec(summary)?.[1]), counts[kind], summary);
      await box.locator('summary').click();
      assert.equal(await box.locator(`[data-testid=${item}]`).count(), counts[kind]);
      await box.locator('summary').click();
    }

    // When: a real time, just now.
    const at = Date.parse((await checkedAt(panel))!);
    assert.ok(Math.abs(Date.now() - at) < 60_000, `checked at ${new Date(at).toISOString()}`);

    await panel.screenshot({ path: screenshotPath('doctor-host-readiness.png') });

    // Copy from the keyboard: the button takes focus and Enter copies the exact command.
    const copy = finding.locator('[data-testid=finding-copy]');
    await copy.focus();
    assert.ok(await copy.evaluate((el) => el === document.activeElement));
    assert.equal(
      await copy.evaluate(
        (el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent,
      ),
      'unset OMP_NUM_THREADS',
      'the button is described by the command it copies',
    );
    await page.keyboard.press('Enter');
    await page.waitForSelector(
      `${PANEL} [data-code=threads-env-inherited] [data-testid=finding-copy]:has-text("Copied")`,
    );
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'unset OMP_NUM_THREADS');
    await page.close();
  },
);

test('a clean environment: the same check passes, with what it read', { timeout: 90_000 }, async () => {
  const { page, panel } = await openPanel(clean);
  assert.equal(await panel.locator('[data-code=threads-env-inherited][data-testid=finding]').count(), 0);
  assert.doesNotMatch((await panel.textContent()) ?? '', /unset OMP_NUM_THREADS/);
  assert.match(
    (await panel.locator('[data-testid=doctor-meta]').textContent()) ?? '',
    /^This machine · checked /,
  );

  const passed = panel.locator('[data-testid=doctor-passed]');
  const pass = passed.locator('[data-testid=doctor-pass][data-code=threads-env-inherited]');
  assert.equal(await pass.isVisible(), false, 'passed checks start folded');
  await passed.locator('summary').click();
  assert.ok(await pass.isVisible());
  assert.match((await pass.textContent()) ?? '', /None of OMP_NUM_THREADS.*is set/);
  assert.equal(await pass.locator('dd').textContent(), 'none of them set');
  const counts = parseCounts((await panel.locator('[data-testid=doctor-counts]').textContent()) ?? '');
  assert.ok(counts.passed! >= 1, `counts: ${JSON.stringify(counts)}`);
  await page.close();
});

test(
  'the panel checks again when the binding or the interpreter changes, and on request',
  { timeout: 90_000 },
  async () => {
    const { page, panel } = await openPanel(clean);
    let at = await checkedAt(panel);
    await gotoArea(page, 'pick');

    // The selection decides the binding the doctor dry-runs.
    await pickCpus(page, '0');
    at = await nextReport(page, at);

    // Arguments of the workload do not change the machine's verdict: no new check.
    const workload = (await page.inputValue('[data-testid=workload]')).trim();
    await page.fill('[data-testid=workload]', `${workload} --doctor-ui-arg`);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('--doctor-ui-arg'),
    );
    await page.waitForTimeout(1500);
    assert.equal(await checkedAt(panel), at, 'an argument edit does not re-examine the host');

    // Its interpreter does (the engine probe runs it).
    await page.fill('[data-testid=workload]', `/bin/sh -c true`);
    at = await nextReport(page, at);

    await gotoArea(page, 'host');
    await panel.locator('[data-testid=doctor-recheck]').click();
    await nextReport(page, at);
    await page.close();
  },
);

test(
  'a run from a shell with OPENBLAS_NUM_THREADS: the host warning while it goes, then in the result card',
  { timeout: 90_000 },
  async (t) => {
    // The form sets OMP_NUM_THREADS itself (one thread per selected CPU): the shell's OPENBLAS_NUM_THREADS is what
    // such a run still inherits.
    const served = await startServe([], { env: { OPENBLAS_NUM_THREADS: '2' } });
    t.after(() => served.stop());
    const { page } = await openPanel(served);
    await gotoArea(page, 'pick');
    await pickCpus(page, '0');
    await setWorkload(page, '/bin/sleep 3');
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=run-status][data-state=running]');
    const live = page.locator('[data-testid=run-host-findings] [data-code=threads-env-inherited]');
    await live.waitFor({ timeout: 15_000 });
    assert.match((await live.textContent()) ?? '', /OPENBLAS_NUM_THREADS/);
    await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid=run-host-findings]').count(), 0, 'the live list gives way');
    await page
      .locator('[data-testid=run-findings] [data-code=threads-env-inherited]')
      .waitFor({ timeout: 15_000 });
    await page.close();
  },
);

test('a run going holds the automatic checks until it ends', { timeout: 90_000 }, async () => {
  const { page, panel } = await openPanel(clean);
  await gotoArea(page, 'pick');
  await pickCpus(page, '0');
  let at = await nextReport(page, await checkedAt(panel));
  await setWorkload(page, '/bin/sleep 4');
  at = await nextReport(page, at);
  await page.click('[data-testid=run-start]');
  await page.waitForSelector('[data-testid=run-status][data-state=running]');
  await gotoArea(page, 'host');
  assert.ok(await panel.locator('[data-testid=doctor-held]').isVisible(), 'the panel says why it waits');
  // An edit for the next run: the preview shows the running command meanwhile, so wait on the clock.
  await gotoArea(page, 'pick');
  await page.fill('[data-testid=cpu-list]', '1');
  await page.waitForTimeout(1500);
  assert.equal(await checkedAt(panel), at, 'nothing was checked while the run went');
  await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
  await nextReport(page, at);
  assert.equal(await panel.locator('[data-testid=doctor-held]').count(), 0);
  await page.close();
});

test(
  'switching to a target re-examines that target: the report names it',
  { skip: why ?? false, timeout: 120_000 },
  async () => {
    const { page, panel } = await openPanel(clean);
    assert.equal(await panel.locator('[data-testid=doctor-body]').getAttribute('data-target'), 'local');
    await page.click('[data-testid=target-picker] summary');
    await page.fill('[data-testid=target-url]', sshd!.url);
    await page.click('[data-testid=target-add]');
    await page.click(`[data-testid=target-list] li[data-target="${sshd!.url}"] button:has-text("Use")`);
    await page.waitForSelector(
      `${BODY}[data-target^="ssh://"][aria-busy=false]:is([data-state=ready], [data-state=error])`,
      {
        timeout: 60_000,
      },
    );
    const body = panel.locator('[data-testid=doctor-body]');
    // The report is the target's: it names the ssh URL it examined, and nothing of this machine's is left.
    assert.equal(await body.getAttribute('data-state'), 'ready', (await panel.textContent()) ?? '');
    assert.match((await panel.locator('[data-testid=doctor-meta]').textContent()) ?? '', /^ssh:\/\//);
    assert.equal(await page.locator('[role=alert]').count(), 0, 'no app-wide error banner');
    assert.ok((await page.locator('[data-cpu]').count()) > 0, 'the map is still shown');

    // Back to this machine: its report again.
    await page.click(`[data-testid=target-list] li[data-target="local"] button:has-text("Use")`);
    await page.waitForSelector(`${BODY}[data-target=local][data-state=ready][aria-busy=false]`, {
      timeout: 60_000,
    });
    await page.close();
  },
);
