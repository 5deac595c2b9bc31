import { parse, sourceOptions, UsageError } from './args';
import { loadTopology, formatTopologySummary } from '../topology';

export function sourceFrom(values: { sysroot?: string; from?: string }): {
  sysroot?: string;
  fromFile?: string;
} {
  if (values.sysroot !== undefined && values.from !== undefined)
    throw new UsageError('use either --sysroot DIR or --from FILE, not both');
  return { sysroot: values.sysroot, fromFile: values.from };
}

export async function topologyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...sourceOptions, json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const t = await loadTopology(sourceFrom(values));
  process.stdout.write(values.json ? JSON.stringify(t, null, 2) + '\n' : formatTopologySummary(t) + '\n');
  return 0;
}
