/**
 * Index lists inside a domain ("0-3,6", likwid) — every index checked against the domain's size, so a typo never
 * selects fewer CPUs than were asked for.
 */
import { printable } from '../printable';
import { SelectionError } from './types';

/** "1,4-6" → [1,4,5,6] in the written order; `size` is how many entries the domain has (`what` says so). */
export function parseIndexList(text: string, size: number, what: string): number[] {
  if (text.trim() === '') throw new SelectionError('no indexes after ":"');
  const out: number[] = [];
  for (const item of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item.trim());
    if (!m) throw new SelectionError(`"${printable(item)}" is not an index or a range like 0-3`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || b >= size)
      throw new SelectionError(
        `index ${(m[2] ?? m[1]!).replace(/^0+(?=\d)/, '')} is out of range: ${what}${size > 1 ? ` (indexes 0-${size - 1})` : size === 1 ? ' (index 0)' : ''}`,
      );
    if (b < a) throw new SelectionError(`range "${printable(item)}" is reversed`);
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}
