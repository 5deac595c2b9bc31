/**
 * The system parts tests use for real (numactl, python3-torch, tar, sshd…): when one is missing a test is
 * skipped with the reason on a developer's machine, and fails under CI=true, where .ci/run must have installed it.
 */
import assert from 'node:assert/strict';

export function need(t: { skip(msg: string): void }, ok: boolean, what: string): boolean {
  if (ok) return true;
  if (process.env.CI === 'true') assert.fail(`${what} is required when CI=true`);
  t.skip(`${what} is not installed; install it to run this test`);
  return false;
}
