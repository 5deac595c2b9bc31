/**
 * The op table's parser: one row per op name the user guide lists, with the precisions the engine accelerates
 * it at and the guide's restriction note.
 */
import { OP_PRECISIONS, type OpFlags } from '../shared/ops';
import { AIO_OPS_TSV } from './tsvtext';

export interface OpRow {
  /** As the guide spells it: `Conv2d`, `Split with sizes`, `Zeros_like`. */
  name: string;
  accelerated: OpFlags;
  note: string | null;
}

export class OpTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpTableError';
  }
}

/** The header the table must start with: the columns are read by name, so a reordered file is refused, not misread. */
const HEADER = ['op', 'fp32', 'fp16_explicit', 'fp16_implicit', 'int8_implicit', 'note'];

/**
 * Parse the TSV: `#` lines are comments, the first other line is the header, then `name<TAB>Y|…<TAB>…<TAB>note`.
 * A cell is accelerated when it is exactly `Y`; an empty cell is not; anything else is an error (the file's
 * own rule moves the guide's non-Y cells into the note). A name listed twice (the guide lists `Sum` twice) must
 * say the same both times and is kept once.
 */
export function parseOpTable(text: string): OpRow[] {
  const rows: OpRow[] = [];
  const byName = new Map<string, OpRow>();
  let header: string[] | null = null;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line.trim() === '' || line.startsWith('#')) return;
    const cells = line.split('\t');
    if (header === null) {
      header = cells.map((c) => c.trim());
      if (header.join('\t') !== HEADER.join('\t'))
        throw new OpTableError(`${where}: the header must be ${HEADER.join(', ')}; got ${header.join(', ')}`);
      return;
    }
    if (cells.length > HEADER.length)
      throw new OpTableError(`${where}: ${cells.length} columns, the header has ${HEADER.length}`);
    const name = cells[0]!.trim();
    if (name === '') throw new OpTableError(`${where}: no op name`);
    const flags = {} as OpFlags;
    OP_PRECISIONS.forEach((p, k) => {
      const cell = (cells[k + 1] ?? '').trim();
      if (cell !== '' && cell !== 'Y')
        throw new OpTableError(`${where}: ${name}: "${cell}" under ${HEADER[k + 1]} is neither Y nor empty`);
      flags[p] = cell === 'Y';
    });
    const note = (cells[HEADER.length - 1] ?? '').trim() || null;
    const row: OpRow = { name, accelerated: flags, note };
    const seen = byName.get(name);
    if (seen) {
      if (JSON.stringify(seen) !== JSON.stringify(row))
        throw new OpTableError(`${where}: ${name} is listed again with other values`);
      return;
    }
    byName.set(name, row);
    rows.push(row);
  });
  if (header === null) throw new OpTableError('the table has no header line');
  return rows;
}

let shipped: OpRow[] | null = null;

/** The table this version ships (app/ops/aio-ops.tsv). */
export function aioOpTable(): OpRow[] {
  shipped ??= parseOpTable(AIO_OPS_TSV);
  return shipped;
}
