/**
 * The real-world sysfs dumps of test/fixtures/real/util-linux (util-linux's own test data): each tarball holds one
 * directory named like the tarball, extracted once per content into the fixture cache.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, cachedTree, FIXTURES_DIR } from './fixtures';

export const UTIL_LINUX_DUMPS = join(FIXTURES_DIR, 'real/util-linux');

/** Root of the extracted `real/util-linux/NAME.tar.gz`, for `--sysroot`. */
export function utilLinuxRoot(name: string): string {
  const tarball = join(UTIL_LINUX_DUMPS, `${name}.tar.gz`);
  const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 12);
  const target = cachedTree(join(CACHE_DIR, `real-util-linux-${name}-${digest}`), (staging) =>
    execFileSync('tar', ['-xzf', tarball, '-C', staging], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  return join(target, name);
}
