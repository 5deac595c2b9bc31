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
