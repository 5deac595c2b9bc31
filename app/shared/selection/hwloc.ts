/**
 * hwloc-calc locations (hwloc(7) "Location Specification", hwloc-calc(1)), evaluated on a Topology:
 *
 * - tuples `type:index[.type:index…]`, each index LOGICAL and relative to the object before it
 *   (`package:0.core:0-3`, `node:1.core:all`, `core:0-7.pu:0`); an index is `N`, `A-B`, `A-` (to the last),
 *   `A:N` (N objects from A, wrapping round), `all`, `odd` or `even`;
 * - types `machine`, `package` (`socket`, `pack`), `numanode` (`node`, `numa`), `core`, `pu`, case-insensitive;
 * - `all` / `root`, and `0x…` CPU masks (32-bit words, most significant first, comma-separated);
 * - several locations separated by spaces are combined: added, or with a prefix `~` removed, `x` intersected,
 *   `^` xor-ed, left to right;
 * - `--no-smt` / `--no-smt=N` (anywhere in the text, as hwloc-calc takes it among its options): of the combined
 *   CPUs, keep only the first (the N-th, from 0) of each core, by CPU number.
 *
 * Like hwloc, offline CPUs are no objects; unlike hwloc's default, CPUs this process may not use are counted (as
 * `hwloc-calc --disallowed` counts them) and then reported, as in a typed list.
 */
import type { Topology } from '../topology';
import { printable } from '../printable';
import { machineOrder, objectsOf, type Objects } from './objects';
import { SelectionError, type SelectionIssue } from './types';

type Kind = 'machine' | 'package' | 'numanode' | 'core' | 'pu';

const ALIASES: Record<string, Kind> = {
  machine: 'machine',
  package: 'package',
  pack: 'package',
  socket: 'package',
  numanode: 'numanode',
  node: 'numanode',
  numa: 'numanode',
  core: 'core',
  pu: 'pu',
};
const DEPTH: Record<Kind, number> = { machine: 0, package: 1, numanode: 2, core: 3, pu: 4 };
const PLURAL: Record<Kind, string> = {
  machine: 'machines',
  package: 'packages',
  numanode: 'NUMA nodes',
  core: 'cores',
  pu: 'PUs',
};

/** Does a whitespace-separated word look like an hwloc location or option (and not like likwid or a list)? */
export function looksLikeHwloc(word: string): boolean {
  const w = word.replace(/^[~^]/, '');
  if (/^--no-smt(=|$)/.test(w) || /^x?(all|root)$/i.test(w) || /^x?0x/i.test(w)) return true;
  // likwid's domains are one letter (N, S0, E:…); hwloc's types are words (and cache levels, l3cache:0).
  return /^([a-z]{2,}|l\d+[a-z]*)[:.]/i.test(w);
}

/** The objects of `kind` under `scope` (the parent's CPUs), in logical order. */
function objectsIn(o: Objects, kind: Kind, scope: Set<number> | null): number[][] {
  const within = (s: number[]) => s.length > 0 && s.every((id) => scope!.has(id));
  switch (kind) {
    case 'machine':
      return [o.online];
    case 'package':
      return scope ? o.packages.filter(within) : o.packages;
    case 'numanode':
      // At the top CPU-less nodes count (hwloc numbers them too); under a parent only the nodes inside it.
      return scope ? o.nodes.filter(within) : o.nodes;
    case 'core':
      return o.cores.map((c) => c.cpus).filter((s) => !scope || within(s));
    case 'pu':
      return machineOrder(o, scope ?? o.online).map((id) => [id]);
  }
}

/** Logical indexes an index spec names among `n` objects. */
function indexes(spec: string, n: number, where: string, kind: Kind): number[] {
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  const missing = (i: string) =>
    new SelectionError(
      n === 0
        ? `${where} has no ${PLURAL[kind]}`
        : `${kind}:${i} does not exist: ${where} has ${n} ${n === 1 ? kind : PLURAL[kind]} (${kind}:0${n > 1 ? `-${n - 1}` : ''})`,
    );
  const num = (t: string) => {
    const v = Number(t);
    if (!Number.isSafeInteger(v)) throw missing(t);
    return v;
  };
  let m: RegExpExecArray | null;
  if (spec === 'all') return range(0, n - 1);
  if (spec === 'odd') return range(0, n - 1).filter((i) => i % 2 === 1);
  if (spec === 'even') return range(0, n - 1).filter((i) => i % 2 === 0);
  if ((m = /^(\d+)$/.exec(spec))) {
    const a = num(m[1]!);
    if (a >= n) throw missing(m[1]!.replace(/^0+(?=\d)/, ''));
    return [a];
  }
  if ((m = /^(\d+)-(\d*)$/.exec(spec))) {
    const a = num(m[1]!);
    const b = m[2] === '' ? n - 1 : num(m[2]!);
    if (m[2] !== '' && b < a) throw new SelectionError(`range "${printable(spec)}" is reversed`);
    if (a >= n || b >= n) throw missing(String(a >= n ? a : b));
    return range(a, b);
  }
  if ((m = /^(\d+):(\d+)$/.exec(spec))) {
    const a = num(m[1]!);
    const k = num(m[2]!);
    if (a >= n) throw missing(String(a));
    if (k > n) throw new SelectionError(`${kind}:${spec} asks for ${k} ${PLURAL[kind]}: ${where} has ${n}`);
    return Array.from({ length: k }, (_, i) => (a + i) % n);
  }
  throw new SelectionError(`"${printable(spec)}" is not an index: use N, A-B, A-, A:COUNT, all, odd or even`);
}

function tuple(o: Objects, text: string): number[] {
  let scopes: (Set<number> | null)[] = [null];
  let last = -1;
  let where = 'this machine';
  for (const step of text.split('.')) {
    const colon = step.indexOf(':');
    if (colon < 0) throw new SelectionError(`"${printable(step)}" needs an index, e.g. ${printable(step)}:0`);
    const name = step.slice(0, colon);
    const kind = ALIASES[name.toLowerCase()];
    if (!kind)
      throw new SelectionError(
        `hwloc type "${printable(name)}" is not supported here (use machine, package, numanode, core or pu)`,
      );
    if (DEPTH[kind] <= last)
      throw new SelectionError(`"${printable(step)}" must name a smaller object than the one before it`);
    last = DEPTH[kind];
    const spec = step.slice(colon + 1);
    const next: Set<number>[] = [];
    for (const scope of scopes) {
      const objs = objectsIn(o, kind, scope);
      for (const i of indexes(spec, objs.length, where, kind)) next.push(new Set(objs[i]));
    }
    scopes = next;
    where = step;
  }
  return [...new Set(scopes.flatMap((s) => [...(s ?? [])]))];
}

function mask(o: Objects, text: string): number[] {
  const words = text.split(',');
  const online = new Set(o.online);
  const out: number[] = [];
  words.reverse().forEach((w, wi) => {
    const hex = w.replace(/^0x/i, '');
    if (!/^[0-9a-f]{0,8}$/i.test(hex))
      throw new SelectionError(
        `"${printable(text)}" is not a CPU mask (0x… words of up to 8 hex digits, comma-separated)`,
      );
    const v = parseInt(hex || '0', 16);
    for (let bit = 0; bit < 32; bit++)
      if (Math.floor(v / 2 ** bit) % 2 === 1 && online.has(wi * 32 + bit)) out.push(wi * 32 + bit);
  });
  return out;
}

export interface HwlocResult {
  /** Ascending (a set, as hwloc-calc prints it). */
  cpus: number[];
  errors: SelectionIssue[];
}

export function evalHwloc(text: string, t: Topology): HwlocResult {
  const o = objectsOf(t);
  const errors: SelectionIssue[] = [];
  let set = new Set<number>();
  let noSmt: number | null = null;
  const words = text.trim().split(/\s+/);
  for (const word of words) {
    const opt = /^--no-smt(?:=(.*))?$/.exec(word);
    if (opt) {
      if (opt[1] !== undefined && !/^\d+$/.test(opt[1]))
        errors.push({
          token: word,
          message: `--no-smt=N takes a thread number from 0, got "${printable(opt[1])}"`,
        });
      else noSmt = opt[1] === undefined ? 0 : Number(opt[1]);
      continue;
    }
    const op = /^[~^]/.test(word) ? word[0]! : /^x(?=0x|[a-z]{2,}[:.]|all$|root$)/i.test(word) ? 'x' : '+';
    const loc = op === '+' ? word : word.slice(1);
    try {
      const cpus = /^(all|root)$/i.test(loc) ? o.online : /^0x/i.test(loc) ? mask(o, loc) : tuple(o, loc);
      const these = new Set(cpus);
      if (op === '+') for (const id of these) set.add(id);
      else if (op === '~') for (const id of these) set.delete(id);
      else if (op === 'x') set = new Set([...set].filter((id) => these.has(id)));
      else
        for (const id of these) {
          if (set.has(id)) set.delete(id);
          else set.add(id);
        }
    } catch (e) {
      if (!(e instanceof SelectionError)) throw e;
      errors.push({
        token: word,
        message: words.length > 1 ? `${printable(word)}: ${e.message}` : e.message,
      });
    }
  }
  let cpus = [...set].sort((a, b) => a - b);
  if (noSmt !== null) {
    const seen = new Map<number, number>();
    cpus = cpus.filter((id) => {
      const core = o.coreOf.get(id) ?? -1 - id;
      const k = seen.get(core) ?? 0;
      seen.set(core, k + 1);
      return k === noSmt;
    });
  }
  return { cpus, errors };
}
