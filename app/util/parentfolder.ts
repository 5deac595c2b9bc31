/**
 * One rule for every path the user names for the tool to write (`run --log`, `bundle --out`, the viewer's
 * Save): the folder it goes into must already exist. Creating missing folders silently turns a typo into a
 * file nobody finds.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why `path` cannot be written into its folder, or null when the folder exists. */
export function parentFolderProblem(path: string): string | null {
  return folderProblem(dirname(resolve(path)));
}

/** Why `dir` cannot receive files, or null when it is an existing folder. */
export function folderProblem(dir: string): string | null {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return `the folder ${dir} does not exist`;
  }
  return isDir ? null : `${dir} is not a folder`;
}
