/**
 * `aio-tuner dump [--out FILE.tar.gz|DIR] [--sysroot DIR|ARCHIVE | --target URL] [--json]`: the /sys and /proc
 * files the engine reads (app/bundle/sysdump.ts), with uname and the tool's version, as a tree `--sysroot`
 * reads back to the same map. Exit 0; 1 when the machine cannot be read or the dump cannot be written; 2 for
 * usage.
 */
import { basename, resolve } from 'node:path';
import { parse, UsageError } from './args';
import { sourceFrom } from './topology';
import { defaultDumpPath, dumpLocal, writeDump } from '../bundle/sysdump';
import { dumpTarget } from '../remote/dump';
import { remoteContext } from '../remote/ssh';
import { isRemote, parseTarget } from '../remote/url';
import { openSysroot } from '../topology';
import { formatBytes } from '../shared/units';
import { dataDir } from '../util/datadir';
import { whyNotWritten } from '../util/atomic';
import { outputText } from '../util/records';

export const DUMP_OPTIONS = {
  out: { type: 'string' },
  sysroot: { type: 'string' },
  target: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function dumpCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, DUMP_OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.out !== undefined && values.out.trim() === '')
    throw new UsageError('--out needs a FILE.tar.gz or a directory');
  const source = sourceFrom({ sysroot: values.sysroot, target: values.target });
  const target = source.target !== undefined && isRemote(parseTarget(source.target)) ? source.target : null;

  let dump;
  try {
    if (target !== null) dump = await dumpTarget(target, remoteContext(dataDir()));
    else {
      const opened = await openSysroot(source.sysroot ?? '/');
      try {
        dump = await dumpLocal(opened.dir);
        if (source.sysroot !== undefined) {
          dump.source = opened.origin;
          dump.host = basename(opened.origin).replace(/\.(?:tar\.gz|tgz)$/, '') || dump.host;
        }
      } finally {
        opened.close();
      }
    }
  } catch (e) {
    process.stderr.write(
      `aio-tuner: dump: cannot read ${target ?? source.sysroot ?? 'this machine'}: ${(e as Error).message}\n`,
    );
    return 1;
  }
  const out = values.out ?? defaultDumpPath(dataDir(), dump.host);
  let size: number;
  try {
    size = await writeDump(dump, out);
  } catch (e) {
    process.stderr.write(`aio-tuner: dump: cannot write ${out}: ${whyNotWritten(e)}\n`);
    return 1;
  }
  const path = resolve(out);
  if (values.json)
    process.stdout.write(
      outputText('dump', { path, sizeBytes: size, files: dump.tree.files.size, source: dump.source }),
    );
  else
    process.stdout.write(
      `${path}\n${dump.tree.files.size} files read by the engine, ${formatBytes(size)}; replay with: aio-tuner topology --sysroot ${path}\n`,
    );
  return 0;
}
