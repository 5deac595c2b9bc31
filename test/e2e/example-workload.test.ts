// The example workload offered in the UI when python3 on PATH has no PyTorch (a pyenv shim, a project venv)
// while the system Python has it: the interpreter that has it is offered, and the UI says which and why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startServe, launchBrowser, type Served } from '../helpers/serve';
import { need } from '../helpers/require';
import { SYSTEM_PYTHON, systemHasTorch, venvWithoutTorch } from '../helpers/venv';

const venvBin = systemHasTorch() ? venvWithoutTorch() : null;
let browser: Browser;
let served: Served;
before(async () => {
  if (venvBin === null) return;
  [browser, served] = await Promise.all([
    launchBrowser(),
    startServe([], { env: { PATH: `${venvBin}:${process.env.PATH}` } }),
  ]);
});
after(async () => {
  await browser?.close();
  await served?.stop();
});

test('python3 on PATH lacks PyTorch: the example is offered with the system python3, and the UI says so', async (t) => {
  if (!need(t, venvBin !== null, `${SYSTEM_PYTHON} with PyTorch (python3-torch) and its venv module`)) return;
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  try {
    await page.goto(served.url);
    const note = await page.waitForSelector('[data-testid=example-interpreter]');
    assert.equal(await note.getAttribute('data-found'), 'true');
    const text = (await note.textContent()) ?? '';
    assert.match(text, new RegExp(`runs with ${SYSTEM_PYTHON}, which has PyTorch`));
    assert.match(text, /python3 .*: has no PyTorch/);
    const workload = await page.inputValue('[data-testid=workload]');
    assert.ok(workload.startsWith(`${SYSTEM_PYTHON} `), workload);
    await page.waitForFunction(
      (py) => document.querySelector('[data-testid=preview-bash]')?.textContent?.includes(`${py} /`),
      SYSTEM_PYTHON,
    );
    // Another workload: the note is about the example only.
    await page.fill('[data-testid=workload]', 'python3 my.py');
    await page.waitForSelector('[data-testid=example-interpreter]', { state: 'detached' });
  } finally {
    await page.close();
  }
});
