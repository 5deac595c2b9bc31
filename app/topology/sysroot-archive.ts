/**
 * `--sysroot` given an archive instead of a directory: an `aio-tuner dump` .tar.gz, a support bundle (whose
 * `system/sysfs/` holds the same dump) or a tarred saved root. Only the tree the engine reads is unpacked, into a
 * private temporary directory, so a bundle's logs are streamed past and never written out.
 */
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** Largest tree unpacked from an archive: a 512-CPU dump is a few MiB; this stops a hostile or wrong archive. */
export const MAX_SYSROOT_TREE_BYTES = 256 * 1024 * 1024;
const MAX_SYSROOT_ENTRIES = 500_000;

/** Entries kept: a dump's tree, alone or under one top directory, or under a bundle's `system/sysfs/`. */
const KEPT = /^(?:[^/]+\/)?(?:system\/sysfs\/)?(?:(?:sys|proc)\/|uname\.txt$|aio-tuner-dump\.json$)/;

export class SysrootArchiveError extends Error {}

export interface OpenedSysroot {
  /** The directory holding sys/ and proc/. */
  dir: string;
  /** What the model names as its origin: the directory or the archive as given. */
  origin: string;
  /** Removes what was unpacked (nothing for a directory). */
  close(): void;
}

/** Is this path a file (an archive to unpack) rather than a saved root directory? */
export function isSysrootArchive(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** What the file's first bytes say it is: a gzip stream, a plain tar, or neither. */
export function archiveKind(path: string): 'gzip' | 'tar' | null {
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (n >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return null;
}

/** Safe relative entry name, or null for absolute paths and `..` components. */
function entryName(name: string): string | null {
  const clean = name.replace(/^(?:\.\/)+/, '');
  if (clean === '' || clean.startsWith('/') || clean.split('/').includes('..')) return null;
  return clean;
}

/** Unpack the kept entries of `archive` (bytes or a file) below `into`. */
async function unpack(source: Readable, into: string, label: string, gzip: boolean): Promise<void> {
  // Loaded when a tarball is read, not with every CLI command (see app/server/server.ts).
  const { extract: tarExtract } = await import('tar-stream');
  const ex = tarExtract();
  let bytes = 0;
  let entries = 0;
  const made = new Set<string>();
  const consume = (async () => {
    for await (const entry of ex) {
      const h = entry.header;
      const name = entryName(h.name);
      if (++entries > MAX_SYSROOT_ENTRIES)
        throw new SysrootArchiveError(`${label}: more than ${MAX_SYSROOT_ENTRIES} entries`);
      const keep = name !== null && KEPT.test(name) && (h.type === 'file' || h.type === 'directory');
      if (!keep) {
        entry.resume();
        continue;
      }
      const path = join(into, name);
      if (h.type === 'directory') {
        mkdirSync(path, { recursive: true });
        entry.resume();
        continue;
      }
      bytes += h.size ?? 0;
      if (bytes > MAX_SYSROOT_TREE_BYTES)
        throw new SysrootArchiveError(
          `${label}: the sysfs tree is larger than ${MAX_SYSROOT_TREE_BYTES / 1024 / 1024} MiB: not a dump`,
        );
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const parent = dirname(path);
      if (!made.has(parent)) {
        mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      // Synchronous: thousands of tiny files, where a thread-pool round trip each costs more than the write.
      writeFileSync(path, Buffer.concat(chunks), { mode: 0o644 });
    }
  })();
  try {
    await Promise.all([gzip ? pipeline(source, createGunzip(), ex) : pipeline(source, ex), consume]);
  } catch (e) {
    if (e instanceof SysrootArchiveError) throw e;
    throw new SysrootArchiveError(`${label}: not a readable .tar.gz archive (${(e as Error).message})`);
  }
}

/** The directory inside an unpacked archive that holds sys/devices/system/cpu, or null. */
function treeRoot(dir: string): string | null {
  const has = (d: string) => existsSync(join(d, 'sys/devices/system/cpu'));
  if (has(dir)) return dir;
  for (const n of readdirSync(dir).sort()) {
    for (const d of [join(dir, n), join(dir, n, 'system', 'sysfs')]) if (has(d)) return d;
  }
  return null;
}

/**
 * Unpack an archive's sysfs tree (from a file, or from bytes uploaded by the UI) into a temporary directory.
 * Throws SysrootArchiveError, in one line naming `label`, for a corrupt archive or one without a tree.
 */
export async function unpackSysroot(source: string | Buffer, label: string): Promise<OpenedSysroot> {
  let gzip: boolean;
  if (typeof source === 'string') {
    const k = archiveKind(source);
    if (k === null) throw new SysrootArchiveError(`${label}: not a .tar.gz archive (nor a directory)`);
    gzip = k === 'gzip';
  } else {
    gzip = source.length >= 2 && source[0] === 0x1f && source[1] === 0x8b;
    if (!gzip && !(source.length >= 262 && source.toString('latin1', 257, 262) === 'ustar'))
      throw new SysrootArchiveError(`${label}: not a .tar.gz archive`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'aio-tuner-sysroot-'));
  const close = () => rmSync(tmp, { recursive: true, force: true });
  try {
    await unpack(
      typeof source === 'string' ? createReadStream(source) : Readable.from([source]),
      tmp,
      label,
      gzip,
    );
    const dir = treeRoot(tmp);
    if (dir === null)
      throw new SysrootArchiveError(
        `${label}: holds no sys/devices/system/cpu: neither an aio-tuner dump, a support bundle with ` +
          'system/sysfs/ (older bundles do not carry one), nor a tarred saved root',
      );
    return { dir, origin: label, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** A `--sysroot` path as a directory to read: itself, or its archive unpacked (close() removes that). */
export async function openSysroot(path: string): Promise<OpenedSysroot> {
  if (!isSysrootArchive(path)) return { dir: path, origin: path, close: () => undefined };
  return unpackSysroot(path, path);
}
