/**
 * Replayable dumps (`aio-tuner dump`, and a support bundle's `system/sysfs/`): exactly the /sys and /proc files
 * the engine reads, with their paths, so `--sysroot` rebuilds the map the user saw.
 *
 * There is no list of files here to drift from the readers: the readers themselves run (topology, the doctor as
 * on a dump, the load sampler) with the recorder of app/topology/fs-read.ts on, and what they read — contents as
 * they read them, absent files left out, and the subdirectories of every directory they listed — is the dump.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { runDoctor } from '../doctor';
import { LoadSampler } from '../run/load';
import type { Topology } from '../shared/topology';
import { recordReads } from '../topology/fs-read';
import { readSysfsTopology } from '../topology/sysfs';
import { outputText } from '../util/records';
import { VERSION } from '../version';

/** The file at the top of every dump that says what made it. */
export const DUMP_MANIFEST = 'aio-tuner-dump.json';

export interface DumpTree {
  /** Path relative to the root ("sys/devices/system/cpu/online") → the bytes the engine read. */
  files: Map<string, Buffer>;
  /** Directories the engine listed (relative; "" is the root) → their subdirectories, which a listing finds. */
  dirs: Map<string, string[]>;
}

export interface RecordedDump {
  tree: DumpTree;
  /** The model the engine made from these very reads: what `--sysroot` on the dump gives back. */
  topology: Topology;
  /** Files the engine looked for and did not find (relative): a remote dump fetches these and reads again. */
  missing: Set<string>;
}

/** Where a dump came from, for its manifest. */
export interface DumpSource {
  /** "this host", the saved root or archive it was made from, or the target's URL. */
  source: string;
  /** The machine's host name (the target's own for a target). */
  host: string;
}

/** Relative name of `path` below `root`, or null when the reader went outside it. */
function inside(root: string, path: string): string | null {
  const rel = relative(root, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : rel;
}

/**
 * The entries of a listed directory a replay needs: the readers list folders for their numbered entries (cpu12,
 * node1, index3), which must exist even when nothing inside them was read (an offline CPU, a node without files).
 */
function subdirectories(dir: string, names: string[]): string[] {
  return names.filter((n) => {
    if (!/\d$/.test(n)) return false;
    try {
      return statSync(join(dir, n)).isDirectory();
    } catch {
      return false;
    }
  });
}

/**
 * Run the engine's readers against `root` (a live `/`, a saved root or an unpacked archive) and keep what they
 * read. The first reading of a file wins: the map is made from it, so the dump must hold that one. `topology`
 * runs the map's reader alone (a target's map probe).
 */
export async function recordEngineReads(
  root: string,
  scope: 'engine' | 'topology' = 'engine',
): Promise<RecordedDump> {
  const files = new Map<string, Buffer>();
  const dirs = new Map<string, string[]>();
  const missing = new Set<string>();
  const stop = recordReads({
    file(path, bytes) {
      const rel = inside(root, path);
      if (rel === null || files.has(rel)) return;
      if (bytes === null) missing.add(rel);
      else files.set(rel, Buffer.from(bytes));
    },
    dir(path, names) {
      const rel = relative(root, path);
      if (names === null || rel.startsWith('..') || isAbsolute(rel) || dirs.has(rel)) return;
      dirs.set(rel, subdirectories(path, names));
    },
  });
  let topology: Topology;
  try {
    topology = await readSysfsTopology(root);
    if (scope === 'engine') {
      // The doctor as it examines a dump (its programs cannot run there): the files a replay's doctor reads.
      await runDoctor({ sysroot: root, topology });
      try {
        new LoadSampler({ root }).sample();
      } catch {
        // No /proc/stat (a dump of a dump that had none): nothing of it to copy.
      }
    }
  } finally {
    stop();
  }
  for (const rel of files.keys()) missing.delete(rel);
  return { tree: { files, dirs }, topology, missing };
}

/** `uname -a` of this machine, as dumps keep it in uname.txt (the form lscpu's and hwloc's dump tools use). */
export function localUname(): string | null {
  try {
    return execFileSync('uname', ['-a'], { encoding: 'utf8', timeout: 5000 });
  } catch {
    return null;
  }
}

/** A dump of this machine (root "/") or of a saved root, with uname.txt and the manifest added. */
export async function dumpLocal(root: string): Promise<RecordedDump & DumpSource> {
  const live = resolve(root) === '/';
  const recorded = await recordEngineReads(live ? '/' : root);
  if (live && !recorded.tree.files.has('uname.txt')) {
    const uname = localUname();
    if (uname !== null) recorded.tree.files.set('uname.txt', Buffer.from(uname));
  }
  return {
    ...recorded,
    source: live ? 'this host' : root,
    host: live ? hostname() : basename(resolve(root)),
  };
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '') || 'host';
}

/** `$AIO_TUNER_HOME/dumps/aio-tuner-dump-<host>-<time>.tar.gz` (the data directory is app/util/datadir.ts's). */
export function defaultDumpPath(dataDir: string, host: string, now: Date = new Date()): string {
  return join(dataDir, 'dumps', `aio-tuner-dump-${safeName(host)}-${stamp(now)}.tar.gz`);
}

/** Does `--out` name an archive (else a directory to fill)? */
export function isArchiveName(out: string): boolean {
  return /\.(?:tar\.gz|tgz)$/.test(out);
}

function manifest(d: RecordedDump & DumpSource, createdAt: Date): Buffer {
  return Buffer.from(
    outputText('dump-manifest', {
      format: 'aio-tuner-dump/1',
      version: VERSION,
      createdAt: createdAt.toISOString(),
      host: d.host,
      source: d.source,
      files: d.tree.files.size,
      readBy: ['topology', 'doctor', 'load'],
    }),
  );
}

/** Every directory of the tree (listed ones, their subdirectories, and the parents of files), parents first. */
function allDirs(tree: DumpTree): string[] {
  const out = new Set<string>();
  const add = (d: string) => {
    for (let p = d; p !== '.' && p !== '' && !out.has(p); p = dirname(p)) out.add(p);
  };
  for (const [d, subs] of tree.dirs) {
    if (d !== '') add(d);
    for (const s of subs) add(d === '' ? s : join(d, s));
  }
  for (const f of tree.files.keys()) add(dirname(f));
  return [...out].sort();
}

/** Why `out` cannot receive a dump directory, or null. */
function dirProblem(out: string): string | null {
  try {
    const st = statSync(out);
    if (!st.isDirectory()) return `${out} exists and is not a directory`;
    if (readdirSync(out).length > 0) return `${out} exists and is not empty`;
  } catch {
    // Absent: it will be created.
  }
  return null;
}

/** The tree as a directory: built next to `out` and renamed into place, so `out` is never half a dump. */
async function writeDir(d: RecordedDump & DumpSource, out: string, now: Date): Promise<void> {
  const problem = dirProblem(out);
  if (problem) throw new Error(`cannot write the dump: ${problem}`);
  const parent = dirname(resolve(out));
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(out)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  try {
    await mkdir(staging);
    // Synchronous: thousands of tiny files, where a thread-pool round trip each costs more than the write.
    for (const dir of allDirs(d.tree)) mkdirSync(join(staging, dir), { recursive: true });
    for (const [rel, bytes] of d.tree.files) writeFileSync(join(staging, rel), bytes, { mode: 0o644 });
    await writeFile(join(staging, DUMP_MANIFEST), manifest(d, now), { mode: 0o644 });
    try {
      rmdirSync(out); // an empty directory given as --out
    } catch {
      // absent
    }
    await rename(staging, out);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}

/** The tree as a .tar.gz below one top directory named like the file: streamed to a temporary, then renamed. */
async function writeArchive(d: RecordedDump & DumpSource, out: string, now: Date): Promise<void> {
  await mkdir(dirname(resolve(out)), { recursive: true });
  const top = basename(out).replace(/\.(?:tar\.gz|tgz)$/, '');
  const tmp = join(
    dirname(resolve(out)),
    `.${basename(out)}.${process.pid}.${randomBytes(4).toString('hex')}.part`,
  );
  // tar-stream is loaded when an archive is written, not with every CLI command (see app/server/server.ts).
  const { pack: tarPack } = await import('tar-stream');
  const pack = tarPack();
  const done = pipeline(pack, createGzip({ level: 9 }), createWriteStream(tmp, { mode: 0o644 }));
  const add = (name: string, body?: Buffer) =>
    new Promise<void>((res, rej) =>
      body === undefined
        ? pack.entry({ name: `${top}/${name}/`, type: 'directory', mode: 0o755, mtime: now }, (e) =>
            e ? rej(e) : res(),
          )
        : pack.entry({ name: `${top}/${name}`, type: 'file', mode: 0o644, mtime: now }, body, (e) =>
            e ? rej(e) : res(),
          ),
    );
  try {
    await Promise.race([
      (async () => {
        for (const dir of allDirs(d.tree)) await add(dir);
        for (const rel of [...d.tree.files.keys()].sort()) await add(rel, d.tree.files.get(rel)!);
        await add(DUMP_MANIFEST, manifest(d, now));
        pack.finalize();
      })(),
      done.then(() => undefined),
    ]);
    await done;
    // fsync before rename: a power cut must not leave the final name pointing at an empty file.
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, out);
  } catch (e) {
    pack.destroy();
    await done.catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Write a recorded dump to `out` (a .tar.gz, else a directory); returns its size in bytes. */
export async function writeDump(
  d: RecordedDump & DumpSource,
  out: string,
  now = new Date(),
): Promise<number> {
  if (isArchiveName(out)) {
    await writeArchive(d, out, now);
    return (await stat(out)).size;
  }
  await writeDir(d, out, now);
  let size = 0;
  for (const b of d.tree.files.values()) size += b.length;
  return size;
}

/**
 * A dump's tree as bundle entries below `system/sysfs/` (one level, no top directory): the bundle is then itself
 * a `--sysroot` archive. Directory entries are not kept by the bundle's archive; a listed directory that would
 * come out empty gets a `.keep` file so it exists when unpacked.
 */
export function bundleEntries(tree: DumpTree): { name: string; content: Buffer }[] {
  const out: { name: string; content: Buffer }[] = [];
  const filled = new Set<string>();
  for (const f of tree.files.keys()) for (let p = dirname(f); p !== '.'; p = dirname(p)) filled.add(p);
  for (const dir of allDirs(tree))
    if (!filled.has(dir)) out.push({ name: `system/sysfs/${dir}/.keep`, content: Buffer.alloc(0) });
  for (const rel of [...tree.files.keys()].sort())
    out.push({ name: `system/sysfs/${rel}`, content: tree.files.get(rel)! });
  return out;
}
