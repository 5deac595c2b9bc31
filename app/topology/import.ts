/** Text import (`aio-tuner --from FILE`): recognises the format, then hands over to its importer. */
import {
  isParsableHeader,
  rowsFromColumns,
  rowsFromJson,
  rowsFromParsable,
  topologyFromRows,
} from './lscpu-table';
import { summaryFieldsFromJson, summaryFieldsFromText, topologyFromSummary } from './lscpu-summary';
import { looksLikeNumactl, topologyFromNumactl } from './numactl';
import type { Topology } from './types';

export const ACCEPTED_FORMATS =
  '`lscpu`, `lscpu -p`, `lscpu -e`, `lscpu -J`, `lscpu -J -e` or `numactl -H` output';

/** Column names `lscpu -e` can print; the header must start with CPU and contain at least one other. */
const LSCPU_E_COLUMNS =
  /^(CPU|CORE|SOCKET|NODE|BOOK|DRAWER|CLUSTER|CACHE|POLARIZATION|ADDRESS|CONFIGURED|ONLINE|MHZ|SCALMHZ%|MAXMHZ|MINMHZ|MODELNAME|L\d[DI]?(:L\d[DI]?)*)$/i;

function importJson(text: string, origin: string | undefined): Topology {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`${origin ?? 'input'} looks like JSON but does not parse (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (typeof data === 'object' && data !== null) {
    const obj = data as Record<string, unknown>;
    if (Array.isArray(obj.lscpu))
      return topologyFromSummary(summaryFieldsFromJson(obj.lscpu), 'lscpu-J', origin);
    if (Array.isArray(obj.cpus)) return topologyFromRows(rowsFromJson(obj.cpus), 'lscpu-J', origin);
  }
  throw new Error(
    `${origin ?? 'input'} is JSON but neither {"lscpu":[…]} nor {"cpus":[…]}: expected ${ACCEPTED_FORMATS}`,
  );
}

/** Parse topology text from another machine; `name` is recorded as the model's origin. */
export function importTopology(text: string, name?: string): Topology {
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const trimmed = body.trim();
  const firstLine = trimmed.split('\n')[0] ?? '';

  if (trimmed.startsWith('{')) return importJson(trimmed, name);
  if (looksLikeNumactl(trimmed)) return topologyFromNumactl(trimmed, name);
  if (trimmed.split('\n').some(isParsableHeader))
    return topologyFromRows(rowsFromParsable(trimmed), 'lscpu-p', name);
  const header = firstLine.trim().split(/\s+/);
  if (header[0]?.toUpperCase() === 'CPU' && header.length > 1 && header.every((c) => LSCPU_E_COLUMNS.test(c)))
    return topologyFromRows(rowsFromColumns(trimmed), 'lscpu-e', name);
  const fields = summaryFieldsFromText(trimmed);
  if (fields.has('CPU(s)') || fields.has('On-line CPU(s) list'))
    return topologyFromSummary(fields, 'lscpu', name);

  throw new Error(
    `cannot read ${name ?? 'this text'} as a CPU topology: expected ${ACCEPTED_FORMATS}` +
      (trimmed === '' ? ' (it is empty)' : ''),
  );
}
