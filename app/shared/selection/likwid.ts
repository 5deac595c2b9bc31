/**
 * likwid-pin's CPU expressions (RRZE-HPC/likwid, doc/applications/likwid-pin.md "CPU expressions" and
 * doc/likwid-pin.1 "CPU EXPRESSION"), evaluated on a Topology:
 *
 * - `N:0-7`, `S1:0-3`, `M1:0-3`, `C0:0-3` (also with `L:` in front, and `L:0-3` for `L:N:0-3`): indexes into an
 *   affinity domain sorted "physical cores first" — the first thread of every core, then the second threads…
 * - `E:<domain>:<n>[:<chunk>:<stride>]`: n CPUs of the domain's own list (core by core, a core's threads side by
 *   side), `chunk` in a row, then `stride` on from the start of that chunk, wrapping round at the end.
 * - `<kind>:scatter[:<n>]`, `<kind>:balanced:<n>`, `<kind>:cbalanced:<n>` over every domain of one kind.
 * - parts joined with `@`, pinned in the order written.
 *
 * Domains: N (the node: the whole machine), S# (socket = package), M# (NUMA memory domain), C# (last-level cache
 * group), numbered 0…N-1 (packages and nodes in id order, caches by lowest CPU). Like likwid inside a cpuset,
 * a domain holds only the CPUs this process may use (online, allowed by affinity/cgroup).
 */
import type { Topology } from '../topology';
import { printable } from '../printable';
import { machineOrder, objectsOf, smtIndex, type Objects } from './objects';
import { SelectionError as Bad, type SelectionIssue } from './types';
import { parseIndexList } from './indexes';

const KIND_NAMES: Record<string, string> = {
  N: 'the node',
  S: 'socket',
  M: 'NUMA domain',
  C: 'last-level cache domain',
};

interface Domain {
  tag: string;
  /** likwid's processor list: core by core, a core's threads side by side. */
  list: number[];
}

function domainsOfKind(o: Objects, kind: string): Domain[] | null {
  const mk = (sets: number[][]) => sets.map((s, i) => ({ tag: `${kind}${i}`, list: machineOrder(o, s) }));
  if (kind === 'N') return [{ tag: 'N', list: machineOrder(o, o.online) }];
  if (kind === 'S') return mk(o.packages);
  if (kind === 'M') return mk(o.nodes);
  if (kind === 'C') return mk(o.llcs);
  return null;
}

/** The domain's list sorted "physical cores first": every core's first thread, then the second ones… */
function physicalFirst(o: Objects, list: number[]): number[] {
  const at = new Map(list.map((id, i) => [id, i]));
  const smt = new Map(list.map((id) => [id, smtIndex(o, id)]));
  return [...list].sort((a, b) => smt.get(a)! - smt.get(b)! || at.get(a)! - at.get(b)!);
}

function domain(o: Objects, tag: string): Domain {
  const m = /^([A-Z])(\d*)$/.exec(tag);
  if (!m) throw new Bad(`"${printable(tag)}" is not an affinity domain (N, S#, M#, C#)`);
  const [, kind, num] = m as unknown as [string, string, string];
  if (kind === 'D')
    throw new Bad(
      `die domains (D#) are not supported: the kernel's topology here does not say which CPUs share a die`,
    );
  const all = domainsOfKind(o, kind);
  if (!all) throw new Bad(`"${printable(tag)}" is not an affinity domain (N, S#, M#, C#)`);
  if (kind === 'N') {
    if (num !== '') throw new Bad(`the node domain is "N", without a number`);
    return all[0]!;
  }
  if (num === '') throw new Bad(`"${kind}" needs a domain number, e.g. ${kind}0`);
  const i = Number(num);
  if (!Number.isSafeInteger(i) || i >= all.length)
    throw new Bad(
      all.length === 0
        ? `this machine has no ${KIND_NAMES[kind]} information`
        : `${kind}${num.replace(/^0+(?=\d)/, '')} does not exist: this machine has ${all.length} ${KIND_NAMES[kind]}${all.length === 1 ? '' : 's'} (${kind}0-${kind}${all.length - 1})`,
    );
  return all[i]!;
}

function count(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new Bad(`${what} must be a whole number, got "${printable(text)}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Bad(`${what} must be at least 1, got ${text}`);
  return n;
}

function logical(o: Objects, d: Domain, list: string): number[] {
  const sorted = physicalFirst(o, d.list);
  return parseIndexList(
    list,
    sorted.length,
    `${d.tag} has ${sorted.length} CPU${sorted.length === 1 ? '' : 's'}`,
  ).map((i) => sorted[i]!);
}

function expression(o: Objects, fields: string[]): number[] {
  if (fields.length !== 1 && fields.length !== 2 && fields.length !== 4)
    throw new Bad('the expression form is E:<domain>:<count> or E:<domain>:<count>:<chunk>:<stride>');
  const d = domain(o, fields[0]!);
  const n = fields.length === 1 ? d.list.length : count(fields[1]!, 'the thread count');
  const chunk = fields.length === 4 ? count(fields[2]!, 'the chunk size') : 1;
  const stride = fields.length === 4 ? count(fields[3]!, 'the stride') : 1;
  if (n > d.list.length) throw new Bad(`${d.tag} has only ${d.list.length} CPUs, ${n} asked for`);
  const out: number[] = [];
  let offset = 0;
  while (out.length < n) {
    for (let j = 0; j < chunk && offset + j < d.list.length && out.length < n; j++)
      out.push(d.list[offset + j]!);
    offset += stride;
    if (offset >= d.list.length) offset = 0;
  }
  return out;
}

function spreadOver(o: Objects, kind: string, how: string, nText: string | undefined): number[] {
  const all = domainsOfKind(o, kind);
  if (!all || (kind === 'N' && how !== 'scatter'))
    throw new Bad(`"${printable(kind)}:${how}" needs a domain kind: S, M or C (N for scatter)`);
  const domains = all.filter((d) => d.list.length > 0);
  if (domains.length === 0) throw new Bad(`this machine has no ${KIND_NAMES[kind]} with usable CPUs`);
  const total = domains.reduce((s, d) => s + d.list.length, 0);
  const n = nText === undefined ? (how === 'scatter' ? total : NaN) : count(nText, 'the thread count');
  if (Number.isNaN(n)) throw new Bad(`${kind}:${how} needs a thread count, e.g. ${kind}:${how}:8`);
  if (n > total) throw new Bad(`the ${KIND_NAMES[kind]}s have only ${total} CPUs, ${n} asked for`);
  if (how === 'scatter') {
    const sorted = domains.map((d) => physicalFirst(o, d.list));
    const out: number[] = [];
    for (let off = 0; out.length < n; off++)
      for (const s of sorted) if (off < s.length && out.length < n) out.push(s[off]!);
    return out;
  }
  const per = Math.floor(n / domains.length);
  let extra = n % domains.length;
  return domains.flatMap((d) => {
    const want = per + (extra-- > 0 ? 1 : 0);
    const list = how === 'balanced' ? d.list : physicalFirst(o, d.list);
    if (want > list.length) throw new Bad(`${d.tag} has only ${list.length} CPUs, ${want} asked for`);
    if (how === 'cbalanced') {
      const cores = new Set(list.map((id) => o.coreOf.get(id))).size;
      if (want > cores)
        throw new Bad(
          `${kind}:cbalanced:${n} needs ${want} threads in ${d.tag}, more than its ${cores} cores: likwid then adds SMT threads in its own way, which is not supported here`,
        );
    }
    return list.slice(0, want);
  });
}

/** One `@`-separated part. */
function part(o: Objects, text: string, plain: (text: string) => number[]): number[] {
  if (/^[\d\s,-]*$/.test(text)) return plain(text);
  const fields = text.split(':');
  const head = fields[0]!;
  if (head === 'E') return expression(o, fields.slice(1));
  if (head === 'L') {
    if (fields.length === 2) return logical(o, domain(o, 'N'), fields[1]!);
    if (fields.length === 3) return logical(o, domain(o, fields[1]!), fields[2]!);
    throw new Bad('the logical form is L:<indexes> or L:<domain>:<indexes>');
  }
  if (fields.length >= 2 && /^(scatter|balanced|cbalanced)$/.test(fields[1]!)) {
    if (fields.length > 3) throw new Bad(`the form is ${head}:${fields[1]}[:<count>]`);
    return spreadOver(o, head, fields[1]!, fields[2]);
  }
  if (fields.length === 2) return logical(o, domain(o, head), fields[1]!);
  throw new Bad(`"${printable(text)}" is not a likwid-pin expression (e.g. S0:0-3, E:N:8:1:2, M:scatter)`);
}

export interface LikwidResult {
  /** In pinning order; a CPU named again is in it again (the caller reports the repeat). */
  cpus: number[];
  errors: SelectionIssue[];
}

/** Evaluate a likwid-pin expression; `plain` expands a part written as a physical CPU list. */
export function evalLikwid(text: string, t: Topology, plain: (text: string) => number[]): LikwidResult {
  const o = objectsOf(t, (c) => c.allowed !== false);
  const cpus: number[] = [];
  const errors: SelectionIssue[] = [];
  const parts = text.trim().split('@');
  for (const raw of parts) {
    const token = raw.trim();
    if (token === '') {
      errors.push({ token: '@', message: 'empty part between "@" separators' });
      continue;
    }
    try {
      cpus.push(...part(o, token, plain));
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      errors.push({ token, message: parts.length > 1 ? `${printable(token)}: ${e.message}` : e.message });
    }
  }
  return { cpus, errors };
}
