/**
 * Gates for CI pipelines (`--gate 'latency.p90<12'`): parsed before anything runs, so a typo fails at once,
 * and evaluated on a finished run's results or a sweep's recommended configurations. Pure: no I/O.
 */
import type { ResultSummary } from './run';
import type { SweepRecord } from './sweep';
import { LLM_METRICS } from './llm';

export type GateOp = '<' | '<=' | '>' | '>=';

export interface Gate {
  /** As typed (spaces removed): what JSON and stderr quote. */
  expr: string;
  metric: string;
  op: GateOp;
  /** A fixed threshold, or `baseline*factor`: the same metric of the `--baseline` run times the factor. */
  rhs: { kind: 'number'; value: number } | { kind: 'baseline'; factor: number };
}

export interface GateResult {
  expr: string;
  /** The measured value; null when the run did not produce it (the gate then fails) or it was not evaluated. */
  value: number | null;
  /** Null: not evaluated (the workload failed, so its numbers decide nothing). */
  pass: boolean | null;
  /** The right side's value (for baseline*F: the baseline's metric times F); null when unknown. */
  threshold: number | null;
  /** Why the gate failed without a comparison, or was not evaluated. */
  reason?: string;
}

/** A gate that cannot be read: the CLI turns it into a usage error. */
export class GateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateError';
  }
}

/** Latency statistics a gate can name (ms), in `results.latencyMs`. */
export const LATENCY_METRICS = [
  'latency.mean',
  'latency.median',
  'latency.p90',
  'latency.p99',
  'latency.p99.9',
];

/**
 * Numeric fields of `results` (run --json) a gate can name as written there; `throughput` is the value read,
 * in its unit. Fields a later parser adds join this list.
 */
export const RESULT_FIELDS = [
  'throughput',
  'passes',
  'warmups',
  'samples',
  'latencyStats.meanMs',
  'latencyStats.medianMs',
  'latencyStats.p90Ms',
  'latencyStats.cv',
  'throughputStats.value',
  'throughputStats.cv',
  // Issue 17: LLM metrics (llama-bench, llama.cpp timing lines).
  ...LLM_METRICS,
];

export const GATE_METRICS = [...LATENCY_METRICS, ...RESULT_FIELDS];

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `METRIC OP RIGHT`, RIGHT a number or `baseline*F`. Throws GateError naming what is wrong. */
export function parseGate(text: string): Gate {
  const expr = text.replace(/\s+/g, '');
  const m = /^([A-Za-z][\w.]*?)(<=|>=|<|>|==|=|!=)(.*)$/.exec(expr);
  if (!m)
    throw new GateError(
      `gate "${text}": expected METRIC<VALUE, METRIC<=VALUE, METRIC>VALUE or METRIC>=VALUE (e.g. latency.p90<12)`,
    );
  const [, metric, op, right] = m as unknown as [string, string, string, string];
  if (!GATE_METRICS.includes(metric))
    throw new GateError(`gate "${text}": unknown metric "${metric}" (known: ${GATE_METRICS.join(', ')})`);
  if (op !== '<' && op !== '<=' && op !== '>' && op !== '>=')
    throw new GateError(`gate "${text}": operator "${op}" is not one of <, <=, >, >=`);
  const base = /^baseline(?:\*(.*))?$/i.exec(right);
  if (base) {
    const f = base[1] ?? '1';
    if (!NUMBER.test(f) || !(Number(f) > 0))
      throw new GateError(`gate "${text}": baseline*F needs a number F > 0, got "${f}"`);
    return { expr, metric, op, rhs: { kind: 'baseline', factor: Number(f) } };
  }
  if (!NUMBER.test(right))
    throw new GateError(`gate "${text}": "${right}" is not a number (or baseline*F with --baseline RUNID)`);
  return { expr, metric, op, rhs: { kind: 'number', value: Number(right) } };
}

/** Every gate, and whether one compares against a baseline (then --baseline is required). */
export function parseGates(texts: readonly string[], hasBaseline: boolean): Gate[] {
  const gates = texts.map(parseGate);
  const needs = gates.find((g) => g.rhs.kind === 'baseline');
  if (needs && !hasBaseline)
    throw new GateError(
      `gate "${needs.expr}" compares with a baseline: add --baseline RUNID (a saved run's id)`,
    );
  return gates;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A metric of a run's results; null when the run did not produce it. */
export function runMetric(r: ResultSummary | null | undefined, metric: string): number | null {
  if (!r) return null;
  if (metric.startsWith('latency.')) {
    const k = metric.slice('latency.'.length) as keyof NonNullable<ResultSummary['latencyMs']>;
    return num(r.latencyMs?.[k]);
  }
  if (metric === 'throughput') return num(r.throughput?.value);
  let v: unknown = r;
  for (const part of metric.split('.'))
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return num(v);
}

/** Where a sweep gate's value comes from, and why it is missing when it is. */
export interface SweepMetric {
  value: number | null;
  reason?: string;
}

/**
 * A metric of a sweep: latency gates read the configuration `best.latency` names, throughput gates the one
 * `best.throughput` names (their `configs[]` statistics; the recommendation's own mean when the record has no
 * configs). latency.p99 and p99.9 are not kept per configuration: read from the configuration's row when it
 * has one run (its per-pass samples), not measured otherwise.
 */
export function sweepMetric(rec: SweepRecord, metric: string): SweepMetric {
  if ((LLM_METRICS as readonly string[]).includes(metric)) {
    // An LLM metric is read from the configuration the sweep's own --metric card names.
    if (rec.best.metricName !== metric)
      return { value: null, reason: `a sweep gates ${metric} only when it ranks by it (--metric ${metric})` };
    const best = rec.best.metric ?? null;
    if (!best) return { value: null, reason: `no configuration printed ${metric}` };
    return { value: num(best.metricValue) };
  }
  const latency = metric.startsWith('latency.');
  if (!latency && metric !== 'throughput')
    return { value: null, reason: 'a sweep gates latency.* and throughput only' };
  const best = latency ? rec.best.latency : rec.best.throughput;
  if (!best) return { value: null, reason: `no configuration has ${latency ? 'a latency' : 'a throughput'}` };
  const cfg = typeof best.config === 'number' ? rec.configs?.[best.config] : undefined;
  if (!latency) return { value: num(cfg?.throughputStats.value ?? best.throughput) };
  const stat = metric.slice('latency.'.length);
  if (stat === 'p99' || stat === 'p99.9') {
    const ids = cfg?.runIds ?? best.runIds;
    const rows = rec.rows.filter((r) => ids.includes(r.runId) && r.samples);
    const v = stat === 'p99' && rows.length === 1 ? num(rows[0]!.samples!.p99) : null;
    if (v !== null) return { value: v };
    return {
      value: null,
      reason: stat === 'p99' ? 'a sweep keeps no p99 of repeated runs' : 'a sweep keeps no p99.9',
    };
  }
  const s = cfg?.latencyStats;
  const v = stat === 'mean' ? (s?.meanMs ?? best.latencyMs) : stat === 'median' ? s?.medianMs : s?.p90Ms;
  return { value: num(v) };
}

function compare(v: number, op: GateOp, t: number): boolean {
  return op === '<' ? v < t : op === '<=' ? v <= t : op === '>' ? v > t : v >= t;
}

/**
 * Each gate against `value(metric)`. `baseline(metric)`: the baseline run's value of it. `notEvaluated`: the
 * reason no gate is evaluated (the workload failed); every gate is then reported with pass null.
 */
export function evaluateGates(
  gates: readonly Gate[],
  value: (metric: string) => SweepMetric,
  baseline: ((metric: string) => number | null) | null,
  notEvaluated: string | null = null,
): GateResult[] {
  return gates.map((g) => {
    const base = g.rhs.kind === 'baseline' ? (baseline?.(g.metric) ?? null) : null;
    const threshold = g.rhs.kind === 'number' ? g.rhs.value : base === null ? null : base * g.rhs.factor;
    if (notEvaluated !== null)
      return { expr: g.expr, value: null, pass: null, threshold, reason: notEvaluated };
    const { value: v, reason } = value(g.metric);
    if (v === null)
      return { expr: g.expr, value: null, pass: false, threshold, reason: reason ?? 'not measured' };
    if (threshold === null)
      return { expr: g.expr, value: v, pass: false, threshold, reason: 'not measured in the baseline run' };
    return { expr: g.expr, value: v, pass: compare(v, g.op, threshold), threshold };
  });
}

/** `gate latency.p90<12: 9.81 — pass` (stderr). */
export function gateLine(r: GateResult): string {
  const v = r.value === null ? '-' : String(Number(r.value.toPrecision(6)));
  const verdict = r.pass === null ? 'not evaluated' : r.pass ? 'pass' : 'FAIL';
  const why = r.reason ? ` (${r.reason})` : '';
  const against =
    r.threshold !== null && /baseline/i.test(r.expr) ? ` vs ${Number(r.threshold.toPrecision(6))}` : '';
  return `gate ${r.expr}: ${v}${against} — ${verdict}${why}`;
}
