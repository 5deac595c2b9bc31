import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse, sourceOptions, UsageError } from './args';
import { Engine } from '../api/engine';
import {
  archiveKind,
  formatTopologySummary,
  hwlocXmlFromTopology,
  importTopology,
  readImportText,
} from '../topology';
import { parseTarget, TargetUrlError, targetUrl } from '../remote/url';
import { outputText } from '../util/records';

/** A --from path that cannot be read is a typo in the command line (exit 2), not a failure of the machine. */
function checkReadableFile(path: string): void {
  let st;
  try {
    st = statSync(path);
    accessSync(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code ?? e);
    throw new UsageError(`--from: cannot read ${path}: ${why}`);
  }
  if (st.isDirectory())
    throw new UsageError(`--from: ${path} is a directory; give a file (for a saved root, use --sysroot)`);
  // Read and parsed here, before anything starts: text that is not a topology is bad input (exit 2) for every
  // subcommand, not a failure found later by whatever first needs the machine.
  try {
    importTopology(readImportText(path), basename(path));
  } catch (e) {
    throw new UsageError(`--from: ${(e as Error).message}`);
  }
}

/**
 * A --sysroot that is not a saved root is a typo in the command line too (exit 2), said in one line. A file is
 * taken as an archive (a dump or a support bundle): whether it holds a tree is known once it is unpacked, and a
 * corrupt one is a failure of the input (exit 1), not of the command line.
 */
function checkSysroot(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--sysroot: cannot read ${dir}: ${code === 'ENOENT' ? 'no such directory or archive' : String(code ?? e)}`,
    );
  }
  if (st.isFile()) {
    let kind;
    try {
      kind = archiveKind(dir);
    } catch {
      throw new UsageError(`--sysroot: cannot read ${dir}: permission denied`);
    }
    if (kind === null)
      throw new UsageError(
        `--sysroot: ${dir} is not a directory nor a .tar.gz archive (for lscpu or numactl text, use --from)`,
      );
    return;
  }
  if (!st.isDirectory())
    throw new UsageError(
      `--sysroot: ${dir} is neither a directory nor an archive (for lscpu or numactl text, use --from)`,
    );
  if (!existsSync(join(dir, 'sys/devices/system/cpu')))
    throw new UsageError(
      `--sysroot: ${dir} has no sys/devices/system/cpu: give a saved root (a directory holding sys/ and proc/, as for lscpu --sysroot), an aio-tuner dump or a support bundle`,
    );
}

export function sourceFrom(values: { sysroot?: string; from?: string; target?: string }): {
  sysroot?: string;
  fromFile?: string;
  target?: string;
} {
  if (values.sysroot !== undefined && values.from !== undefined)
    throw new UsageError('use either --sysroot DIR or --from FILE, not both');
  if (values.target === undefined) {
    if (values.from !== undefined) checkReadableFile(values.from);
    if (values.sysroot !== undefined) checkSysroot(values.sysroot);
    return { sysroot: values.sysroot, fromFile: values.from };
  }
  if (values.sysroot !== undefined || values.from !== undefined)
    throw new UsageError('--target reads the target machine itself: leave out --sysroot and --from');
  try {
    // Validated here so a typo is a usage error (exit 2) naming what is wrong, before anything connects.
    return { target: targetUrl(parseTarget(values.target)) };
  } catch (e) {
    if (e instanceof TargetUrlError) throw new UsageError(`--target: ${e.message}`);
    throw e;
  }
}

export const TOPOLOGY_OPTIONS = {
  ...sourceOptions,
  json: { type: 'boolean' },
  format: { type: 'string' },
} as const;

const TOPOLOGY_FORMATS = ['text', 'json', 'xml'] as const;
type TopologyFormat = (typeof TOPOLOGY_FORMATS)[number];

/** `--format text|json|xml`; `--json` is kept as the short form of `--format json`. */
function topologyFormat(values: { json?: boolean; format?: string }): TopologyFormat {
  if (values.format === undefined) return values.json ? 'json' : 'text';
  if (!(TOPOLOGY_FORMATS as readonly string[]).includes(values.format))
    throw new UsageError(`--format must be one of ${TOPOLOGY_FORMATS.join('|')}, got "${values.format}"`);
  if (values.json && values.format !== 'json')
    throw new UsageError(`--json and --format ${values.format} contradict each other: give one`);
  return values.format as TopologyFormat;
}

export async function topologyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, TOPOLOGY_OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const format = topologyFormat(values);
  const engine = new Engine({ shell: 'browser', ...sourceFrom(values) });
  let t;
  try {
    t = await engine.getTopology();
  } finally {
    await engine.dispose();
  }
  process.stdout.write(
    format === 'json'
      ? outputText('topology', t)
      : format === 'xml'
        ? hwlocXmlFromTopology(t)
        : formatTopologySummary(t) + '\n',
  );
  return 0;
}
