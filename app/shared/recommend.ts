/**
 * From a sweep's rows to what it recommends. Rows of one configuration are grouped into `configs` with their
 * statistics (over the repetitions' means, or over one run's per-pass samples); a card names a configuration
 * only when it beats every other one by Welch's t-test at 95 % AND by more than a practical threshold,
 * otherwise it says which configurations it is tied with. Failed rows and rows without numbers never count.
 */
import type { EngineInfo, Finding } from './findings';
import { ci95OfMean, cv as cvOf, summarize, welch, type SampleSummary } from './stats';
import { noisyFinding, tooFewFinding } from './validity';
import { applyVariant, withoutSweptVars } from './variants';
import { LLM_HIGHER_BETTER, LLM_METRICS, LLM_UNITS, type LlmMetricName } from './llm';
import type {
  ConfigStats,
  MetricStatsOut,
  CustomVariant,
  LatencyStatsOut,
  Recommendation,
  SweepBest,
  SweepRecord,
  SweepRow,
  ThroughputStatsOut,
} from './sweep';

/** Significance level of the test (two-sided). */
export const ALPHA = 0.05;
/** Default practical threshold (percent): smaller differences are not worth a recommendation. */
export const DEFAULT_PRACTICAL_PCT = 2;

/** Shell text for a configuration: one line, or K background lines and a `wait`. */
export function joinCommands(commands: readonly string[]): string {
  if (commands.length <= 1) return commands[0] ?? '';
  return [...commands.map((c) => `${c} &`), 'wait'].join('\n');
}

/**
 * The same as one line a shell runs (CSV cells, table cells): `cmd` alone, or `cmd1 & cmd2 & wait` — every
 * instance started in the background together, the line ending when all have.
 */
export function commandLine(commands: readonly string[]): string {
  if (commands.length <= 1) return commands[0] ?? '';
  return [...commands, 'wait'].join(' & ');
}

type ConfigKey = Pick<SweepRow, 'threads' | 'instances' | 'placement' | 'variant' | 'batch'>;

/** Rows with the same key are repetitions of one configuration. */
export function configKey(r: ConfigKey): string {
  return JSON.stringify([r.threads, r.instances, r.placement, r.variant, r.batch]);
}

/** A row that counts: the run ended well and gave numbers. */
export function isSuccessful(r: SweepRow): boolean {
  return (
    !r.skipped &&
    r.exitCode === 0 &&
    (r.latencyMs !== null || r.throughput !== null || LLM_METRICS.some((k) => typeof r[k] === 'number'))
  );
}

/** "2 threads × 1 instance, fp32, compact" (batch when set): how findings and the CLI name a configuration. */
export function configLabel(
  c: Pick<ConfigStats, 'threads' | 'instances' | 'placement' | 'variant' | 'batch'>,
): string {
  return (
    `${c.threads} thread${c.threads === 1 ? '' : 's'} × ${c.instances} instance${c.instances === 1 ? '' : 's'}, ` +
    `${c.variant}, ${c.placement}${c.batch !== null ? `, batch ${c.batch}` : ''}`
  );
}

interface Group {
  rows: SweepRow[];
  firstI: number;
}

/** Successful rows grouped by configuration, in plan order (a resumed sweep appends rows out of order). */
function groups(rows: readonly SweepRow[]): Group[] {
  const byKey = new Map<string, Group>();
  for (const r of rows) {
    if (!isSuccessful(r)) continue;
    const k = configKey(r);
    const g = byKey.get(k) ?? { rows: [], firstI: r.i };
    g.rows.push(r);
    g.firstI = Math.min(g.firstI, r.i);
    byKey.set(k, g);
  }
  return [...byKey.values()]
    .sort((a, b) => a.firstI - b.firstI)
    .map((g) => ({ ...g, rows: [...g.rows].sort((a, b) => a.repeat - b.repeat || a.i - b.i) }));
}

const nums = (xs: (number | null | undefined)[]): number[] =>
  xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));

/** What a configuration's numbers rest on, kept beside its public statistics for the tests. */
interface Basis {
  stats: ConfigStats;
  /** {n, mean, sd} of latency (ms) for the test; null when nothing is known. */
  latency: Pick<SampleSummary, 'n' | 'mean' | 'sd'> | null;
  throughput: Pick<SampleSummary, 'n' | 'mean' | 'sd'> | null;
  /** {n, mean, sd} of the sweep's --metric; null without one or when no row printed it. */
  metric: Pick<SampleSummary, 'n' | 'mean' | 'sd'> | null;
  /** Measured passes and seconds behind the configuration, when the rows had per-pass samples. */
  passes: number | null;
  measuredS: number | null;
  first: SweepRow;
}

function fromRepeats(
  g: Group,
): Pick<Basis, 'latency' | 'throughput'> & Pick<ConfigStats, 'latencyStats' | 'throughputStats'> {
  const lat = summarize(nums(g.rows.map((r) => r.latencyMs)));
  const thr = summarize(nums(g.rows.map((r) => r.throughput)));
  return {
    latency: lat,
    throughput: thr,
    latencyStats: {
      meanMs: lat?.mean ?? null,
      medianMs: lat?.median ?? null,
      p90Ms: lat?.p90 ?? null,
      ci95Ms: lat ? ci95OfMean(lat) : null,
      cv: lat ? cvOf(lat) : null,
    },
    throughputStats: {
      value: thr?.mean ?? null,
      unit: g.rows.find((r) => r.throughputUnit)?.throughputUnit ?? null,
      ci95: thr ? ci95OfMean(thr) : null,
      cv: thr ? cvOf(thr) : null,
    },
  };
}

/**
 * One run: its per-pass samples. Throughput is not sampled per pass; for a fixed batch and concurrency it is
 * inversely proportional to the mean latency, so its interval is the latency interval mapped through
 * T × mean / bound (and its CV, to first order, the latency's). Without samples only the row's own means are known.
 */
function fromSamples(
  r: SweepRow,
): Pick<Basis, 'latency' | 'throughput'> & Pick<ConfigStats, 'latencyStats' | 'throughputStats'> {
  const s = r.samples ?? null;
  const latencyStats: LatencyStatsOut = s
    ? { meanMs: s.mean, medianMs: s.median, p90Ms: s.p90, ci95Ms: ci95OfMean(s), cv: cvOf(s) }
    : { meanMs: r.latencyMs, medianMs: null, p90Ms: r.latencyP90Ms, ci95Ms: null, cv: null };
  const T = r.throughput;
  const ci = latencyStats.ci95Ms;
  const throughputStats: ThroughputStatsOut = {
    value: T,
    unit: r.throughputUnit,
    ci95: T !== null && s && ci && ci[0] > 0 ? [(T * s.mean) / ci[1], (T * s.mean) / ci[0]] : null,
    cv: T !== null ? latencyStats.cv : null,
  };
  return {
    latency: s ?? (r.latencyMs !== null ? { n: 1, mean: r.latencyMs, sd: 0 } : null),
    throughput:
      T === null
        ? null
        : s && latencyStats.cv !== null
          ? { n: s.n, mean: T, sd: T * latencyStats.cv }
          : { n: 1, mean: T, sd: 0 },
    latencyStats,
    throughputStats,
  };
}

/**
 * The sweep's --metric over a configuration: the repetitions' values (as latency's), or one run's value with
 * the spread its tool printed (llama-bench's ± over its own -r repetitions; n unknown = one value).
 */
function metricOf(g: Group, metric: LlmMetricName): { side: Basis['metric']; stats: MetricStatsOut } | null {
  const values = nums(g.rows.map((r) => r[metric]));
  if (values.length === 0) return null;
  let side: Basis['metric'];
  if (g.rows.length >= 2) side = summarize(values);
  else {
    const sp = g.rows[0]!.spread?.[metric];
    side =
      sp && sp.n !== null && sp.n >= 2
        ? { n: sp.n, mean: values[0]!, sd: sp.sd }
        : { n: 1, mean: values[0]!, sd: 0 };
  }
  const n = side ? side.n : null;
  return {
    side,
    stats: {
      metric,
      value: side?.mean ?? null,
      unit: LLM_UNITS[metric],
      ci95: side && side.n >= 2 ? ci95OfMean(side) : null,
      cv: side && side.n >= 2 ? cvOf(side) : null,
      n,
    },
  };
}

function basisOf(g: Group, metric?: LlmMetricName): Basis {
  const first = g.rows[0]!;
  const repeats = g.rows.length >= 2;
  const part = repeats ? fromRepeats(g) : fromSamples(first);
  const m = metric ? metricOf(g, metric) : null;
  const sampled = g.rows.filter((r) => r.samples);
  const passes = sampled.length ? sampled.reduce((a, r) => a + r.samples!.n, 0) : null;
  // Per-pass latencies of several instances overlap in time: their sum over-counts; the mean per instance does not.
  const measuredS = sampled.length
    ? sampled.reduce((a, r) => a + (r.samples!.n * r.samples!.mean) / 1000 / Math.max(1, r.instances), 0)
    : null;
  return {
    first,
    latency: part.latency,
    throughput: part.throughput,
    metric: m?.side ?? null,
    passes,
    measuredS,
    stats: {
      threads: first.threads,
      instances: first.instances,
      cores: first.cores,
      placement: first.placement,
      variant: first.variant,
      batch: first.batch,
      runs: g.rows.length,
      runIds: g.rows.map((r) => r.runId),
      basis: repeats ? 'repeats' : 'samples',
      latencyStats: part.latencyStats,
      throughputStats: part.throughputStats,
      ...(m ? { metricStats: m.stats } : {}),
    },
  };
}

/** Findings about one configuration's numbers: noisy, too few samples (or none to test with). */
function configFindings(b: Basis): Finding[] {
  const c = b.stats;
  const out: Finding[] = [];
  const what = c.basis === 'repeats' ? `the ${c.runs} repetitions' mean latencies` : 'per-pass latencies';
  const noisy = noisyFinding(c.latencyStats.cv, `${configLabel(c)}: ${what}`);
  if (noisy) out.push(noisy);
  const testable = (b.latency?.n ?? 0) >= 2 || (b.throughput?.n ?? 0) >= 2;
  if (!testable)
    out.push({
      code: 'too-few-samples',
      severity: 'warning',
      message:
        `${configLabel(c)}: one run and no per-pass samples: no confidence interval and no significance test ` +
        'can be made, so it is never called better than another configuration',
      evidence: [
        { source: 'successful runs', value: String(c.runs) },
        { source: 'per-pass samples', value: '0' },
      ],
      fix: {
        label:
          'Repeat each configuration (--repeat 3 or --until-stable 1), or let the workload write RESULTS_DIR dumps or per-pass latency lines',
      },
    });
  else if (b.passes !== null) {
    const few = tooFewFinding(b.passes, b.measuredS);
    if (few) out.push({ ...few, message: `${configLabel(c)}: ${few.message}` });
  }
  return out;
}

export interface RecommendOptions {
  budgetMs?: number | null;
  /** Practical threshold in percent (default 2). */
  practicalPct?: number;
  /** The sweep's engine probe: absent engine + engine-only variant differences = the same program. */
  engine?: EngineInfo | null;
  /** To know what each variant sets (built-in or custom); without it variants are compared by name only. */
  baseEnv?: Record<string, string | null>;
  customVariants?: readonly CustomVariant[];
  /** The LLM metric the sweep also ranks by (SweepSpec.metric). */
  metric?: LlmMetricName;
}

/**
 * The options a sweep record's own analysis used (its threshold, engine probe and variants), so an answer worked
 * out elsewhere (the UI's live budget) ties and tests exactly as the engine's did.
 */
export function recordOptions(
  r: Pick<SweepRecord, 'spec' | 'engine'> | null,
): Omit<RecommendOptions, 'budgetMs'> {
  if (!r) return {};
  return {
    practicalPct: r.spec.practicalPct,
    engine: r.engine,
    baseEnv: withoutSweptVars(r.spec.settings.env),
    customVariants: r.spec.customVariants,
    ...(r.spec.metric ? { metric: r.spec.metric } : {}),
  };
}

export interface Analysis {
  configs: ConfigStats[];
  best: SweepBest;
  findings: Finding[];
}

/**
 * Whether two variants differ only in engine variables (`AIO_*`): with the engine absent they run the same
 * program. Compared on the environments they produce, so custom variants are judged by what they set.
 */
export function engineOnlyDifference(
  a: string,
  b: string,
  baseEnv: Record<string, string | null>,
  custom: readonly CustomVariant[],
): boolean {
  if (a === b) return true;
  let ea: Record<string, string | null>;
  let eb: Record<string, string | null>;
  try {
    ea = applyVariant(baseEnv, a, custom);
    eb = applyVariant(baseEnv, b, custom);
  } catch {
    return false; // a variant no longer defined: nothing can be said
  }
  for (const k of new Set([...Object.keys(ea), ...Object.keys(eb)]))
    if ((ea[k] ?? null) !== (eb[k] ?? null) && !k.startsWith('AIO_')) return false;
  return true;
}

type Side = Pick<SampleSummary, 'n' | 'mean' | 'sd'>;

interface Card {
  name: string;
  /** The card's value of a configuration (higher is better) and its {n, mean, sd} for the test. */
  side(b: Basis): Side | null;
  higherBetter: boolean;
}

const perCoreSide = (b: Basis): Side | null =>
  b.throughput
    ? { n: b.throughput.n, mean: b.throughput.mean / b.stats.cores, sd: b.throughput.sd / b.stats.cores }
    : null;

const CARDS = {
  latency: { name: 'Lowest latency', side: (b: Basis) => b.latency, higherBetter: false },
  throughput: { name: 'Highest throughput', side: (b: Basis) => b.throughput, higherBetter: true },
  perCore: { name: 'Best throughput per core', side: perCoreSide, higherBetter: true },
} satisfies Record<string, Card>;

export interface CardResult {
  /** Index into configs of the configuration named. */
  config: number;
  significant: boolean;
  tiedWith: number[];
  /** Pairs that could not be tested (fewer than two values on a side). */
  untested: number[];
  /** Pairs tied by rule (same program: engine absent, engine-only difference). */
  sameProgram: number[];
}

/**
 * Pick a card's configuration among `candidates` (indices into `bases`). The top one by mean must beat each
 * other candidate by Welch's test (p < 0.05) and by more than `practicalPct` % of the larger value; the ones it
 * does not beat are tied with it, and so is every configuration running the same program as one of the tied
 * (`sameProgram`); the card then names the first of the tied group in plan order.
 */
export function decideCard(
  bases: readonly Basis[],
  candidates: readonly number[],
  card: Card,
  practicalPct: number,
  sameProgram: (a: number, b: number) => boolean,
): CardResult | null {
  let top = -1;
  let topMean = -Infinity;
  for (const i of candidates) {
    const s = card.side(bases[i]!);
    if (!s || !Number.isFinite(s.mean)) continue;
    const v = card.higherBetter ? s.mean : -s.mean;
    // Equal means: fewer cores, then the earlier configuration.
    if (v > topMean || (v === topMean && top >= 0 && bases[i]!.stats.cores < bases[top]!.stats.cores)) {
      top = i;
      topMean = v;
    }
  }
  if (top < 0) return null;
  const a = card.side(bases[top]!)!;
  const tied: number[] = [];
  const untested: number[] = [];
  const same: number[] = [];
  for (const i of candidates) {
    if (i === top) continue;
    const b = card.side(bases[i]!);
    if (!b || !Number.isFinite(b.mean)) continue;
    if (sameProgram(top, i)) {
      tied.push(i);
      same.push(i);
      continue;
    }
    const w = welch(a, b);
    if (!w) {
      tied.push(i);
      untested.push(i);
      continue;
    }
    // Relative to the larger value: symmetric, and the same for a latency pair and its throughput pair.
    const larger = Math.max(Math.abs(a.mean), Math.abs(b.mean));
    const practical = larger > 0 && (Math.abs(a.mean - b.mean) / larger) * 100 > practicalPct;
    if (!(w.p < ALPHA && practical)) tied.push(i);
  }
  // A configuration that runs the same program as one in the group is that program measured again: it joins
  // the group too. Otherwise a noisy twin could carry the tie alone (tied with a faster top that its quieter
  // twin is not), and the card would name one variant while leaving out the identical other (seen in a real
  // sweep: off tied with the 2-thread top, fp32 not, the card named off).
  for (let grown = true; grown;) {
    grown = false;
    for (const i of candidates) {
      if (i === top || tied.includes(i)) continue;
      const b = card.side(bases[i]!);
      if (!b || !Number.isFinite(b.mean)) continue;
      if ([top, ...tied].some((j) => sameProgram(j, i))) {
        tied.push(i);
        same.push(i);
        grown = true;
      }
    }
  }
  const group = [top, ...tied].sort((x, y) => x - y);
  const config = group[0]!;
  return {
    config,
    significant: tied.length === 0,
    tiedWith: group.filter((i) => i !== config),
    untested,
    sameProgram: same,
  };
}

function recommendation(b: Basis, index: number, r: CardResult): Recommendation {
  const c = b.stats;
  const throughput = c.throughputStats.value;
  return {
    ...(c.metricStats ? { metricValue: c.metricStats.value } : {}),
    threads: c.threads,
    instances: c.instances,
    cores: c.cores,
    placement: c.placement,
    variant: c.variant,
    batch: c.batch,
    latencyMs: c.latencyStats.meanMs,
    throughput,
    perCore: throughput === null ? null : throughput / c.cores,
    repeats: c.runs,
    command: joinCommands(b.first.commands),
    commands: [...b.first.commands],
    runIds: [...c.runIds],
    config: index,
    significant: r.significant,
    tiedWith: r.tiedWith,
  };
}

/** One entry per configuration with at least one successful row, in plan order. */
export function aggregate(rows: readonly SweepRow[]): ConfigStats[] {
  return groups(rows).map((g) => basisOf(g).stats);
}

/** Configurations, recommendation cards and the sweep-level findings, from the rows so far. */
export function analyzeSweep(rows: readonly SweepRow[], opts: RecommendOptions = {}): Analysis {
  const budgetMs = opts.budgetMs ?? null;
  const practicalPct = opts.practicalPct ?? DEFAULT_PRACTICAL_PCT;
  const bases = groups(rows).map((g) => basisOf(g, opts.metric));
  for (const b of bases) {
    const f = configFindings(b);
    if (f.length) b.stats.findings = f;
  }
  const configs = bases.map((b) => b.stats);
  const engineAbsent = opts.engine?.present === false;
  const baseEnv = opts.baseEnv ?? {};
  const custom = opts.customVariants ?? [];
  const sameProgram = (x: number, y: number): boolean => {
    if (!engineAbsent) return false;
    const a = configs[x]!;
    const b = configs[y]!;
    return (
      a.threads === b.threads &&
      a.instances === b.instances &&
      a.placement === b.placement &&
      a.batch === b.batch &&
      a.cores === b.cores &&
      engineOnlyDifference(a.variant, b.variant, baseEnv, custom)
    );
  };
  const all = configs.map((_, i) => i);
  const inBudget =
    budgetMs === null
      ? []
      : all.filter(
          (i) => configs[i]!.latencyStats.meanMs !== null && configs[i]!.latencyStats.meanMs! <= budgetMs,
        );
  const decided = {
    latency: decideCard(bases, all, CARDS.latency, practicalPct, sameProgram),
    throughput: decideCard(bases, all, CARDS.throughput, practicalPct, sameProgram),
    perCore: decideCard(bases, all, CARDS.perCore, practicalPct, sameProgram),
    withinBudget:
      budgetMs === null
        ? null
        : decideCard(
            bases,
            inBudget,
            { ...CARDS.perCore, name: `Best per core within ${budgetMs} ms` },
            practicalPct,
            sameProgram,
          ),
  };
  const metric = opts.metric;
  const metricCard = metric
    ? decideCard(
        bases,
        all,
        { name: `Best ${metric}`, side: (b: Basis) => b.metric, higherBetter: LLM_HIGHER_BETTER[metric] },
        practicalPct,
        sameProgram,
      )
    : null;
  const rec = (r: CardResult | null) => (r ? recommendation(bases[r.config]!, r.config, r) : null);
  const best: SweepBest = {
    latency: rec(decided.latency),
    throughput: rec(decided.throughput),
    perCore: rec(decided.perCore),
    withinBudget: rec(decided.withinBudget),
    budgetMs,
    ...(metric ? { metric: rec(metricCard), metricName: metric } : {}),
  };
  const cards = metric ? { ...decided, metric: metricCard } : decided;
  return { configs, best, findings: sweepFindings(configs, cards, opts, practicalPct) };
}

function sweepFindings(
  configs: readonly ConfigStats[],
  decided: Partial<
    Record<'latency' | 'throughput' | 'perCore' | 'withinBudget' | 'metric', CardResult | null>
  >,
  opts: RecommendOptions,
  practicalPct: number,
): Finding[] {
  const out: Finding[] = [];
  const e = opts.engine;
  if (e?.present === false) {
    const variants = [...new Set(configs.map((c) => c.variant))];
    const baseEnv = opts.baseEnv ?? {};
    const custom = opts.customVariants ?? [];
    const same = variants.filter((v) =>
      variants.some((w) => w !== v && engineOnlyDifference(v, w, baseEnv, custom)),
    );
    out.push({
      code: 'engine-absent',
      severity: 'warning',
      message:
        'the Ampere Optimized PyTorch engine is not in this interpreter' +
        (same.length >= 2
          ? `: variants ${same.join(', ')} ran the same program (they differ only in engine variables, AIO_*), so their differences are noise and they are tied`
          : ': engine variables (AIO_*) change nothing in these runs'),
      evidence: [
        { source: "'_aio_profiler_print' in dir(torch._C)", value: 'False' },
        ...(e.torch ? [{ source: 'torch.__version__', value: e.torch }] : []),
        ...(e.python ? [{ source: 'python', value: e.python }] : []),
        ...(e.error ? [{ source: 'probe', value: e.error }] : []),
      ],
      fix: {
        label:
          "Run the workload with Ampere's PyTorch: the AI-optimized container image (e.g. amperecomputingai/pytorch) or its interpreter",
      },
    });
  }
  for (const code of ['noisy', 'too-few-samples'] as const) {
    const hit = configs.filter((c) => c.findings?.some((f) => f.code === code));
    if (!hit.length) continue;
    out.push({
      code,
      severity: 'warning',
      message:
        code === 'noisy'
          ? `${hit.length} of ${configs.length} configuration(s) have noisy numbers (coefficient of variation above 5 %): ${hit.map(configLabel).join('; ')}`
          : `${hit.length} of ${configs.length} configuration(s) rest on too few samples: ${hit.map(configLabel).join('; ')}`,
      evidence: hit.map((c) => ({
        source: configLabel(c),
        value: c.findings!.find((f) => f.code === code)!.message,
      })),
    });
  }
  const tiedCards = (Object.entries(decided) as [string, CardResult | null][]).filter(
    ([, r]) => r !== null && !r.significant,
  );
  if (tiedCards.length) {
    const names: Record<string, string> = {
      latency: 'lowest latency',
      throughput: 'highest throughput',
      perCore: 'best throughput per core',
      withinBudget: 'best per core within the budget',
      metric: `best ${opts.metric ?? 'metric'}`,
    };
    out.push({
      code: 'tied',
      severity: 'info',
      message:
        tiedCards
          .map(
            ([k, r]) =>
              `${names[k]}: ${[r!.config, ...r!.tiedWith].map((i) => configLabel(configs[i]!)).join(' / ')} cannot be told apart`,
          )
          .join('; ') +
        ` (Welch's t-test at 95 % and a ${practicalPct} % practical threshold); each card names the first of its tied group`,
      evidence: tiedCards.flatMap(([k, r]) => [
        ...(r!.sameProgram.length
          ? [{ source: `${names[k]}: tied by rule (same program)`, value: r!.sameProgram.join(', ') }]
          : []),
        ...(r!.untested.length
          ? [{ source: `${names[k]}: no test possible (fewer than 2 values)`, value: r!.untested.join(', ') }]
          : []),
      ]),
    });
  }
  return out;
}

/** The cards only (tests and callers that need no findings). */
export function recommend(
  rows: readonly SweepRow[],
  budgetMs: number | null = null,
  opts: RecommendOptions = {},
): SweepBest {
  return analyzeSweep(rows, { ...opts, budgetMs }).best;
}
