/** Page steps shared by the end-to-end tests of the run view. */
import type { Browser, Page } from 'playwright-core';

/** A 1920×1080 page on the served UI, ready for typing. */
export async function openApp(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(url);
  // The example workload replaces the default once system.info is in: typing before that would be overwritten.
  await page.waitForSelector('[data-testid=example-hint]');
  return page;
}

/** Type a workload line and wait until the engine's preview has it. */
export async function setWorkload(page: Page, line: string): Promise<void> {
  await page.fill('[data-testid=workload]', line);
  await page.waitForFunction(
    (l) => document.querySelector('[data-testid=preview-bash]')?.textContent?.includes(l.split(' ')[0]!),
    line,
  );
}

export const attr = (page: Page, sel: string, name: string) =>
  page.getAttribute(sel, name).then((v) => v ?? '');

/** Type a CPU list into the picker's field and wait until the preview binds exactly it. */
export async function pickCpus(page: Page, list: string): Promise<void> {
  await page.fill('[data-testid=cpu-list]', list);
  await page.waitForFunction(
    (l) => document.querySelector('[data-testid=preview-bash]')?.textContent?.includes(`--physcpubind=${l}`),
    list,
  );
}

/** Press Stop and wait until the run reports it ended by a signal. */
export async function stopRun(page: Page): Promise<void> {
  await page.click('[data-testid=run-stop]');
  await page.waitForSelector('[data-testid=run-status][data-state=stopped]', { timeout: 10_000 });
}

/** A finished run's recorded load on one CPU, as the load strip shows it: mean and peak (0..1). */
export async function recordedLoad(page: Page, cpu: number): Promise<{ mean: number; peak: number }> {
  const cell = `[data-testid=load-strip][data-live=false] [data-cpu="${cpu}"]`;
  await page.waitForSelector(`${cell}[data-peak]`);
  return {
    mean: Number(await attr(page, cell, 'data-busy')),
    peak: Number(await attr(page, cell, 'data-peak')),
  };
}

/** Type a workload line, press Start and wait until the run has exited on its own. */
export async function runToEnd(page: Page, line: string): Promise<void> {
  await setWorkload(page, line);
  await page.click('[data-testid=run-start]');
  await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
}

/**
 * Show a workspace area by its navigation entry (`data-testid=nav-ID`), and wait until it is on screen
 * (`data-testid=area-ID`).
 */
export async function gotoArea(
  page: Page,
  id: 'pick' | 'run' | 'tune' | 'history' | 'host' | 'support',
): Promise<void> {
  const nav = page.locator(`[data-testid=nav-${id}]`);
  // Until the workspace layout is merged every panel is on one page: nothing to navigate.
  if ((await nav.count()) === 0) return;
  await nav.click();
  await page.waitForSelector(`[data-testid=area-${id}]`, { state: 'visible' });
}
