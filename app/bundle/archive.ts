/**
 * Writes the bundle: one .tar.gz streamed to a temporary file next to the target and renamed into place at the
 * end, so a crash or a full disk never leaves a half bundle under the final name. Every entry is hashed as it
 * streams through, which gives MANIFEST.json without reading anything twice.
 */
import { outputText } from '../util/records';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Pack } from 'tar-stream';

export interface ManifestEntry {
  /** Path inside the bundle directory, e.g. "run/output.log". */
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: 'aio-tuner-bundle/1';
  createdAt: string;
  files: ManifestEntry[];
}

export interface FinishedArchive {
  path: string;
  sizeBytes: number;
  manifest: Manifest;
}

/** A sink an entry's content is written to; resolves writes only once the archive accepted them. */
export interface EntrySink {
  write(chunk: Buffer): Promise<void>;
}

function writeChunk(w: Writable, chunk: Buffer): Promise<void> {
  // Honour backpressure: a multi-gigabyte log must not pile up in memory in front of gzip.
  if (w.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => w.once('drain', () => resolve()));
}

export class BundleArchive {
  private readonly pack: Pack;
  private readonly done: Promise<void>;
  private readonly entries: ManifestEntry[] = [];
  private readonly mtime = new Date();
  private failure: Error | null = null;
  private readonly failed: Promise<never>;
  private finished = false;

  private constructor(
    /** Final .tar.gz path. */
    readonly path: string,
    /** Directory every entry is placed under, so extracting never scatters files into the current folder. */
    readonly root: string,
    private readonly tmp: string,
    pack: Pack,
  ) {
    this.pack = pack;
    this.done = pipeline(this.pack, createGzip({ level: 6 }), createWriteStream(tmp, { mode: 0o644 }));
    // Settles only on failure: raced against every wait so a broken disk cannot hang the bundle.
    this.failed = new Promise<never>((_resolve, reject) =>
      this.done.catch((e: unknown) => {
        this.failure = e as Error;
        reject(e as Error);
      }),
    );
    this.failed.catch(() => undefined);
  }

  /** Start an archive at `path`; its entries go below `root/`. The target directory is created if needed. */
  static async create(path: string, root: string): Promise<BundleArchive> {
    await mkdir(dirname(path), { recursive: true });
    const tmp = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.part`,
    );
    // tar-stream is loaded when a bundle is written, not with every CLI command (see app/server/server.ts).
    const { pack } = await import('tar-stream');
    return new BundleArchive(path, root, tmp, pack());
  }

  get files(): string[] {
    return this.entries.map((e) => e.path);
  }

  /** Add a small file held in memory. */
  async addText(name: string, content: string | Buffer, mode = 0o644): Promise<void> {
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    await this.addStream(name, buf.length, async (sink) => sink.write(buf), mode);
  }

  /**
   * Add an entry of known size whose content `produce` writes chunk by chunk. tar needs the size in the
   * header, before the data; a producer that writes a different amount is a bug and fails the bundle.
   */
  async addStream(
    name: string,
    size: number,
    produce: (sink: EntrySink) => Promise<void>,
    mode = 0o644,
  ): Promise<void> {
    this.assertOpen();
    const hash = createHash('sha256');
    let written = 0;
    let entry!: Writable;
    const entryDone = new Promise<void>((resolve, reject) => {
      entry = this.pack.entry(
        { name: `${this.root}/${name}`, size, mode, mtime: this.mtime, type: 'file' },
        (err) => (err ? reject(err) : resolve()),
      ) as unknown as Writable;
    });
    // When the producer fails, nobody awaits the entry; abort() then destroys it, which must not surface as an
    // unhandled rejection.
    entryDone.catch(() => undefined);
    await produce({
      write: async (chunk) => {
        if (chunk.length === 0) return;
        written += chunk.length;
        if (written > size) throw new Error(`bundle entry ${name}: more data than announced (${size} bytes)`);
        hash.update(chunk);
        await Promise.race([writeChunk(entry, chunk), this.failed]);
      },
    });
    if (written !== size) throw new Error(`bundle entry ${name}: wrote ${written} of ${size} bytes`);
    entry.end();
    await Promise.race([entryDone, this.failed]);
    this.entries.push({ path: name, size, sha256: hash.digest('hex') });
  }

  /** Add MANIFEST.json, close the archive, flush it to disk and move it to its final name. */
  async finish(): Promise<FinishedArchive> {
    this.assertOpen();
    const manifest: Manifest = {
      format: 'aio-tuner-bundle/1',
      createdAt: this.mtime.toISOString(),
      files: [...this.entries],
    };
    await this.addText('MANIFEST.json', outputText('bundle-manifest', manifest));
    this.finished = true;
    this.pack.finalize();
    await this.done;
    // fsync before rename: otherwise a power loss can leave the final name pointing at an empty file.
    const fh = await open(this.tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(this.tmp, this.path);
    const { size } = await stat(this.path);
    return { path: this.path, sizeBytes: size, manifest };
  }

  /** Give up: remove the temporary file. Safe to call after a failure or twice. */
  async abort(): Promise<void> {
    this.finished = true;
    this.pack.destroy();
    await this.done.catch(() => undefined);
    await rm(this.tmp, { force: true });
  }

  private assertOpen(): void {
    if (this.failure) throw this.failure;
    if (this.finished) throw new Error('bundle archive already finished');
  }
}
