// The result card shows other runtimes' numbers (issue 17): a workload printing a real llama-bench table shows
// tokens/s with the ± llama-bench printed, and an OpenVINO benchmark_app report its echoed settings and latency
// range. Real server, real processes, headless Chromium; the samples' origins: test/fixtures/outputs/README.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { gotoArea, openApp, pickCpus, runToEnd, setWorkload } from '../helpers/ui';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { need } from '../helpers/require';

const FIX = resolve(__dirname, '..', 'fixtures', 'outputs');
let browser: Browser;
let served: Served;

before(async () => {
  [browser, served] = await Promise.all([launchBrowser(), startServe()]);
});
const dir = mkdtempSync(join(tmpdir(), 'aio-results-ui-'));
after(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('llama-bench: tokens/s and prompt tokens/s with their ±; OpenVINO: hint, streams, threads', async () => {
  const page = await openApp(browser, served.url);
  try {
    await pickCpus(page, '1');
    await runToEnd(page, `cat ${join(FIX, 'llama-bench.md')}`);
    await page.waitForSelector('[data-testid=result-card][data-outcome=success]');
    const gen = (await page.textContent('[data-testid=result-llm-tokensPerSecond]')) ?? '';
    assert.match(gen, /Generation\s*131\.4\s*± 0\.59\s*tokens\/s/);
    const prompt = (await page.textContent('[data-testid=result-llm-promptTokensPerSecond]')) ?? '';
    assert.match(prompt, /Prompt\s*2368\.8\s*± 93\.24\s*tokens\/s/);
    assert.equal(
      await page.isVisible('[data-testid=result-llm-ttftMs]'),
      false,
      'llama-bench prints no ttft',
    );
    assert.match((await page.textContent('[data-testid=result-runtime]')) ?? '', /llama-bench/);

    await runToEnd(page, `cat ${join(FIX, 'openvino-benchmark_app-2023.3.txt')}`);
    await page.waitForSelector('[data-testid=result-runtime] >> text=/openvino/');
    assert.equal(
      await page.textContent('[data-testid=result-runtime]'),
      'openvino, hint THROUGHPUT, 12 streams, 24 threads',
    );
    assert.match((await page.textContent('[data-testid=result-throughput]')) ?? '', /5898\.0\s*FPS/);
    assert.match((await page.textContent('[data-testid=result-latency-range]')) ?? '', /1\.17 ms – 8\.69 ms/);
    assert.equal(await page.isVisible('[data-testid=result-llm]'), false, 'no tokens for an image model');
  } finally {
    await page.close();
  }
});

test('sweep builder: "Also rank by" tokensPerSecond gives its own card, with the repetitions\' interval', async (t) => {
  if (!need(t, spawnSync('numactl', ['--show']).status === 0, 'numactl')) return;
  // llama-cli's timing lines, tokens/s growing with the threads the sweep sets (and a little jitter).
  const llama = join(dir, 'llama.sh');
  writeFileSync(
    llama,
    '#!/bin/sh\nT=${AIO_NUM_THREADS:-1}\nJ=$(( $$ % 7 ))\n' +
      'echo "llama_perf_context_print: prompt eval time =      88.24 ms /     9 tokens (    9.80 ms per token,   102.00 tokens per second)"\n' +
      'echo "llama_perf_context_print:        eval time =    2226.40 ms /   127 runs   (   17.53 ms per token,    $((T * 20)).$J tokens per second)"\n',
  );
  chmodSync(llama, 0o755);
  const page = await openApp(browser, served.url);
  try {
    await gotoArea(page, 'pick');
    await setWorkload(page, llama);
    await gotoArea(page, 'tune');
    await page.fill('[data-testid=sweep-threads]', '1,2');
    await page.fill('[data-testid=sweep-instances]', '1');
    await page.fill('[data-testid=sweep-batches]', '');
    await page.fill('[data-testid=sweep-repeat]', '2');
    await page.fill('[data-testid=sweep-until-stable]', '');
    for (const p of ['compact', 'spread'])
      await page.setChecked(`[data-testid=sweep-placement-${p}]`, p === 'compact');
    for (const v of ['fp32', 'fp16', 'int8', 'int8-fc', 'off'])
      await page.setChecked(`[data-testid=sweep-variant-${v}]`, v === 'fp32');
    await page.selectOption('[data-testid=sweep-metric]', 'tokensPerSecond');
    await page.waitForFunction(() =>
      /\(4 runs\)/.test(document.querySelector('[data-testid=sweep-start]')?.textContent ?? ''),
    );
    await page.click('[data-testid=sweep-start]');
    const panel = page.locator('[data-testid=sweep-panel]');
    await panel.locator('[data-testid=sweep-state]').waitFor({ timeout: 120_000 });
    assert.match((await panel.locator('[data-testid=sweep-state]').textContent()) ?? '', /done, 4 of 4 runs/);
    const card = panel.locator('[data-testid=rec-metric]');
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /Best tokensPerSecond \(highest\)/);
    assert.match((await card.textContent()) ?? '', /1 × 2 thread/);
    assert.match(
      (await card.locator('[data-testid=rec-metric-value]').textContent()) ?? '',
      /4\d\.\d\d tokens\/s \(95 % CI [\d.]+–[\d.]+\), n=2/,
    );
  } finally {
    await page.close();
  }
});
