// The settings form against the real server and headless Chromium on the 2-socket fixture: one-click fixes,
// what blocks Start, presets, the debug level, the preview's loading state and line wrapping.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { pickCpus } from '../helpers/ui';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const shotDir = mkdtempSync(join(tmpdir(), 'aio-tuner-form-shots-'));
/** Layout screenshots go outside the tracked tree: they are for looking at, not for the docs. */
const screenshotPath = (name: string) => join(shotDir, name);

let browser: Browser;
let served: Served;
let context: BrowserContext;

before(async () => {
  [browser, served] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', fixtureRoot('arm64-altra-2p-160c-2node')]),
  ]);
  context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

async function open(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(served.url);
  await page.waitForSelector('[data-cpu="159"]', { timeout: 30_000 });
  return page;
}

const preview = (page: Page) => page.textContent('[data-testid=preview-bash]').then((t) => t ?? '');

/** Add a variable through "Extra environment variables" (any name, any value: what a user can type). */
async function addEnv(page: Page, name: string, value: string): Promise<void> {
  const editor = page.locator('[data-testid=extra-env]');
  if (!(await editor.isVisible())) await page.click('summary:has-text("Extra environment variables")');
  await page.fill('[data-testid=env-new-name]', name);
  await page.fill('[data-testid=env-new-value]', value);
  await page.click('[data-testid=env-add]');
}

const FIX_CASES: { kind: string; env: [string, string][]; code: string; after: RegExp }[] = [
  {
    kind: 'threads-mismatch: set both to one count',
    env: [
      ['AIO_NUM_THREADS', '3'],
      ['OMP_NUM_THREADS', '2'],
    ],
    code: 'threads-mismatch',
    after: /AIO_NUM_THREADS=3 OMP_NUM_THREADS=3 /,
  },
  {
    kind: 'AIO_MEM_BIND=yes: remove it',
    env: [['AIO_MEM_BIND', 'yes']],
    code: 'invalid-value',
    after: /^(?![^]*AIO_MEM_BIND=yes)/,
  },
  {
    kind: 'DLS_NUM_THREADS: use the thread count instead',
    env: [['DLS_NUM_THREADS', '4']],
    code: 'deprecated-variable',
    after: /^(?![^]*DLS_NUM_THREADS)/,
  },
  {
    kind: 'let the tool set AIO_NUMA_CPUS',
    env: [['AIO_NUMA_CPUS', '1 0 2 3']],
    code: 'numa-cpus-mismatch',
    after: /AIO_NUMA_CPUS='0 1 2 3'/,
  },
];

for (const c of FIX_CASES) {
  test(`one-click fix clears its finding: ${c.kind}`, async () => {
    const page = await open();
    try {
      await pickCpus(page, '0-3');
      for (const [k, v] of c.env) await addEnv(page, k, v);
      await page.waitForSelector(`[data-code="${c.code}"]`);
      await page.click(`[data-testid="fix-${c.code}"]`);
      await page
        .waitForSelector(`[data-code="${c.code}"]`, { state: 'detached', timeout: 5000 })
        .catch(async () => {
          throw new Error(`${c.code} still shown after its fix; preview: ${await preview(page)}`);
        });
      await page.waitForFunction(
        (src) =>
          new RegExp(src).test(document.querySelector('[data-testid=preview-bash]')?.textContent ?? ''),
        c.after.source,
      );
      // Nothing left behind by a half-applied fix: these settings have no other finding (the command's checks;
      // Host readiness judges the machine, not these settings' text).
      assert.deepEqual(
        await page.$$eval('[data-testid=checks] [data-code]', (els) =>
          els.map((e) => e.getAttribute('data-code')),
        ),
        [],
      );
    } finally {
      await page.close();
    }
  });
}

/**
 * Where the browser broke the preview's lines: for every visual line after the first of a text line, the two
 * characters around the break. Measured on the rendered glyphs, so it holds whatever markup draws the text.
 */
async function lineBreaks(page: Page, testId: string): Promise<string[]> {
  return page.$eval(`[data-testid=${testId}]`, (pre) => {
    const chars: { ch: string; top: number }[] = [];
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      for (let i = 0; i < text.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = [...range.getClientRects()].find((r) => r.width > 0);
        chars.push({ ch: text[i]!, top: rect ? Math.round(rect.top) : NaN });
      }
    }
    const breaks: string[] = [];
    let prev: { ch: string; top: number } | null = null;
    for (const c of chars) {
      if (Number.isNaN(c.top)) continue; // spaces at a wrap and newlines take no room
      if (prev && c.top > prev.top && prev.ch !== '\n') breaks.push(prev.ch + '⏎' + c.ch);
      prev = c;
    }
    return breaks.filter((b) => !b.startsWith('\n'));
  });
}

test('the command preview wraps only at spaces between words, never inside a token', async () => {
  const page = await open();
  try {
    await pickCpus(page, '80-95');
    await page.fill(
      '[data-testid=workload]',
      'python3 /opt/models/run.py --model-name=resnet-50-v1.5 --precision=fp32',
    );
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('resnet-50'),
    );
    let wrapped = 0;
    // Every column width from narrow to wide, so each token gets its turn at the end of a line.
    for (let width = 1000; width <= 1920; width += 23) {
      await page.setViewportSize({ width, height: 1080 });
      for (const tab of ['preview-bash', 'preview-docker-run']) {
        await page.click(`[data-testid=tab-${tab}]`);
        const breaks = await lineBreaks(page, tab);
        wrapped += breaks.length;
        const inside = breaks.filter((b) => !/\s/.test(b.replace('⏎', '')));
        assert.deepEqual(inside, [], `${tab} at ${width}px wraps inside a token: ${inside.join(' ')}`);
      }
    }
    assert.ok(wrapped > 0, 'the preview wrapped at all (else this test proves nothing)');
  } finally {
    await page.close();
  }
});

const selectedCount = (page: Page) => page.locator('[data-cpu][aria-selected="true"]').count();

test('an invalid CPU list blocks Start with its reason instead of running the previous selection', async () => {
  const page = await open();
  try {
    await pickCpus(page, '0-3');
    assert.equal(await page.isEnabled('[data-testid=run-start]'), true);
    await page.fill('[data-testid=cpu-list]', '0-3,x');
    await page.waitForSelector('[data-testid=cpu-list-error] li');
    // The map still shows 0-3: exactly what Start must not run while the field is red.
    assert.equal(await selectedCount(page), 4);
    await page.waitForSelector('[data-testid=run-start]:disabled', { timeout: 5000 });
    const why = (await page.textContent('[data-testid=run-blocked]')) ?? '';
    assert.match(why, /CPU list: "x" is not a CPU number/);

    await page.fill('[data-testid=cpu-list]', '4-5');
    await page.waitForSelector('[data-testid=run-start]:enabled');
    assert.equal(await page.locator('[data-testid=run-blocked]').count(), 0);
    assert.equal(await selectedCount(page), 2);
  } finally {
    await page.close();
  }
});

test('a CPU typed twice is bound once and reported as cpus-duplicate, whose fix removes the repeat', async () => {
  const page = await open();
  try {
    await page.fill('[data-testid=cpu-list]', '0,0,1');
    await page.waitForSelector('[data-code="cpus-duplicate"]');
    assert.match(await preview(page), /--physcpubind=0-1 /);
    assert.match(await preview(page), /AIO_NUM_THREADS=2 /);
    await page.click('[data-testid="fix-cpus-duplicate"]');
    await page.waitForSelector('[data-code="cpus-duplicate"]', { state: 'detached', timeout: 5000 });
    assert.equal(await page.inputValue('[data-testid=cpu-list]'), '0-1');
    assert.equal(await selectedCount(page), 2);
  } finally {
    await page.close();
  }
});

test('presets refuse more cores than exist, like the CLI, and keep the selection', async () => {
  const page = await open();
  try {
    await pickCpus(page, '0-3');
    await page.fill('[data-testid=preset-count]', '500');
    for (const [button, message] of [
      ['First N cores', 'First 500 cores: this machine has only 160 usable cores'],
      ['Spread N', '500 spread over nodes: this machine has only 160 usable cores'],
      ['N on node', '500 cores on node 0: node 0 has only 80 usable cores'],
    ] as const) {
      await page.getByRole('button', { name: button, exact: true }).click();
      await page.waitForFunction(
        (m) => document.querySelector('[data-testid=pick-status]')?.textContent?.includes(m),
        message,
      );
      assert.equal(await selectedCount(page), 4, `${button} kept the selection`);
    }
    await page.fill('[data-testid=preset-count]', '160');
    await page.getByRole('button', { name: 'First N cores', exact: true }).click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-cpu][aria-selected="true"]').length === 160,
    );
  } finally {
    await page.close();
  }
});

test('N defaults to 16, or to every usable core on a smaller machine', async () => {
  const page = await open();
  try {
    assert.equal(await page.inputValue('[data-testid=preset-count]'), '16');
  } finally {
    await page.close();
  }
  const small = await startServe(['--sysroot', fixtureRoot('x86-1p-4c-smt')]);
  const page2 = await context.newPage();
  try {
    await page2.goto(small.url);
    await page2.waitForSelector('[data-cpu="7"]');
    await page2.waitForFunction(
      () => (document.querySelector('[data-testid=preset-count]') as HTMLInputElement | null)?.value === '4',
    );
    await page2.getByRole('button', { name: 'First N cores', exact: true }).click();
    await page2.waitForFunction(
      () => document.querySelectorAll('[data-cpu][aria-selected="true"]').length === 4,
    );
  } finally {
    await page2.close();
    await small.stop();
  }
});

test('the debug level goes back to "not set" after choosing 2, and the command follows', async () => {
  const page = await open();
  try {
    await pickCpus(page, '0-3');
    assert.equal(await page.inputValue('[data-testid=debug-mode]'), '');
    await page.selectOption('[data-testid=debug-mode]', '2');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('AIO_DEBUG_MODE=2'),
    );
    await page.selectOption('[data-testid=debug-mode]', '');
    await page.waitForFunction(
      () => !document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('AIO_DEBUG_MODE'),
    );
    assert.equal(await page.inputValue('[data-testid=var-AIO_DEBUG_MODE]'), '__absent__');
  } finally {
    await page.close();
  }
});

test('before the engine answers the preview shows a loading state, never a placeholder command', async () => {
  const page = await context.newPage();
  try {
    // Every text the preview ever shows, from the first render on.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { previewTexts: string[] }).previewTexts = seen;
      new MutationObserver(() => {
        const t = document.querySelector('pre.preview')?.textContent;
        if (t !== undefined && t !== null && seen.at(-1) !== t) seen.push(t);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=example-hint]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('bench.py'),
    );
    const texts = await page.evaluate(() => (window as unknown as { previewTexts: string[] }).previewTexts);
    assert.deepEqual(
      texts.filter((t) => t.includes('run.py')),
      [],
      `the preview showed: ${JSON.stringify(texts)}`,
    );
    assert.match(texts[0]!, /^Loading/);
  } finally {
    await page.close();
  }
});

test('engine variables: set values stay inside the panel and lose the "derived" badge', async () => {
  const page = await open();
  try {
    await pickCpus(page, '0-3');
    const row = (name: string) => page.locator(`[data-var="${name}"]`);
    assert.equal(await row('AIO_NUMA_CPUS').locator('.badge', { hasText: 'derived' }).count(), 1);
    for (const name of ['AIO_NUMA_CPUS', 'AIO_NUM_THREADS', 'AIO_IMPLICIT_FP16_TRANSFORM_FILTER']) {
      await page.selectOption(`[data-testid=var-${name}]`, '__value__');
      await page.fill(`[data-testid=var-${name}-value]`, name === 'AIO_NUM_THREADS' ? '4' : '0 1 2 3');
    }
    assert.equal(await row('AIO_NUMA_CPUS').locator('.badge', { hasText: 'derived' }).count(), 0);
    assert.equal(await row('AIO_NUM_THREADS').locator('.badge', { hasText: 'derived' }).count(), 0);
    assert.equal(await row('OMP_NUM_THREADS').locator('.badge', { hasText: 'derived' }).count(), 1);
    for (const width of [1280, 1600, 1920]) {
      await page.setViewportSize({ width, height: 1080 });
      const panel = (await page.locator('[data-testid=variables]').boundingBox())!;
      for (const box of await page.$$('[data-testid=variables] input, [data-testid=variables] select')) {
        const b = (await box.boundingBox())!;
        const id = await box.getAttribute('data-testid');
        assert.ok(
          b.x + b.width <= panel.x + panel.width + 0.5,
          `${id} ends at ${b.x + b.width}px, past the panel's ${panel.x + panel.width}px at ${width}px`,
        );
      }
    }
    await page.setViewportSize({ width: 1280, height: 1080 });
    await page.locator('[data-var="AIO_NUMA_CPUS"]').scrollIntoViewIfNeeded();
    await page
      .locator('[data-testid=run-settings]')
      .screenshot({ path: screenshotPath('variables-set.png') });
  } finally {
    await page.close();
  }
});
