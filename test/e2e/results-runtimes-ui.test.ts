// The result card shows other runtimes' numbers (issue 17): a workload printing a real llama-bench table shows
// tokens/s with the ± llama-bench printed, and an OpenVINO benchmark_app report its echoed settings and latency
// range. Real server, real processes, headless Chromium; the samples' origins: test/fixtures/outputs/README.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { openApp, pickCpus, runToEnd } from '../helpers/ui';

const FIX = resolve(__dirname, '..', 'fixtures', 'outputs');
let browser: Browser;
let served: Served;

before(async () => {
  [browser, served] = await Promise.all([launchBrowser(), startServe()]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
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
