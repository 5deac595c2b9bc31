import { parse, sourceOptions, UsageError } from './args';
import { loadTopology, formatTopologySummary } from '../topology';
import { parseTarget, TargetUrlError, targetUrl } from '../remote/url';

export function sourceFrom(values: { sysroot?: string; from?: string; target?: string }): {
  sysroot?: string;
  fromFile?: string;
  target?: string;
} {
  if (values.sysroot !== undefined && values.from !== undefined)
    throw new UsageError('use either --sysroot DIR or --from FILE, not both');
  if (values.target === undefined) return { sysroot: values.sysroot, fromFile: values.from };
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

export async function topologyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...sourceOptions, json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const t = await loadTopology(sourceFrom(values));
  process.stdout.write(values.json ? JSON.stringify(t, null, 2) + '\n' : formatTopologySummary(t) + '\n');
  return 0;
}
