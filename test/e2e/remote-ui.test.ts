// Remote targets through the UI: a real sshd on 127.0.0.1, the real server, headless Chromium. The user adds
// ssh://…, the map says it shows that target, a run there streams its log and ends with its exit code, Stop
// ends a run's whole process group there, and "Gather logs for support" collects on the target. The target is
// this machine over ssh, so what happens "remotely" can be checked in this machine's /proc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';
import { gotoArea, pickCpus, setWorkload, stopRun } from '../helpers/ui';

const why = sshdUnavailable();
if (why && process.env.CI === 'true') throw new Error(`remote UI tests need sshd under CI=true: ${why}`);

let browser: Browser;
let served: Served;
let sshd: Sshd;

before(async () => {
  if (why) return;
  sshd = await startSshd();
  [browser, served] = await Promise.all([
    launchBrowser(),
    startServe([], { env: { AIO_TUNER_SSH_CONFIG: sshd.config } }),
  ]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
  await sshd?.stop();
});

/** Processes of this machine whose command line is exactly `argv` (the target is this machine over ssh). */
function processesRunning(argv: string[]): number {
  const want = argv.join('\0') + '\0';
  let n = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === want) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

test(
  'add an ssh target, see its map, run, stop and bundle there',
  { skip: why ?? false, timeout: 120_000 },
  async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=example-hint]');
    assert.equal(await page.textContent('[data-testid=target-active]'), 'this machine');

    // Where a run starts without a working directory, said for the target: here the tool's own directory.
    assert.match(
      (await page.getAttribute('[data-testid=cwd]', 'placeholder')) ?? '',
      /the tool's current directory/,
    );

    await page.click('[data-testid=target-picker] summary');
    // The hint says how to use another ssh config file, with an example.
    assert.match(
      (await page.textContent('[data-testid=target-config-hint]')) ?? '',
      /\?config=FILE.*ssh:\/\/me@server\?config=\//,
    );
    await page.fill('[data-testid=target-url]', sshd.url);
    await page.click('[data-testid=target-test]');
    await page.waitForSelector('[data-testid=target-check].target-ok', { timeout: 60_000 });
    await page.click('[data-testid=target-add]');
    await page.click(`[data-testid=target-list] li[data-target="${sshd.url}"] button:has-text("Use")`);
    await page.waitForFunction(
      (u) => document.querySelector('[data-testid=target-active]')?.textContent?.includes(u.split('?')[0]!),
      sshd.url,
      { timeout: 60_000 },
    );
    // The map's source line names the target it shows.
    await page.waitForFunction(() => document.body.textContent?.includes('ssh://'));
    assert.ok((await page.locator('[data-cpu]').count()) > 0);
    // A remote run starts in the login directory there, not in the tool's directory.
    assert.match(
      (await page.getAttribute('[data-testid=cwd]', 'placeholder')) ?? '',
      /login directory \(\$HOME\)/,
    );

    await pickCpus(page, '1');
    await page.fill(
      '[data-testid=workload]',
      '/usr/bin/python3 -c "import os; print(\'remote-ok\', sorted(os.sched_getaffinity(0)))"',
    );
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=preview-bash]')?.textContent?.includes('remote-ok'),
    );
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=log-row]:has-text("remote-ok [1]")', { timeout: 60_000 });
    await page.waitForFunction(
      () => /exit code 0/.test(document.querySelector('[data-testid=run-status]')?.textContent ?? ''),
      null,
      {
        timeout: 60_000,
      },
    );

    // Stop on the target: the remote process group ends too (a duration no other test uses, to count only ours).
    const sleeper = ['sleep', '313'];
    await setWorkload(page, '/bin/sh -c "sleep 313 & sleep 313; wait"');
    await page.click('[data-testid=run-start]');
    assert.ok(await until(() => processesRunning(sleeper) === 2, 30_000), 'both sleeps run on the target');
    await stopRun(page);
    assert.ok(
      await until(() => processesRunning(sleeper) === 0, 10_000),
      'nothing is left behind on the target',
    );

    // Gather logs for support: the level-4 run and the system files come from the target, the bundle is written here.
    await setWorkload(page, `/usr/bin/python3 -c "print('bundled-on-target')"`);
    await gotoArea(page, 'support');
    await page.click('[data-testid=bundle-open]');
    await page.waitForSelector('[data-testid=bundle-preview]');
    await page.click('[data-testid=bundle-gather]');
    await page.waitForSelector('[data-testid=bundle-result]', { timeout: 90_000 });
    const path = (await page.textContent('[data-testid=bundle-path]')) ?? '';
    const x = mkdtempSync(join(tmpdir(), 'aio-remote-bundle-'));
    assert.equal(spawnSync('tar', ['-xzf', path, '-C', x]).status, 0);
    const [root] = readdirSync(x);
    const read = (p: string) => readFileSync(join(x, root!, p), 'utf8');
    assert.match(read('README.txt'), /ssh:\/\//);
    assert.match(read('system/cpuinfo.txt'), /\/proc\/cpuinfo on ssh:\/\//);
    assert.match(read('run/output.log'), /bundled-on-target/);
    assert.match(read('run/env.txt'), /AIO_DEBUG_MODE=4/);
    await page.close();
  },
);
