/** Text import (`aio-tuner --from FILE`): recognises the format, then hands over to its importer. */
import { closeSync, openSync, readSync } from 'node:fs';
import { visible } from './damaged';
import {
  isParsableHeader,
  rowsFromColumns,
  rowsFromJson,
  rowsFromParsable,
  topologyFromRows,
} from './lscpu-table';
import { summaryFieldsFromJson, summaryFieldsFromText, topologyFromSummary } from './lscpu-summary';
import { looksLikeXml, topologyFromHwlocXml } from './hwloc-xml-import';
import { looksLikeNumactl, topologyFromNumactl } from './numactl';
import type { Topology } from '../shared/topology';

/**
 * The most an import reads. `lscpu -J -e` of a 256-CPU machine is ~100 KB; anything far bigger (or endless, like
 * /dev/zero) is not one of the accepted outputs, and reading it whole would take the memory of the process.
 */
export const MAX_IMPORT_BYTES = 4 * 1024 * 1024;

/** An import file's text, read up to MAX_IMPORT_BYTES; throws a one-line Error past that or when unreadable. */
export function readImportText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  }
  try {
    const buf = Buffer.alloc(MAX_IMPORT_BYTES + 1);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > MAX_IMPORT_BYTES)
      throw new Error(
        `${path} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB: not ${ACCEPTED_FORMATS} (nothing was imported)`,
      );
    return buf.toString('utf8', 0, n);
  } catch (err) {
    if (err instanceof Error && !('code' in err)) throw err;
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
      cause: err,
    });
  } finally {
    closeSync(fd);
  }
}

export const ACCEPTED_FORMATS =
  '`lscpu`, `lscpu -p`, `lscpu -e`, `lscpu -J`, `lscpu -J -e`, `numactl -H` or `lstopo --of xml` output';

/** Column names `lscpu -e` can print; the header must start with CPU and contain at least one other. */
const LSCPU_E_COLUMNS =
  /^(CPU|CORE|SOCKET|NODE|BOOK|DRAWER|CLUSTER|CACHE|POLARIZATION|ADDRESS|CONFIGURED|ONLINE|MHZ|SCALMHZ%|MAXMHZ|MINMHZ|MODELNAME|L\d[DI]?(:L\d[DI]?)*)$/i;

function importJson(text: string, origin: string | undefined): Topology {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the input: escaped, so bytes of a corrupt file never reach the terminal raw.
    throw new Error(
      `${origin ?? 'input'} looks like JSON but does not parse (${visible((err as Error).message, 200)})`,
      {
        cause: err,
      },
    );
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
  if (text.length > MAX_IMPORT_BYTES)
    throw new Error(
      `${name ?? 'this text'} is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB: not ${ACCEPTED_FORMATS}`,
    );
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const trimmed = body.trim();
  const firstLine = trimmed.split('\n')[0] ?? '';

  if (trimmed.startsWith('{')) return importJson(trimmed, name);
  // Given whole, not trimmed or with CRLF folded: the XML reader counts lines for its messages itself.
  if (looksLikeXml(trimmed)) return topologyFromHwlocXml(text, name);
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
