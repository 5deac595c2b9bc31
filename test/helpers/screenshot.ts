/**
 * Where an e2e test writes a screenshot. The README's pictures under docs/ are tracked files: a plain test run
 * must not rewrite them (it did, on every run), so they are refreshed only on purpose with UPDATE_SCREENSHOTS=1;
 * otherwise the picture goes to the temp dir, still taken, so a broken page still fails the step.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function screenshotPath(name: string): string {
  return process.env.UPDATE_SCREENSHOTS === '1'
    ? resolve(__dirname, '../../docs', name)
    : join(tmpdir(), `aio-tuner-${name}`);
}
