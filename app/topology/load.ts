/**
 * One entry point for callers (CLI, server): pick the source the options and the platform call for. Remote
 * targets are read by app/remote/, a layer above: it plugs its probe in (app/remote/topology-load.ts), so this,
 * the lowest layer, never imports it.
 */
import { basename } from 'node:path';
import { hostTopology } from './host';
import { importTopology, readImportText } from './import';
import { readSysfsTopology } from './sysfs';
import { openSysroot } from './sysroot-archive';
import type { Topology } from '../shared/topology';

export interface LoadOptions {
  /**
   * Read a sysfs/procfs dump below this directory (like `lscpu --sysroot`), or in this archive (an
   * `aio-tuner dump` .tar.gz or a support bundle).
   */
  sysroot?: string;
  /** Import lscpu / numactl -H text from this file. */
  fromFile?: string;
  /** Read a remote target over ssh / docker exec (app/remote): ssh://user@host, docker://name, … */
  target?: string;
}

/** Reads the topology of a target that is not this machine. */
export interface TargetProbe {
  /** Throws on a target URL that does not parse. */
  isRemote(target: string): boolean;
  read(target: string): Promise<Topology>;
}

export async function loadTopology(opts: LoadOptions = {}, probe?: TargetProbe): Promise<Topology> {
  if (opts.sysroot && opts.fromFile) throw new Error('use either a sysroot or a file to import, not both');
  if (opts.target !== undefined) {
    // Reading this machine instead would show the wrong map without a word.
    if (!probe) throw new Error(`cannot read target ${opts.target}: no target probe given`);
    if (probe.isRemote(opts.target)) {
      if (opts.sysroot || opts.fromFile) throw new Error('use either a target or a sysroot/file, not both');
      return probe.read(opts.target);
    }
  }
  if (opts.fromFile) return importTopology(readImportText(opts.fromFile), basename(opts.fromFile));
  if (opts.sysroot) return readSysroot(opts.sysroot);
  if (process.platform === 'linux') return readSysfsTopology('/');
  return hostTopology();
}

/** A saved root, or an archive holding one: the model names the archive as its origin, its source stays sysfs. */
export async function readSysroot(path: string): Promise<Topology> {
  const opened = await openSysroot(path);
  try {
    let t: Topology;
    try {
      t = await readSysfsTopology(opened.dir);
    } catch (e) {
      // The unpacked copy's temporary path means nothing to the user: name the archive.
      if (opened.dir !== path) (e as Error).message = (e as Error).message.split(opened.dir).join(path);
      throw e;
    }
    t.origin = opened.origin;
    return t;
  } finally {
    opened.close();
  }
}
