/**
 * Crash-safe file writes: a reader (or the next start after a power cut) sees either the old file or the new
 * one, never a half-written mix.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { NewerRecordError } from './records';

/**
 * Write `data` to `path` atomically: a temporary file in the same directory (rename is only atomic within one
 * file system), flushed to disk with fsync before the rename, then the directory entry flushed too.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: { mode?: number } = {},
): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  let renamed = false;
  try {
    const fh = await open(tmp, 'wx', opts.mode ?? 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    renamed = true;
    await syncDir(dir);
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
}

/** Why a write failed, in words a user acts on; Node's own message (with the temporary file's name) otherwise. */
export function whyNotWritten(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'a folder of that name is in the way';
    case 'EEXIST':
    case 'ENOTDIR':
      return 'a file is in the way of its folder';
    default:
      return err?.message ?? String(e);
  }
}

/** Best effort: persist the rename itself. Directories cannot be opened for fsync on Windows. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some file systems refuse fsync on directories; the data itself is already on disk.
  }
}

export class JsonFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
    /**
     * 'missing' (no such file), 'syntax' (not JSON), 'invalid' (JSON of the wrong shape), 'newer' (a record a
     * newer AIO Tuner wrote: leave the file as it is), 'io' (other errors).
     */
    readonly kind: 'missing' | 'syntax' | 'invalid' | 'newer' | 'io',
  ) {
    super(message);
    this.name = 'JsonFileError';
  }
}

/**
 * Read and parse a JSON file, optionally validating it (`validate` throws on bad data, e.g. a zod `parse`).
 * Every failure becomes a JsonFileError that says which file and what went wrong.
 */
export async function readJsonFile(path: string): Promise<unknown>;
export async function readJsonFile<T>(path: string, validate: (data: unknown) => T): Promise<T>;
export async function readJsonFile<T>(path: string, validate?: (data: unknown) => T): Promise<T | unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new JsonFileError(`${path} does not exist`, path, 'missing');
    throw new JsonFileError(`cannot read ${path}: ${err.message}`, path, 'io');
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new JsonFileError(`${path} is not valid JSON: ${(e as Error).message}`, path, 'syntax');
  }
  if (!validate) return data;
  try {
    return validate(data);
  } catch (e) {
    if (e instanceof NewerRecordError) throw new JsonFileError(`${path} was ${e.message}`, path, 'newer');
    throw new JsonFileError(`${path} has unexpected contents: ${(e as Error).message}`, path, 'invalid');
  }
}
