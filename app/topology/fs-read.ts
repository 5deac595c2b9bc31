/**
 * Tolerant, synchronous file access for sysfs/procfs. These are kernel pseudo-files that never wait on a disk,
 * so blocking reads are the fast path: a 160-CPU machine has ~2,500 attributes to read, and the thread-pool
 * round trip of fs/promises made the probe ~10x slower than reading them in line.
 * An attribute that is absent on this kernel or board is normal, hence null instead of an exception.
 */
import { closeSync, constants, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { attrText } from './attr-text';

// sysfs attributes are at most a page; one reusable buffer avoids an allocation and an fstat per file.
const buffer = Buffer.allocUnsafe(8192);

/**
 * Sees every file and directory read through this module, with what was found (null: absent or unreadable). It
 * is how `aio-tuner dump` copies exactly the files the engine reads (app/bundle/sysdump.ts): no second list.
 */
export interface ReadRecorder {
  file(path: string, bytes: Buffer | null): void;
  dir(path: string, names: string[] | null): void;
}
const recorders = new Set<ReadRecorder>();

/** Start recording (several may record at once, e.g. two bundles); returns the function that stops it. */
export function recordReads(r: ReadRecorder): () => void {
  recorders.add(r);
  return () => recorders.delete(r);
}

/** Whether a recorder is on: readers that skip files they can infer must then read them, for the dump's sake. */
export function isRecording(): boolean {
  return recorders.size > 0;
}

function seen(path: string, bytes: Buffer | null): void {
  for (const r of recorders) r.file(path, bytes);
}

/**
 * `fn` with Error stack capture off. Absent attributes are the normal case (a QEMU board's caches have no
 * `size`: two misses per CPU), and Node builds every ENOENT as an Error with a captured stack that nobody reads:
 * about two thirds of a failed open's cost, ~10 ms of a 384-CPU read.
 */
function withoutStacks<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function openOrNull(path: string): number | null {
  // Inline rather than through withoutStacks: this runs ~2,500 times per 160-CPU read, and the closure showed.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return openSync(path, constants.O_RDONLY);
  } catch {
    return null;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * A sysfs attribute, trimmed (attrText), or null when it cannot be read (absent, permission, EINVAL from some attributes).
 * sysfs hands out a whole attribute in one read, so one read call is enough; a full buffer means this is not
 * a sysfs attribute (e.g. a regular file in a dump), which is then read to the end.
 */
export function readAttr(path: string): string | null {
  const fd = openOrNull(path);
  if (fd === null) {
    if (recorders.size > 0) seen(path, null);
    return null;
  }
  try {
    const n = readSync(fd, buffer, 0, buffer.length, null);
    if (n < buffer.length) {
      if (recorders.size > 0) seen(path, buffer.subarray(0, n));
      return attrText(buffer.toString('utf8', 0, n));
    }
    const bytes = readFileSync(path);
    if (recorders.size > 0) seen(path, bytes);
    return attrText(bytes.toString('utf8'));
  } catch {
    if (recorders.size > 0) seen(path, null);
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * A whole file, or null. For procfs files, which are produced a page at a time (a short read is not the end
 * of /proc/cpuinfo), and for the regular files of dumps.
 */
export function readWhole(path: string): string | null {
  return withoutStacks(() => {
    try {
      const bytes = readFileSync(path);
      seen(path, bytes);
      return bytes.toString('utf8');
    } catch {
      seen(path, null);
      return null;
    }
  });
}

/** Directory entries, or the error code when the directory cannot be listed. */
export function listDir(path: string): { names: string[] } | { error: string } {
  return withoutStacks(() => {
    try {
      const names = readdirSync(path);
      for (const r of recorders) r.dir(path, names);
      return { names };
    } catch (err) {
      for (const r of recorders) r.dir(path, null);
      return { error: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
  });
}

/** Integer attribute, or null when absent or not an integer. */
export function readInt(path: string): number | null {
  const text = readAttr(path);
  if (text === null || !/^-?\d+$/.test(text)) return null;
  return Number(text);
}
