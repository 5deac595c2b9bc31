/**
 * Selection expressions: one text box, three grammars. A plain CPU list (`0-15,64-79`, `0 1 2`, `0-15:2`) keeps
 * its behaviour; likwid-pin expressions (`M1:0-3`, `E:N:8:1:2`, `S:scatter`, …, ./likwid.ts) and hwloc-calc
 * locations (`node:1.core:all`, `core:0-7.pu:0 --no-smt`, …, ./hwloc.ts) expand to CPUs of the topology.
 * Pure: the engine, the CLI and the renderer all evaluate the same text the same way.
 */
import { orderedCpuList, usable, validateCpuList } from '../presets';
import type { Topology } from '../topology';
import { printable } from '../printable';
import { evalHwloc, looksLikeHwloc } from './hwloc';
import { evalLikwid } from './likwid';
import { SelectionError, type SelectionIssue } from './types';

export type { SelectionIssue } from './types';
export type SelectionForm = 'list' | 'likwid' | 'hwloc';

export interface Selection {
  /** The CPUs, in the order they are bound; each once (a CPU named again is in `repeated`). */
  cpus: number[];
  errors: SelectionIssue[];
  form: SelectionForm;
  /** What the text expands to, as a CPU list ("80-83"); "" when it names none. */
  expansion: string;
  /** CPUs named more than once, in order (reported as cpus-duplicate; bound once). */
  repeated: number[];
}

/** Which grammar a text is written in. */
export function selectionForm(text: string): SelectionForm {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.some(looksLikeHwloc)) return 'hwloc';
  // likwid always has a domain or method after a letter and ":" (or parts joined by "@"); "0-15:2" is a list.
  if (/[A-Za-z]\d*\s*:|@/.test(text)) return 'likwid';
  return 'list';
}

/** The first problem of a CPU list part of a likwid expression ("0,2@S1:0-1"), or its CPUs in order. */
function plainPart(text: string, t: Topology): number[] {
  const r = validateCpuList(text, null);
  if (r.errors.length > 0) throw new SelectionError(r.errors[0]!.message);
  const maxId = Math.max(-1, ...t.cpus.map((c) => c.id));
  const over = r.cpus.find((id) => id > maxId);
  if (over !== undefined)
    throw new SelectionError(`CPU ${over} is out of range (this machine's highest CPU is ${maxId})`);
  return [...r.cpus, ...r.repeated];
}

/**
 * Expand `text` on `t`. Without a topology only plain lists can be read (an expression needs the machine).
 * Errors name the part they come from; CPUs that exist but cannot be used now (offline, isolated, not allowed)
 * are errors too, with the same messages as a typed list, and stay in `cpus` so the checks can offer their fix.
 */
export function expandSelection(text: string, t: Topology | null): Selection {
  const form = selectionForm(text);
  if (form === 'list') {
    const r = validateCpuList(text, t);
    return { ...r, form, expansion: orderedCpuList(r.cpus) };
  }
  if (!t)
    return {
      cpus: [],
      repeated: [],
      errors: [
        { token: text, message: `"${printable(text.trim())}" needs the machine's topology to expand` },
      ],
      form,
      expansion: '',
    };
  const r = form === 'hwloc' ? evalHwloc(text, t) : evalLikwid(text, t, (p) => plainPart(p, t));
  const cpus: number[] = [];
  const seen = new Set<number>();
  const repeated = new Set<number>();
  for (const id of r.cpus) {
    if (seen.has(id)) repeated.add(id);
    else {
      seen.add(id);
      cpus.push(id);
    }
  }
  const errors = [...r.errors];
  if (errors.length === 0 && cpus.length === 0)
    errors.push({ token: text.trim(), message: `"${printable(text.trim())}" selects no CPUs` });
  const bad = cpus.flatMap((id) => {
    const u = usable(t, id);
    return u.usable ? [] : [`CPU ${id} is ${u.reasons.join(', ')}`];
  });
  if (bad.length > 0) errors.push({ token: text.trim(), message: bad.join('; ') });
  return { cpus, errors, form, expansion: orderedCpuList(cpus), repeated: [...repeated] };
}
