/**
 * Performance results from a workload's output.
 *
 * Recognised, in order of trust (a structured block is never overridden by a generic line):
 * 1. AML's current report: `LATENCY` / `THROUGHPUT` / `ACCURACY` blocks (optionally `LATENCY - encoder` for
 *    sub-models), `mean|median|p90|p99|p99.9  <v> [ms]`, `observed <v> [unit]`, `inverted <v> [ms]`,
 *    `based on N pass(es)`, `N warm-up runs have not been considered`.
 * 2. AML's pre-2023 table: `Latency [ms]: mean / median / p90` and `Throughput [samples/s]: …` (mean column).
 * 3. Other runtimes' reports (app/run/parsers/): OpenVINO benchmark_app, onnxruntime_perf_test, llama-bench
 *    (markdown, CSV, JSON, JSONL) and llama.cpp's timing lines; the first one recognised gives the numbers the
 *    AML formats did not, and its LLM metrics and echoed settings.
 * 4. Generic lines: `latency: 12.3 ms`, `Latency = 12.3ms`, `throughput: 45 samples/s|ips|fps|tokens/s|it/s`.
 * `FAIL:` and `CAUTION:` lines (ANSI-red in AML) are collected as failures/cautions.
 *
 * Generic lines are either a summary or a step (README, "Which numbers a run reports"):
 * - a line that names a statistic before its `:`/`=` (mean, avg, average, median, p50, p90, p99, p99.9; min,
 *   max, std, p95… name one too and are neither result nor sample) is a summary: it sets that statistic, the
 *   last such line winning (a running average printed each step ends as the final one);
 * - every other line is a step. Steps are grouped by their shape (the line with its numbers blanked out); the
 *   most frequent shape, when it has two lines or more, is the per-step series: its values are the samples, in
 *   order. A line of another shape seen once, after the series' last line, closes the series: it is the
 *   summary's mean. Without a series, the first step line is the mean, as a lone line always was.
 * A summary (an AML block, the legacy table, summary lines) is the result; statistics it lacks come from the
 * samples (median and percentiles from two samples up). With steps only, the result is computed from them.
 * Generic latency lines after an AML block or the legacy table are not read (the report closed the series).
 */
import { stripAnsi } from '../logs/ansi';
import { decodeDisplay, type Stream } from '../logs/logfile';
import { LineSplitter } from '../logs/splitter';
import { percentileOfSorted } from '../shared/stats';
import type { LlmMetricName, LlmSpread } from '../shared/llm';
import type { RuntimeSettings } from '../shared/run';
import { RUNTIME_WORDS, runtimeParsers, type RuntimeFormat, type RuntimeParser } from './parsers';

export interface LatencyStats {
  mean: number | null;
  median: number | null;
  p90: number | null;
  p99: number | null;
  'p99.9': number | null;
  /** Only from a runtime that printed them (never computed from steps). */
  min?: number | null;
  max?: number | null;
}

export interface Throughput {
  value: number;
  /** As printed, e.g. "samples/s", "tokens/s", "ips". */
  unit: string;
}

export interface ResultBlock {
  latencyMs: LatencyStats;
  throughput: Throughput | null;
  /** AML's `inverted` throughput line, ms per sample. */
  invertedMs?: number;
}

/**
 * Which output format the numbers were read from: AML's report, its pre-2023 table, generic summary lines
 * ('generic'), or generic per-step lines only ('generic-steps', the result computed from the steps).
 */
export type ResultsFormat = 'aml' | 'aml-legacy' | RuntimeFormat | 'generic' | 'generic-steps' | 'none';

/**
 * At most this many per-step values of each kind (latency, throughput) are kept, 8 MB; the first ones, in order.
 * Later steps are counted in `dropped`.
 */
export const MAX_STEP_VALUES = 1_000_000;

/**
 * The per-step values of a run, in the order printed. JSON shows only the counts: a bundle writes RunMetrics
 * whole, and a million numbers do not belong in its results.
 */
export class StepSamples {
  constructor(
    /** Per-step latencies, ms. */
    readonly latencyMs: Float64Array,
    /** Per-step throughput values, in `throughputUnit`. */
    readonly throughput: Float64Array,
    readonly throughputUnit: string | null,
    /** Steps past MAX_STEP_VALUES, not kept. */
    readonly dropped: number,
  ) {}

  toJSON(): { latency: number; throughput: number; dropped: number } {
    return { latency: this.latencyMs.length, throughput: this.throughput.length, dropped: this.dropped };
  }
}

export interface RunMetrics extends ResultBlock {
  passes?: number;
  warmups?: number;
  accuracy?: Record<string, number>;
  /** Per sub-model blocks (`LATENCY - encoder` → sections.encoder). */
  sections?: Record<string, ResultBlock>;
  failures: string[];
  cautions: string[];
  /** Most trusted format that contributed. */
  format: ResultsFormat;
  /** Generic per-step values (the per-step series), when the output printed two or more. */
  steps?: StepSamples;
  /** LLM metrics a runtime printed (null: not printed); absent when none was. */
  llm?: Record<LlmMetricName, number | null>;
  spread?: LlmSpread;
  /** What the recognised runtime echoed about its settings. */
  runtime?: RuntimeSettings;
}

const NUM = String.raw`([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)`;
const HEADER_RE = /^(LATENCY|THROUGHPUT|ACCURACY)(?:\s*[-–:]\s*(.+?))?\s*$/;
const LAT_ITEM_RE = new RegExp(
  String.raw`^(mean|median|p50|p90|p95|p99\.9|p99|p999)\s*[:=]?\s*${NUM}\s*\[?\s*(ms|s|us|µs)\s*\]?$`,
  'i',
);
const THR_ITEM_RE = new RegExp(String.raw`^observed\s*[:=]?\s*${NUM}\s*\[\s*([^\]]+?)\s*\]$`, 'i');
const INV_ITEM_RE = new RegExp(String.raw`^inverted\s*[:=]?\s*${NUM}\s*\[\s*(ms|s)\s*\]$`, 'i');
const ACC_ITEM_RE = new RegExp(String.raw`^([A-Za-z][\w .\-@/]*?)\s*(?:=|:|\s)\s*${NUM}\s*(%?)$`);
const PASSES_RE = /based on (\d+) pass(?:\(es\)|es)?\b/i;
const WARMUPS_RE = /(\d+) warm-?up runs? (?:has|have) not been considered/i;
const LEGACY_LAT_RE = new RegExp(
  String.raw`^Latency\s*\[\s*(ms|s)\s*\]\s*:\s*${NUM}\s*/\s*${NUM}\s*/\s*${NUM}`,
  'i',
);
const LEGACY_THR_RE = new RegExp(
  String.raw`^Throughput\s*\[\s*([^\]]+?)\s*\]\s*:\s*${NUM}(?:\s*/\s*${NUM}\s*/\s*${NUM})?`,
  'i',
);
const GENERIC_LAT_RE = new RegExp(
  String.raw`\blatency\b[^:=\n]{0,20}[:=]\s*${NUM}\s*(ms|s|us|µs|msec|sec)?\b`,
  'i',
);
const GENERIC_THR_RE = new RegExp(
  String.raw`\bthroughput\b[^:=\n]{0,20}[:=]\s*${NUM}\s*(samples/s|samples/sec|ips|fps|tokens/s|tokens/sec|tok/s|it/s|items/s|images/s|img/s|qps|/s)?`,
  'i',
);
// A statistic named before the separator: the line is a summary, not a step.
const STAT_RE =
  /(?:^|[^a-z0-9])(mean|avg|average|median|p50|p99\.9|p999|p99|p90|p95|min|max|std|stdev|total|overall)(?![a-z0-9])/i;
const NUMBERS_RE = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/g;
const FAIL_RE = /^\s*FAIL(?:ED)?\s*:?\s*(.*)$/;
const CAUTION_RE = /^\s*CAUTION\s*:?\s*(.*)$/;

const toMs: Record<string, number> = { ms: 1, msec: 1, s: 1000, sec: 1000, us: 0.001, µs: 0.001 };

function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const v = Number(s.toLowerCase() === 'inf' ? Infinity : s);
  return Number.isNaN(v) ? null : v;
}

function emptyBlock(): ResultBlock {
  return { latencyMs: { mean: null, median: null, p90: null, p99: null, 'p99.9': null }, throughput: null };
}

const LAT_KEY: Record<string, keyof LatencyStats> = {
  mean: 'mean',
  median: 'median',
  p50: 'median',
  p90: 'p90',
  p99: 'p99',
  'p99.9': 'p99.9',
  p999: 'p99.9',
};

/** Values in arrival order, in a Float64Array that doubles as it fills. */
class Series {
  private buf = new Float64Array(16);
  n = 0;
  /** Values not kept: the parser's budget of MAX_STEP_VALUES per kind was spent. */
  dropped = 0;

  push(v: number): void {
    if (this.n === this.buf.length) {
      const grown = new Float64Array(Math.min(MAX_STEP_VALUES, this.buf.length * 2));
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf[this.n++] = v;
  }

  values(): Float64Array {
    return this.buf.slice(0, this.n);
  }
}

/** Step lines of one shape: how many, the first value (most shapes are seen once), the rest when repeated. */
interface Shape {
  count: number;
  first: number;
  unit: string;
  series: Series | null;
  /** Sequence number of its last line (among the generic lines of its kind). */
  last: number;
}

// Output with ever-new shapes (ids, hashes in every line) has no series to find: stop telling more apart.
const MAX_SHAPES = 16;

/** Generic lines of one kind (latency or throughput): summaries by statistic, steps by shape. */
class GenericLines {
  /** Summary values by statistic name (lower-cased; `avg`/`average` as `mean`, `p50` as `median`). */
  readonly summary = new Map<string, { value: number; unit: string }>();
  private readonly shapes = new Map<string, Shape>();
  private seq = 0;
  // Values kept across all shapes: memory stays under MAX_STEP_VALUES × 8 bytes whatever the output.
  private kept = 0;

  get any(): boolean {
    return this.seq > 0;
  }

  summaryLine(stat: string, value: number, unit: string): void {
    this.seq++;
    const s = stat.toLowerCase();
    const key = s === 'avg' || s === 'average' ? 'mean' : s === 'p50' ? 'median' : s === 'p999' ? 'p99.9' : s;
    this.summary.set(key, { value, unit });
  }

  stepLine(line: string, value: number, unit: string): void {
    const seq = ++this.seq;
    const key = line.replace(NUMBERS_RE, '#');
    const sh = this.shapes.get(key);
    if (sh) {
      sh.count++;
      sh.last = seq;
      sh.series ??= this.keep(new Series(), sh.first);
      this.keep(sh.series, value);
    } else if (this.shapes.size < MAX_SHAPES) {
      this.shapes.set(key, { count: 1, first: value, unit, series: null, last: seq });
    }
  }

  private keep(series: Series, v: number): Series {
    if (this.kept < MAX_STEP_VALUES) {
      series.push(v);
      this.kept++;
    } else series.dropped++;
    return series;
  }

  /**
   * The per-step series (the most frequent shape, two lines or more; the first seen on a tie), the line that
   * closed it (seen once, after the series' last line; the last such), and the first step line of all.
   */
  steps(): { series: Shape | null; closing: Shape | null; first: Shape | null } {
    let series: Shape | null = null;
    let first: Shape | null = null;
    for (const sh of this.shapes.values()) {
      if (first === null) first = sh;
      if (sh.count >= 2 && (series === null || sh.count > series.count)) series = sh;
    }
    let closing: Shape | null = null;
    if (series)
      for (const sh of this.shapes.values())
        if (sh.count === 1 && sh.last > series.last && (closing === null || sh.last > closing.last))
          closing = sh;
    return { series, closing, first };
  }
}

/** The statistics per-step values give (min and max only come from a runtime's report). */
export const STEP_STATS = ['mean', 'median', 'p90', 'p99', 'p99.9'] as const;

const pctOf = (sorted: Float64Array, p: number): number => percentileOfSorted(sorted, p)!;

/** mean, median, p90, p99, p99.9 of per-step values (finite ones only are kept); medians need two values. */
export function stepLatencyStats(v: Float64Array): LatencyStats {
  const none: LatencyStats = { mean: null, median: null, p90: null, p99: null, 'p99.9': null };
  if (v.length === 0) return none;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]!;
  if (v.length < 2) return { ...none, mean: sum };
  const sorted = v.slice().sort();
  return {
    mean: sum / v.length,
    median: pctOf(sorted, 50),
    p90: pctOf(sorted, 90),
    p99: pctOf(sorted, 99),
    'p99.9': pctOf(sorted, 99.9),
  };
}

/** Feed lines as they arrive (the live view shows results the moment the report is printed). */
export class ResultsParser {
  private readonly main = emptyBlock();
  private readonly sections = new Map<string, ResultBlock>();
  private block: { kind: 'LATENCY' | 'THROUGHPUT' | 'ACCURACY'; target: ResultBlock } | null = null;
  private accuracy: Record<string, number> | null = null;
  private passes: number | undefined;
  private warmups: number | undefined;
  private readonly failures: string[] = [];
  private readonly cautions: string[] = [];
  private structured = false;
  private legacy = false;
  private readonly genericLat = new GenericLines();
  private readonly genericThr = new GenericLines();
  private readonly runtimes: RuntimeParser[] = runtimeParsers();

  /** No block is open: only a line with one of the CANDIDATE words can change what the parser knows. */
  get idle(): boolean {
    return this.block === null && !this.runtimes.some((r) => r.busy);
  }

  /** A generic `latency: …` line would change nothing now: an AML report or the legacy table was read. */
  get genericLatencyMoot(): boolean {
    return this.structured || this.legacy;
  }

  feed(rawLine: string): void {
    const line = stripAnsi(rawLine).replace(/\r$/, '').trim();
    if (line === '') {
      this.block = null;
      for (const r of this.runtimes) r.feed('');
      return;
    }
    const fail = FAIL_RE.exec(line);
    if (fail) {
      this.failures.push(fail[1] || line);
      return;
    }
    const caution = CAUTION_RE.exec(line);
    if (caution) {
      this.cautions.push(caution[1] || line);
      return;
    }
    // A runtime's own report line is not a generic one (its `Throughput: 5898.01 FPS`, `P50 Latency: …`).
    let taken = false;
    for (const r of this.runtimes) if (r.feed(line)) taken = true;
    if (taken) return;
    const header = HEADER_RE.exec(line);
    if (header) {
      const kind = header[1] as 'LATENCY' | 'THROUGHPUT' | 'ACCURACY';
      const name = header[2];
      let target = this.main;
      if (name) {
        target = this.sections.get(name) ?? emptyBlock();
        this.sections.set(name, target);
      }
      this.block = { kind, target };
      if (kind === 'ACCURACY') this.accuracy ??= {};
      return;
    }
    let m: RegExpExecArray | null;
    if ((m = PASSES_RE.exec(line))) {
      this.passes = Number(m[1]);
      return;
    }
    if ((m = WARMUPS_RE.exec(line))) {
      this.warmups = Number(m[1]);
      return;
    }
    if (this.block && this.blockItem(line)) return;
    this.block = null;
    this.legacyOrGeneric(line);
  }

  private blockItem(line: string): boolean {
    const b = this.block!;
    let m: RegExpExecArray | null;
    if (b.kind === 'LATENCY' && (m = LAT_ITEM_RE.exec(line))) {
      const key = LAT_KEY[m[1]!.toLowerCase()]!;
      const v = num(m[2]);
      b.target.latencyMs[key] = v === null ? null : v * toMs[m[3]!.toLowerCase()]!;
      this.structured = true;
      return true;
    }
    if (b.kind === 'THROUGHPUT' && (m = THR_ITEM_RE.exec(line))) {
      const v = num(m[1]);
      if (v !== null) b.target.throughput = { value: v, unit: m[2]! };
      this.structured = true;
      return true;
    }
    if (b.kind === 'THROUGHPUT' && (m = INV_ITEM_RE.exec(line))) {
      const v = num(m[1]);
      if (v !== null) b.target.invertedMs = v * toMs[m[2]!.toLowerCase()]!;
      return true;
    }
    if (b.kind === 'ACCURACY' && (m = ACC_ITEM_RE.exec(line))) {
      const v = num(m[2]);
      if (v !== null) this.accuracy![m[1]!.trim()] = m[3] === '%' ? v / 100 : v;
      return true;
    }
    return false;
  }

  private legacyOrGeneric(line: string): void {
    let m: RegExpExecArray | null;
    if ((m = LEGACY_LAT_RE.exec(line))) {
      const f = toMs[m[1]!.toLowerCase()]!;
      const [mean, median, p90] = [num(m[2]), num(m[3]), num(m[4])];
      if (!this.structured) {
        const l = this.main.latencyMs;
        l.mean = mean === null ? null : mean * f;
        l.median = median === null ? null : median * f;
        l.p90 = p90 === null ? null : p90 * f;
      }
      this.legacy = true;
      return;
    }
    if ((m = LEGACY_THR_RE.exec(line))) {
      const v = num(m[2]);
      if (v === null) return;
      // Three columns = the legacy table (mean first); one value = a plain `Throughput [unit]: v` line.
      if (m[3] === undefined) this.throughputLine(m, v, m[1]!, line);
      else if (!this.structured) {
        this.main.throughput = { value: v, unit: m[1]! };
        this.legacy = true;
      }
      return;
    }
    // A step line may give both (`step 3, latency: 3.1 ms, throughput: 320 ips`).
    if ((m = GENERIC_LAT_RE.exec(line))) this.latencyLine(m, line);
    if ((m = GENERIC_THR_RE.exec(line))) {
      const v = num(m[1]);
      if (v !== null) this.throughputLine(m, v, m[2] ?? 'samples/s', line);
    }
  }

  /** Generic lines count until an AML report or the legacy table is read (it closes the series). */
  private get genericOpen(): boolean {
    return !this.structured && !this.legacy;
  }

  private latencyLine(m: RegExpExecArray, line: string): void {
    const v = num(m[1]);
    if (!this.genericOpen || v === null || !Number.isFinite(v)) return;
    this.genericLine(this.genericLat, line, m, v * toMs[(m[2] ?? 'ms').toLowerCase()]!, 'ms');
  }

  private throughputLine(m: RegExpExecArray, v: number, unit: string, line: string): void {
    if (this.genericOpen && Number.isFinite(v)) this.genericLine(this.genericThr, line, m, v, unit);
  }

  /**
   * A statistic named in the clause before the value's separator (`p90 latency:`, `latency (p50) =`) makes the
   * line a summary; a clause starts after the last `,`, `;` or `|` before the word.
   */
  private genericLine(g: GenericLines, line: string, m: RegExpExecArray, value: number, unit: string): void {
    const sep = m.index + m[0].search(/[:=]/);
    let from = m.index;
    while (from > 0 && !',;|'.includes(line[from - 1]!)) from--;
    const stat = STAT_RE.exec(line.slice(from, sep));
    if (stat) g.summaryLine(stat[1]!, value, unit);
    else g.stepLine(line, value, unit);
  }

  /** What the generic lines say, into the main block (a structured report or the table, read first, wins). */
  private genericResult(out: RunMetrics): boolean {
    let summary = false;
    const lat = this.genericLat;
    const latSteps = lat.steps();
    const l = out.latencyMs;
    const fromLines = !this.structured && !this.legacy && !this.hasLatency(this.main);
    if (fromLines && lat.any) {
      for (const [stat, { value }] of lat.summary)
        if (stat in l) {
          l[stat as keyof LatencyStats] = value;
          summary = true;
        }
      const lone = latSteps.closing ?? (latSteps.series ? null : latSteps.first);
      if (l.mean === null && lone) {
        l.mean = lone.first;
        summary = true;
      }
    }
    const thr = this.genericThr;
    const thrSteps = thr.steps();
    if (out.throughput === null && thr.any) {
      // Among summary lines, the mean's kind first; otherwise the last one read.
      const named =
        thr.summary.get('mean') ??
        thr.summary.get('total') ??
        thr.summary.get('overall') ??
        thr.summary.get('median') ??
        null;
      const lone = thrSteps.closing ?? (thrSteps.series ? null : thrSteps.first);
      if (named) out.throughput = { value: named.value, unit: named.unit };
      else if (lone) out.throughput = { value: lone.first, unit: lone.unit };
      if (out.throughput) summary = true;
    }
    const latValues = latSteps.series?.series?.values() ?? new Float64Array(0);
    const thrValues = thrSteps.series?.series?.values() ?? new Float64Array(0);
    if (latValues.length > 0 || thrValues.length > 0) {
      out.steps = new StepSamples(
        latValues,
        thrValues,
        thrSteps.series?.unit ?? null,
        (latSteps.series?.series?.dropped ?? 0) + (thrSteps.series?.series?.dropped ?? 0),
      );
      // Statistics the summary lacks (or all of them: steps only) come from the steps.
      const st = stepLatencyStats(latValues);
      for (const k of STEP_STATS) if (l[k] === null) l[k] = st[k];
      if (out.throughput === null && thrValues.length > 0) {
        let sum = 0;
        for (const x of thrValues) sum += x;
        out.throughput = { value: sum / thrValues.length, unit: thrSteps.series!.unit };
      }
    }
    return summary;
  }

  /**
   * The first runtime report recognised: its latency and throughput replace what generic lines said (never an
   * AML report's or the legacy table's), and its LLM metrics and settings are added.
   */
  private runtimeResult(out: RunMetrics): void {
    const found = this.runtimes.map((r) => r.result()).find((r) => r !== null);
    if (!found) return;
    if (!this.structured && !this.legacy) {
      if (found.latencyMs) out.latencyMs = { ...found.latencyMs };
      if (found.throughput) out.throughput = { ...found.throughput };
      if (found.latencyMs || found.throughput) {
        out.format = found.source;
        // The runtime's own statistics stand; generic lines around it were not its steps.
        delete out.steps;
      }
    }
    if (Object.values(found.llm).some((v) => v !== null)) {
      out.llm = { ...found.llm };
      out.spread = { ...found.spread };
      if (out.format === 'none') out.format = found.source;
    }
    out.runtime = found.runtime;
  }

  private hasLatency(b: ResultBlock): boolean {
    return Object.values(b.latencyMs).some((v) => v !== null);
  }

  result(): RunMetrics {
    const sections = Object.fromEntries(this.sections);
    // With only sub-model blocks, the first one is the headline (that is what a table column can show).
    const first = this.sections.values().next().value;
    const useFirst = !this.hasLatency(this.main) && this.main.throughput === null && first !== undefined;
    const headline = useFirst ? first : this.main;
    const out: RunMetrics = {
      latencyMs: { ...headline.latencyMs },
      throughput: headline.throughput ? { ...headline.throughput } : null,
      failures: [...this.failures],
      cautions: [...this.cautions],
      format: 'none',
    };
    const summary = this.genericResult(out);
    out.format = this.structured
      ? 'aml'
      : this.legacy
        ? 'aml-legacy'
        : summary
          ? 'generic'
          : out.steps
            ? 'generic-steps'
            : 'none';
    this.runtimeResult(out);
    if (headline.invertedMs !== undefined) out.invertedMs = headline.invertedMs;
    if (this.passes !== undefined) out.passes = this.passes;
    if (this.warmups !== undefined) out.warmups = this.warmups;
    if (this.accuracy && Object.keys(this.accuracy).length > 0) out.accuracy = { ...this.accuracy };
    if (this.sections.size > 0) out.sections = sections;
    return out;
  }
}

export function parseResults(lines: Iterable<string>): RunMetrics {
  const p = new ResultsParser();
  for (const l of lines) p.feed(l);
  return p.result();
}

/** True when the output carried any performance number. */
export function hasMetrics(m: RunMetrics): boolean {
  return m.throughput !== null || Object.values(m.latencyMs).some((v) => v !== null);
}

// Every line `feed` acts on outside a block has one of these (case aside); an escape sequence could split one.
const WORDS = [
  ...new Set([
    'fail',
    'caution',
    'throughput',
    'accuracy',
    'based on',
    'warm',
    '\x1b',
    '\x9b',
    ...RUNTIME_WORDS,
  ]),
];
const LATENCY = 'latency';

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/**
 * Where, in a chunk of complete lines, the next line is that could change what an idle parser knows. Found with
 * String indexOf over the lower-cased chunk (one pass per word, remembered: offsets only grow), not a regex: V8
 * runs an alternation of words, case-insensitive, at every character of text that is mostly letters.
 */
class Candidates {
  private readonly lower: string;
  private readonly next: number[];
  // The next line-start occurrence (moot), and the next that could be a generic latency line.
  private readonly latency = [-2, -2];

  /** `text`: the chunk decoded as latin1, one character per byte. */
  constructor(text: string) {
    this.lower = text.toLowerCase();
    this.next = WORDS.map(() => -2);
  }

  /** Offset of the next candidate at or after `s`, -1 when none. `moot`: see genericLatencyMoot. */
  find(s: number, moot: boolean): number {
    let best = -1;
    for (let k = 0; k < WORDS.length; k++) {
      let at = this.next[k]!;
      if (at === -2 || (at !== -1 && at < s)) this.next[k] = at = this.lower.indexOf(WORDS[k]!, s);
      if (at !== -1 && (best === -1 || at < best)) best = at;
    }
    // A line with the word can matter when it starts with it (a LATENCY block, the pre-2023 table; anything
    // but a letter or digit may come before) or, while generic latency lines are not moot, when a `:` or `=`
    // follows within 20 characters (GENERIC_LAT_RE; up to 4 bytes a character here).
    const k = moot ? 0 : 1;
    let at = this.latency[k]!;
    if (at === -2 || (at !== -1 && at < s)) {
      at = this.lower.indexOf(LATENCY, s);
      while (at !== -1 && !this.startsLine(at) && (moot || !this.separatorSoon(at + LATENCY.length)))
        at = this.lower.indexOf(LATENCY, at + LATENCY.length);
      this.latency[k] = at;
    }
    if (at !== -1 && (best === -1 || at < best)) best = at;
    return best;
  }

  private separatorSoon(from: number): boolean {
    const end = Math.min(this.lower.length, from + 4 * 20 + 1);
    for (let i = from; i < end; i++) {
      const c = this.lower.charCodeAt(i);
      if (c === 58 || c === 61) return true;
      if (c === 10) return false;
    }
    return false;
  }

  private startsLine(at: number): boolean {
    for (let i = at - 1; i >= 0; i--) {
      const c = this.lower.charCodeAt(i);
      if (c === 10 || c === 13) return true;
      if (isAlnum(c)) return false;
    }
    return true;
  }
}

/**
 * A ResultsParser fed with a run's raw output (RunEvents.output) a chunk at a time. Lines are decoded as the
 * live view shows them; outside a result block, one regex over the chunk finds the next line that could change
 * what the parser knows and the lines before it are not even decoded, so most output costs nothing per line.
 */
export class OutputResults {
  readonly parser = new ResultsParser();
  private readonly splitters: Record<Stream, LineSplitter> = {
    stdout: new LineSplitter(),
    stderr: new LineSplitter(),
  };

  push(stream: Stream, bytes: Buffer): void {
    for (const part of this.splitters[stream].push(bytes)) {
      if (part.kind === 'lines') this.lines(part.bytes);
      // Of a line past MAX_LINE_BYTES only its displayed start counts, as for the live view.
      else if (part.kind === 'open') this.parser.feed(decodeDisplay(part.bytes).text);
    }
  }

  private lines(bytes: Buffer): void {
    // latin1: one character per byte, so the ASCII words are found whatever the encoding around them, and an
    // offset in the text is one in the bytes.
    const text = bytes.toString('latin1');
    let found: Candidates | null = null;
    let s = 0;
    while (s < bytes.length) {
      if (this.parser.idle) {
        // Lines in between change nothing: jump to the next one that can.
        found ??= new Candidates(text);
        const at = found.find(s, this.parser.genericLatencyMoot);
        if (at === -1) return;
        s = Math.max(s, at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1);
      }
      const nl = bytes.indexOf(10, s);
      this.parser.feed(decodeDisplay(bytes, s, nl).text);
      s = nl + 1;
    }
  }

  /** What the output said, its unterminated last lines included. */
  result(): RunMetrics {
    for (const sp of Object.values(this.splitters)) {
      const rest = sp.end();
      if (rest) this.parser.feed(decodeDisplay(rest).text);
    }
    return this.parser.result();
  }
}
