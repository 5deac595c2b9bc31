/**
 * Doctor fixtures: a shared kernel dump (test/fixtures/*.tar.gz) with the overlays of test/fixtures/doctor/CASE
 * copied on top (the /proc and /sys files a case sets to its value). Built once per content under the OS temp
 * dir through fixtures.ts's cachedTree, like fixtureRoot.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, cachedTree, FIXTURES_DIR, fixtureRoot } from './fixtures';

export const DOCTOR_OVERLAYS = join(FIXTURES_DIR, 'doctor');

function digestOf(dir: string, h = createHash('sha256')): ReturnType<typeof createHash> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    h.update(name);
    if (statSync(p).isDirectory()) digestOf(p, h);
    else h.update(readFileSync(p));
  }
  return h;
}

/** Directory holding dump `dump` with overlays `cases` (names under test/fixtures/doctor) applied in order. */
export function doctorRoot(dump: string, ...cases: string[]): string {
  const base = fixtureRoot(dump);
  const h = createHash('sha256').update(base);
  for (const c of cases) {
    const dir = join(DOCTOR_OVERLAYS, c);
    if (!existsSync(dir)) throw new Error(`no doctor overlay ${dir}`);
    h.update(c);
    digestOf(dir, h);
  }
  const target = join(
    CACHE_DIR,
    `doctor-${dump}-${cases.join('+') || 'plain'}-${h.digest('hex').slice(0, 12)}`,
  );
  return cachedTree(target, (staging) => {
    execFileSync('cp', ['-a', `${base}/.`, staging]);
    for (const c of cases) cpSync(join(DOCTOR_OVERLAYS, c), staging, { recursive: true, force: true });
  });
}
