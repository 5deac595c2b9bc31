/**
 * The real-world sysfs dumps of test/fixtures/real/util-linux (util-linux's own test data): each tarball holds one
 * directory named like the tarball, extracted once per content into the fixture cache.
 */
import { join } from 'node:path';
import { FIXTURES_DIR } from './fixtures';
import { realDumpRoot } from './reference-topology';

export const UTIL_LINUX_DUMPS = join(FIXTURES_DIR, 'real/util-linux');

/** Root of the extracted `real/util-linux/NAME.tar.gz`, for `--sysroot`. */
export function utilLinuxRoot(name: string): string {
  return realDumpRoot(`util-linux/${name}.tar.gz`);
}
