// The app's Tune panel when a sweep row cannot bind and its command draws check warnings: the real server
// reading the 2-socket dump (--sysroot), headless Chromium, real numactl running the rows this machine can bind.
// Selection 0,159: threads=1 binds CPU 0 here; threads=2 needs CPU 159, which this machine lacks, and spans the
// dump's two nodes (a cross-node-cores warning). The row is skipped with its reason, the sweep ends done.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { parseCpuList } from '../../app/topology';
import { fixtureRoot } from '../helpers/fixtures';
import { launchBrowser, startServe, type Served } from '../helpers/serve';
import { gotoArea, openApp, pickCpus, setWorkload } from '../helpers/ui';
import { need } from '../helpers/require';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const allowed = new Set(
  parseCpuList(/^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? ''),
);
const usable = hasNumactl && allowed.has(0) && !allowed.has(159);
const dir = mkdtempSync(join(tmpdir(), 'aio-sweep-skip-ui-'));
const FAKE = join(dir, 'bench.sh');

let browser: Browser | undefined;
let served: Served | undefined;

before(async () => {
  writeFileSync(
    FAKE,
    '#!/bin/sh\necho "  LATENCY"\necho "      mean   $((10 + AIO_NUM_THREADS)).5 [ms]"\n' +
      'echo "  THROUGHPUT"\necho "      observed   $((100 * AIO_NUM_THREADS)).0 [samples/s]"\n',
  );
  chmodSync(FAKE, 0o755);
  if (!usable) return;
  [browser, served] = await Promise.all([
    launchBrowser(),
    startServe(['--sysroot', fixtureRoot('arm64-altra-2p-160c-2node')]),
  ]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('an unbindable row is shown skipped with its reason; run warnings are listed; the sweep is done', async (t) => {
  if (!need(t, usable, 'numactl on a host with CPU 0 and without CPU 159')) return;
  const page = await openApp(browser!, served!.url);
  await setWorkload(page, FAKE);
  await pickCpus(page, '0,159');
  await gotoArea(page, 'tune');
  await page.fill('[data-testid=sweep-threads]', '1,2');
  await page.fill('[data-testid=sweep-instances]', '1');
  await page.fill('[data-testid=sweep-batches]', '');
  await page.setChecked('[data-testid=sweep-placement-compact]', true);
  await page.setChecked('[data-testid=sweep-placement-spread]', false);
  for (const v of ['fp32', 'fp16', 'int8', 'int8-fc', 'off'])
    await page.setChecked(`[data-testid=sweep-variant-${v}]`, v === 'fp32');
  await page.waitForFunction(() =>
    /\(2 runs\)/.test(document.querySelector('[data-testid=sweep-start]')?.textContent ?? ''),
  );
  await page.click('[data-testid=sweep-start]');
  await page.waitForSelector('[data-testid=sweep-state]', { timeout: 60_000 });
  assert.match((await page.textContent('[data-testid=sweep-state]')) ?? '', /done, 2 of 2 runs/);
  const rows = page.locator('[data-testid=sweep-row]');
  assert.equal(await rows.count(), 2);
  assert.match((await rows.nth(0).textContent()) ?? '', /11\.50/);
  assert.match(
    (await rows.nth(1).locator('[data-testid=sweep-row-skipped]').textContent()) ?? '',
    /^skipped: cannot bind: CPU 159 is not available on this machine/,
  );
  assert.equal(await rows.nth(1).locator('[data-testid=sweep-row-checks]').count(), 1);
  assert.match(
    (await page.textContent('[data-testid=sweep-run-checks]')) ?? '',
    /Run warning: The selection spans NUMA nodes 0, 1/,
  );
});
