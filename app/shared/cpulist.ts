/**
 * Linux CPU/node list syntax ("0-3,8,10-11"), as used by sysfs, numactl and taskset.
 * Parsing is strict: users type these, and a silently misread list binds the wrong cores.
 */

import { printable } from './printable';

export class CpuListError extends Error {
  constructor(
    message: string,
    /** The offending piece of the input, for inline error display. */
    readonly token: string,
  ) {
    super(message);
    this.name = 'CpuListError';
  }
}

/** Parse "0-3,8,10-11" (also accepts whitespace around items, and kernel stride form "0-15:2"). Empty string → []. */
export function parseCpuList(text: string, opts: { max?: number } = {}): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const out = new Set<number>();
  for (const raw of trimmed.split(',')) {
    const item = raw.trim();
    const shown = printable(item);
    if (item === '') throw new CpuListError(`empty item in list "${printable(trimmed)}"`, raw);
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(item);
    if (!m) throw new CpuListError(`"${shown}" is not a number or a range like 4-7`, item);
    const aText = plainDigits(m[1]!);
    const bText = m[2] === undefined ? aText : plainDigits(m[2]);
    const a = Number(aText);
    const b = Number(bText);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    // Past 2^53 a Number is no longer the id that was typed: report the typed digits, never a rounded value.
    if (!Number.isSafeInteger(b) || !Number.isSafeInteger(a))
      throw new CpuListError(
        opts.max !== undefined
          ? `${bText} in "${shown}" is out of range (highest is ${opts.max})`
          : `${bText} in "${shown}" is too large`,
        item,
      );
    if (b < a) throw new CpuListError(`range "${shown}" is reversed (did you mean ${bText}-${aText}?)`, item);
    if (step < 1) throw new CpuListError(`stride in "${shown}" must be at least 1`, item);
    if (opts.max !== undefined && b > opts.max)
      throw new CpuListError(`${bText} in "${shown}" is out of range (highest is ${opts.max})`, item);
    if (b - a > 1_000_000) throw new CpuListError(`range "${shown}" is too large`, item);
    for (let i = a; i <= b; i += step) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** A typed number without its leading zeros ("007" → "7"), so messages show the value, exactly. */
export function plainDigits(text: string): string {
  return text.replace(/^0+(?=\d)/, '');
}

/** Format ascending, de-duplicated ids as the shortest range list: [0,1,2,3,8] → "0-3,8". */
export function formatCpuList(ids: Iterable<number>): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) {
      end = sorted[++i]!;
    }
    parts.push(start === end ? `${start}` : `${start}-${end}`);
    i++;
  }
  return parts.join(',');
}

/** Parse a sysfs hex mask ("ffffffff,00000003", most significant word first) into ids. */
export function parseCpuMask(text: string): number[] {
  const words = text.trim().split(',').reverse();
  const out: number[] = [];
  words.forEach((word, wi) => {
    const value = BigInt('0x' + (word || '0'));
    for (let bit = 0; bit < 32; bit++) {
      if ((value >> BigInt(bit)) & 1n) out.push(wi * 32 + bit);
    }
  });
  return out;
}
