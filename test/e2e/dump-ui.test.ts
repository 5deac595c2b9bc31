// "Import topology…" with a replayable dump (issue 15): the real `aio-tuner serve` in headless Chromium; an
// `aio-tuner dump` archive of a real 2-socket dump is opened in the dialog and the map becomes that machine,
// named by the archive; a corrupt archive is refused with one clear message and the map stays as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CLI, launchBrowser, startServe, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { screenshotPath } from '../helpers/screenshot';

const dir = mkdtempSync(join(tmpdir(), 'aio-dump-ui-'));
const archive = join(dir, 'altra-2p.tar.gz');
let browser: Browser;
let served: Served;

before(async () => {
  const r = spawnSync(
    process.execPath,
    [CLI, 'dump', '--sysroot', fixtureRoot('arm64-altra-2p-160c-2node'), '--out', archive],
    { encoding: 'utf8', env: { ...process.env, AIO_TUNER_HOME: join(dir, 'home') }, timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  [browser, served] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', fixtureRoot('x86-1p-4c-smt')]),
  ]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('Import topology… opens a dump archive: the map is that machine, named by the archive', async () => {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  try {
    await page.goto(served.url);
    await page.waitForSelector('[data-cpu="7"]');
    const before = await page.locator('[data-cpu]').count();

    // A corrupt archive first: one message, and the map is still this host's.
    await page.getByRole('button', { name: 'Import topology…' }).click();
    await page.setInputFiles('input[aria-label="Topology file"]', {
      name: 'broken.tar.gz',
      mimeType: 'application/gzip',
      buffer: Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(300, 0x41)]),
    });
    await page.waitForSelector('[data-testid=import-archive]');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    const alert = page.locator('[data-testid=import-topology] [role=alert]');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /broken\.tar\.gz: not a readable \.tar\.gz archive/);
    assert.equal(await page.locator('[data-cpu]').count(), before);

    await page.setInputFiles('input[aria-label="Topology file"]', archive);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=import-archive]')?.textContent?.includes('altra-2p.tar.gz'),
    );
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-cpu]').length === 160);
    assert.equal(await page.locator('.package-box').count(), 2);
    assert.equal(await page.locator('.node-box').count(), 2);
    assert.match((await page.textContent('[data-testid=cpu-model]')) ?? '', /Ampere Altra/);
    const origin = (await page.textContent('[data-testid=topology-origin]')) ?? '';
    assert.match(origin, /altra-2p\.tar\.gz/);
    await page.screenshot({ path: screenshotPath('topology-import-dump.png') });

    // Another machine, so the way back is offered.
    await page.getByRole('button', { name: 'Back to this host' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-cpu]').length === n, before);
  } finally {
    await page.close();
  }
});
