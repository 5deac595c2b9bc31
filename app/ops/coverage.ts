/**
 * From the graph helper's node counts and times to the report: each kind matched to the op table, then per
 * precision the share of op nodes and of time the engine would take over, and what it leaves behind.
 */
import {
  OP_PRECISIONS,
  type OpCoverage,
  type OpEntry,
  type OpPrecision,
  type OpsReport,
  type UnacceleratedOp,
} from '../shared/ops';
import { isStructural, OpMatcher } from './match';
import type { OpRow } from './table';

/** One kind (and variant) as the graph helper counted and timed it. */
export interface GraphNodeCount {
  kind: string;
  variant?: string;
  count: number;
  timeMs?: number;
  /** None of these nodes outputs a tensor (int arithmetic, checks, formatting). */
  scalar?: boolean;
}

/** How many of the heaviest unaccelerated ops the report names per precision. */
export const HEAVIEST_SHOWN = 5;

const NONE = { fp32: false, fp16Explicit: false, fp16Implicit: false, int8Implicit: false };

/** Heaviest first: by time when profiled, then by count, then by name (a stable order for equal ops). */
export function heavierFirst(a: OpEntry | UnacceleratedOp, b: OpEntry | UnacceleratedOp): number {
  return (
    (b.timeMs ?? 0) - (a.timeMs ?? 0) ||
    b.count - a.count ||
    a.kind.localeCompare(b.kind) ||
    (a.variant ?? '').localeCompare(b.variant ?? '')
  );
}

/**
 * The op entries: every kind with its table row (null when none matches) and flags. Structural nodes are set
 * apart: `prim::` and scalar conversions (isStructural), and nodes without a tensor output that the table does
 * not list (`aten::dim`, `aten::eq` on ints, `aten::format`: a scripted model's argument checks) — the engine
 * works on tensors. A scalar node the table lists (`aten::size`) stays an op.
 */
export function opEntries(nodes: readonly GraphNodeCount[], table: readonly OpRow[], profiled: boolean) {
  const matcher = new OpMatcher(table);
  const ops: OpEntry[] = [];
  const structural: { kind: string; count: number }[] = [];
  for (const n of nodes) {
    const row = matcher.match(n.kind, n.variant);
    if (isStructural(n.kind) || (n.scalar === true && row === null)) {
      const seen = structural.find((s) => s.kind === n.kind);
      if (seen) seen.count += n.count;
      else structural.push({ kind: n.kind, count: n.count });
      continue;
    }
    // The same kind may come as tensor and as scalar nodes (aten::eq): one entry.
    const same = ops.find((o) => o.kind === n.kind && o.variant === n.variant);
    if (same) {
      same.count += n.count;
      if (profiled) same.timeMs = (same.timeMs ?? 0) + (n.timeMs ?? 0);
      continue;
    }
    ops.push({
      kind: n.kind,
      ...(n.variant !== undefined ? { variant: n.variant } : {}),
      table: row?.name ?? null,
      count: n.count,
      ...(profiled ? { timeMs: n.timeMs ?? 0 } : {}),
      accelerated: { ...(row?.accelerated ?? NONE) },
      ...(row?.note ? { note: row.note } : {}),
    });
  }
  ops.sort(heavierFirst);
  structural.sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
  return { ops, structural };
}

/**
 * Per precision: `ops` = accelerated nodes / all op nodes (0 for a graph without ops); `time` = time in
 * accelerated ops / time in all ops, null when not profiled or when no op took measurable time.
 */
export function coverageOf(ops: readonly OpEntry[], profiled: boolean): Record<OpPrecision, OpCoverage> {
  const nodes = ops.reduce((s, o) => s + o.count, 0);
  const time = ops.reduce((s, o) => s + (o.timeMs ?? 0), 0);
  const out = {} as Record<OpPrecision, OpCoverage>;
  for (const p of OP_PRECISIONS) {
    const acc = ops.filter((o) => o.accelerated[p]);
    const accNodes = acc.reduce((s, o) => s + o.count, 0);
    const accTime = acc.reduce((s, o) => s + (o.timeMs ?? 0), 0);
    out[p] = {
      ops: nodes > 0 ? accNodes / nodes : 0,
      time: profiled && time > 0 ? accTime / time : null,
    };
  }
  return out;
}

export function heaviestUnaccelerated(ops: readonly OpEntry[]): Record<OpPrecision, UnacceleratedOp[]> {
  const out = {} as Record<OpPrecision, UnacceleratedOp[]>;
  for (const p of OP_PRECISIONS)
    out[p] = ops
      .filter((o) => !o.accelerated[p])
      .sort(heavierFirst)
      .slice(0, HEAVIEST_SHOWN)
      .map((o) => ({
        kind: o.kind,
        ...(o.variant !== undefined ? { variant: o.variant } : {}),
        count: o.count,
        ...(o.timeMs !== undefined ? { timeMs: o.timeMs } : {}),
      }));
  return out;
}

export type ReportFacts = Omit<OpsReport, 'ops' | 'coverage' | 'heaviestUnaccelerated' | 'structural'>;

export function buildReport(
  nodes: readonly GraphNodeCount[],
  table: readonly OpRow[],
  facts: ReportFacts,
): OpsReport {
  const profiled = facts.profile !== undefined;
  const { ops, structural } = opEntries(nodes, table, profiled);
  return {
    ops,
    coverage: coverageOf(ops, profiled),
    heaviestUnaccelerated: heaviestUnaccelerated(ops),
    structural,
    ...facts,
    ...(facts.profile
      ? { profile: { ...facts.profile, opsMs: ops.reduce((s, o) => s + (o.timeMs ?? 0), 0) } }
      : {}),
  };
}
