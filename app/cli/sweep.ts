/**
 * `aio-tuner sweep`: measure a grid of threads × instances × placements × variants × batch sizes, one run at a
 * time, and recommend. Progress goes to stderr; stdout carries only the result (a table, or JSON with --json), so scripts
 * can pipe it. Ctrl-C stops the current run and still prints (and saves) every finished row; `--resume ID`
 * continues such a sweep with only the points that have no finished row.
 * Exit: 0 when at least one row has numbers; 1 when none has; 130/143 when interrupted.
 */
import { resolve } from 'node:path';
import { parse, sourceOptions, settingsOptions, settingsFromFlags, UsageError, intFlag } from './args';
import { aioOnlyVariants } from '../shared/variants';
import { sourceFrom } from './topology';
import { Engine } from '../api/engine';
import { writeFileAtomic } from '../util/atomic';
import { parentFolderProblem } from '../util/parentfolder';
import { outputText } from '../util/records';
import { untilDone } from './interrupt';
import { baselineResults, GATE_FAILED, GATE_OPTIONS, gatesFromFlags, reportGates, withGates } from './gates';
import { evaluateGates, runMetric, sweepMetric, type GateResult } from '../shared/gates';
import type { RecordSaveNotice } from '../api/contract';
import { SweepError } from '../sweep/errors';
import { visible } from '../topology/damaged';
import {
  BUILTIN_VARIANTS,
  configLabel,
  isBuiltin,
  parseCustomVariant,
  rowsToCsv,
  type ConfigStats,
  type CustomVariant,
  type Placement,
  type Recommendation,
  type SweepPoint,
  type SweepProgress,
  type SweepRecord,
  type SweepRow,
  type SweepSpec,
} from '../sweep';
import type { Finding } from '../shared/findings';
import { LLM_HIGHER_BETTER, LLM_METRICS, LLM_UNITS, type LlmMetricName } from '../shared/llm';

function intList(name: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((x) => x.trim());
  if (items.some((x) => !/^\d+$/.test(x) || Number(x) < 1))
    throw new UsageError(`--${name} expects a comma-separated list of whole numbers ≥ 1, got "${v}"`);
  return items.map(Number);
}

function threadsFlag(v: string | undefined): number[] | 'doubling' {
  if (v === undefined || v === 'doubling') return 'doubling';
  return intList('threads', v)!;
}

/** One value stays a plain string (records and --json read exactly as before); a list sweeps each placement. */
function placementFlag(v: string | undefined): Placement | Placement[] {
  if (v === undefined) return 'compact';
  const items = v.split(',').map((x) => x.trim());
  for (const x of items)
    if (x !== 'compact' && x !== 'spread')
      throw new UsageError(`--placement must be compact or spread (or both: compact,spread), got "${v}"`);
  const list = [...new Set(items as Placement[])];
  return list.length === 1 ? list[0]! : list;
}

function variantsFlags(
  list: string | undefined,
  defs: string[] | undefined,
): { variants: string[]; custom: CustomVariant[] } {
  const custom: CustomVariant[] = [];
  for (const d of defs ?? []) {
    try {
      custom.push(parseCustomVariant(d));
    } catch (e) {
      throw new UsageError(`--variant: ${(e as Error).message}`);
    }
  }
  const names =
    list === undefined
      ? ['fp32']
      : list
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
  if (names.length === 0) throw new UsageError('--variants is empty');
  for (const n of names)
    if (!isBuiltin(n) && !custom.some((c) => c.name === n))
      throw new UsageError(
        `--variants: unknown variant "${n}" (built-in: ${BUILTIN_VARIANTS.join(', ')}; define others with --variant NAME:VAR=VALUE)`,
      );
  // A variant defined with --variant is measured even when --variants does not list it.
  for (const c of custom) if (!names.includes(c.name)) names.push(c.name);
  return { variants: [...new Set(names)], custom };
}

const num = (v: number | null, digits = 2): string => (v === null ? '-' : v.toFixed(digits));

/** Lines name the placement only when the sweep has more than one, so a plain sweep's output is unchanged. */
function describe(
  p: Pick<SweepPoint, 'threads' | 'instances' | 'cores' | 'placement' | 'variant' | 'batch' | 'repeat'>,
  withPlacement: boolean,
): string {
  return `threads=${p.threads} instances=${p.instances} cores=${p.cores}${withPlacement ? ` placement=${p.placement}` : ''} variant=${p.variant}${p.batch !== null ? ` batch=${p.batch}` : ''} repeat=${p.repeat}`;
}

/** "11.50/12.00" for a multi-instance row (each instance's mean latency), '-' otherwise. */
function perInstance(r: SweepRow): string {
  if (!r.instanceRuns?.length) return '-';
  return r.instanceRuns.map((x) => num(x.latencyMs)).join('/');
}

function progressLine(d: SweepProgress, withPlacement: boolean): string | null {
  const time = `${Math.round(d.elapsedMs / 1000)} s elapsed${d.etaMs !== null ? `, ~${Math.round(d.etaMs / 1000)} s left` : ''}`;
  if (d.row) {
    const r = d.row;
    const res = r.skipped
      ? `skipped: ${r.error ?? 'not run'}`
      : r.exitCode === 0
        ? `${num(r.latencyMs)} ms, ${num(r.throughput, 1)} ${r.throughputUnit ?? 'samples/s'}`
        : `failed (exit ${r.exitCode})${r.error ? `: ${r.error}` : ''}`;
    return `aio-tuner: [${d.i}/${d.n}] ${describe(r, withPlacement)}: ${res} (${time})`;
  }
  if (d.current) return `aio-tuner: [${d.i + 1}/${d.n}] running ${describe(d.current, withPlacement)}…`;
  return null;
}

/**
 * Check findings of the point about to run, each said once per sweep (the same warning on every row would bury
 * the progress): the lines a single `run` would print for that command.
 */
function checkLines(d: SweepProgress, said: Set<string>): string[] {
  const out: string[] = [];
  for (const c of d.checks ?? []) {
    const key = `${c.code}\n${c.message}`;
    if (said.has(key)) continue;
    said.add(key);
    out.push(`aio-tuner:   ${c.severity} (${c.code}): ${c.message}`);
  }
  return out;
}

function table(rows: SweepRow[]): string {
  // Optional columns only when they say something, so a plain sweep's table reads as it always did.
  const showPlacement = new Set(rows.map((r) => r.placement)).size > 1;
  const showInstances = rows.some((r) => r.instanceRuns?.length);
  const showTokens = rows.some((r) => typeof r.tokensPerSecond === 'number');
  const cols: [string, (r: SweepRow) => string, boolean][] = [
    ['threads', (r) => String(r.threads), true],
    ['inst', (r) => String(r.instances), true],
    ['cores', (r) => String(r.cores), true],
    ['variant', (r) => r.variant, true],
    ['placement', (r) => r.placement, showPlacement],
    ['batch', (r) => (r.batch === null ? '-' : String(r.batch)), true],
    ['rep', (r) => String(r.repeat), true],
    ['latency ms', (r) => num(r.latencyMs), true],
    ['per instance ms', perInstance, showInstances],
    ['throughput', (r) => num(r.throughput, 1), true],
    ['per core', (r) => (r.throughput === null ? '-' : num(r.throughput / r.cores, 1)), true],
    ['tokens/s', (r) => tokensCell(r), showTokens],
    ['exit', (r) => String(r.exitCode ?? '-'), true],
  ];
  const shown = cols.filter((c) => c[2]);
  const head = shown.map((c) => c[0]);
  const body = rows.map((r) => shown.map((c) => c[1](r)));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cells) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

/** Generation tokens/s with the ± the tool printed (llama-bench), as the row has it. */
function tokensCell(r: SweepRow): string {
  if (typeof r.tokensPerSecond !== 'number') return '-';
  const sd = r.spread?.tokensPerSecond?.sd;
  return `${num(r.tokensPerSecond, 2)}${sd !== undefined ? ` ± ${num(sd, 2)}` : ''}`;
}

function ci(c: [number, number] | null | undefined, digits = 2): string {
  return c ? ` (95 % CI ${c[0].toFixed(digits)}–${c[1].toFixed(digits)})` : '';
}

function bestText(
  label: string,
  r: Recommendation | null,
  withPlacement: boolean,
  configs: readonly ConfigStats[],
): string {
  if (!r) return `${label}: none\n`;
  const c = configs[r.config];
  const tie = r.tiedWith.length
    ? `\n  tied with ${r.tiedWith.map((i) => (configs[i] ? configLabel(configs[i]) : `#${i}`)).join('; ')}: no significant difference (the first of them is named)`
    : '';
  return (
    `${label}: ${describe({ ...r, repeat: r.repeats }, withPlacement).replace(/ repeat=\d+$/, '')} → ${num(r.latencyMs)} ms` +
    `${ci(c?.latencyStats.ci95Ms)}, ${num(r.throughput, 1)}/s${ci(c?.throughputStats.ci95, 1)} (${num(r.perCore, 1)}/s per core)` +
    `${tie}\n  ${r.command.replace(/\n/g, '\n  ')}\n`
  );
}

/** The --metric card: its value with the 95 % interval (or the spread the tool printed), then the command. */
function metricText(
  name: LlmMetricName,
  r: Recommendation | null,
  withPlacement: boolean,
  configs: readonly ConfigStats[],
): string {
  const label = `Best ${name} (${LLM_HIGHER_BETTER[name] ? 'highest' : 'lowest'})`;
  if (!r) return `${label}: none (no configuration printed it)\n`;
  const st = configs[r.config]?.metricStats;
  const tie = r.tiedWith.length
    ? `\n  tied with ${r.tiedWith.map((i) => (configs[i] ? configLabel(configs[i]) : `#${i}`)).join('; ')}: no significant difference (the first of them is named)`
    : '';
  return (
    `${label}: ${describe({ ...r, repeat: r.repeats }, withPlacement).replace(/ repeat=\d+$/, '')} → ` +
    `${num(r.metricValue ?? null, 2)} ${LLM_UNITS[name]}${ci(st?.ci95)}${st ? ` (n=${st.n ?? '?'})` : ''}` +
    `${tie}\n  ${r.command.replace(/\n/g, '\n  ')}\n`
  );
}

/** The cards, each configuration once: three cards naming the same one are said together. */
function cardsText(rec: SweepRecord, withPlacement: boolean): string {
  const b = rec.best;
  const configs = rec.configs ?? [];
  const cards: [string, Recommendation | null][] = [
    ['Lowest latency', b.latency],
    ['Highest throughput', b.throughput],
    ['Best throughput per core', b.perCore],
  ];
  const same = (x: Recommendation | null, y: Recommendation | null) =>
    x !== null &&
    y !== null &&
    x.config === y.config &&
    x.significant === y.significant &&
    x.tiedWith.join() === y.tiedWith.join();
  let out = '';
  if (same(b.latency, b.throughput) && same(b.latency, b.perCore))
    out += bestText(
      'Lowest latency, highest throughput and best per core',
      b.latency,
      withPlacement,
      configs,
    );
  else for (const [label, r] of cards) out += bestText(label, r, withPlacement, configs);
  if (b.budgetMs !== null)
    out += bestText(`Best per core within ${b.budgetMs} ms`, b.withinBudget, withPlacement, configs);
  if (b.metricName) out += metricText(b.metricName, b.metric ?? null, withPlacement, configs);
  return out;
}

function findingsText(findings: readonly Finding[]): string {
  return findings
    .map(
      (f) =>
        `${f.severity} (${f.code}): ${f.message}${f.fix ? `\n  fix: ${f.fix.label}${f.fix.command ? `: ${f.fix.command}` : ''}` : ''}\n`,
    )
    .join('');
}

function jsonOut(rec: SweepRecord): string {
  const b = rec.best;
  return outputText('sweep', {
    sweepId: rec.sweepId,
    state: rec.state,
    planned: rec.planned,
    skipped: rec.skipped,
    rows: rec.rows,
    configs: (rec.configs ?? []).map(({ findings: _f, ...c }) => c),
    best: {
      latency: b.latency,
      throughput: b.throughput,
      perCore: b.perCore,
      ...(b.budgetMs !== null ? { withinBudget: b.withinBudget, budgetMs: b.budgetMs } : {}),
      ...(b.metricName ? { metric: b.metric ?? null, metricName: b.metricName } : {}),
    },
    findings: [...(rec.findings ?? []), ...(rec.configs ?? []).flatMap((c) => c.findings ?? [])].filter(
      // The per-configuration findings are summarized in the sweep's own; listed there once.
      (f, i, all) => all.findIndex((g) => g.code === f.code) === i,
    ),
    engine: rec.engine ?? null,
    ...(rec.resumedAt?.length ? { resumedAt: rec.resumedAt } : {}),
  });
}

/** Flags that define a sweep: a resumed one keeps its own spec, so they cannot go with --resume. */
const SPEC_FLAGS = [
  ...Object.keys(settingsOptions),
  'placement',
  'variants',
  'variant',
  'instances',
  'batch',
  'repeat',
  'timeout',
  'latency-budget',
  'until-stable',
  'min-difference',
  'metric',
] as const;

function pctFlag(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > 100 || (min > 0 && n === 0))
    throw new UsageError(`--${name} expects a percentage ${min > 0 ? '> 0' : '≥ 0'} and ≤ 100, got "${v}"`);
  return n;
}

export async function sweepCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...sourceOptions,
    ...settingsOptions,
    placement: { type: 'string' },
    variants: { type: 'string' },
    variant: { type: 'string', multiple: true },
    instances: { type: 'string' },
    batch: { type: 'string' },
    repeat: { type: 'string' },
    csv: { type: 'string' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    'latency-budget': { type: 'string' },
    'until-stable': { type: 'string' },
    'min-difference': { type: 'string' },
    metric: { type: 'string' },
    resume: { type: 'string' },
    ...GATE_OPTIONS,
  });
  if (values.resume !== undefined) {
    const given = SPEC_FLAGS.filter((f) => (values as Record<string, unknown>)[f] !== undefined);
    if (given.length || positionals.length)
      throw new UsageError(
        `--resume runs the sweep as it was planned: ${given.length ? given.map((f) => `--${f}`).join(', ') : 'a workload'} cannot be given with it`,
      );
    if (values.resume.trim() === '')
      throw new UsageError('--resume needs a sweep id (see aio-tuner history)');
  } else if (positionals.length === 0)
    throw new UsageError(
      'missing workload: put it after --, e.g. -- python3 run.py -m resnet_50_v1.5 -p fp32',
    );
  const threads = threadsFlag(values.threads);
  const placement = placementFlag(values.placement);
  const { variants, custom } = variantsFlags(values.variants, values.variant);
  const instances = intList('instances', values.instances) ?? [1];
  const batches = intList('batch', values.batch) ?? null;
  const untilStable = pctFlag('until-stable', values['until-stable'], 0);
  const practicalPct = pctFlag('min-difference', values['min-difference'], -1);
  // --until-stable alone: up to 10 repetitions, fewer once the last two agree.
  const repeat = intFlag('repeat', values.repeat, 1, 100) ?? (untilStable !== undefined ? 10 : 1);
  const timeoutS = intFlag('timeout', values.timeout, 1);
  let budget: number | undefined;
  if (values['latency-budget'] !== undefined) {
    budget = Number(values['latency-budget']);
    if (!(budget > 0))
      throw new UsageError(`--latency-budget expects milliseconds > 0, got "${values['latency-budget']}"`);
  }

  const metric = values.metric;
  if (metric !== undefined && !(LLM_METRICS as readonly string[]).includes(metric))
    throw new UsageError(`--metric expects one of ${LLM_METRICS.join(', ')}, got "${metric}"`);

  // Refused before a sweep that may take hours, not after it: the CSV's folder must exist (one rule with --log).
  if (values.csv !== undefined) {
    const problem = values.csv === '' ? 'needs a file name' : parentFolderProblem(values.csv);
    if (problem) throw new UsageError(`--csv ${values.csv}: ${problem}`);
  }
  const gates = gatesFromFlags(values.gate, values.baseline);
  const engine = new Engine({ shell: 'browser', ...sourceFrom(values) });
  // Before the sweep (as a bad --cores is): a missing baseline is a usage error, not hours later.
  const baseline = values.baseline !== undefined ? baselineResults(engine.runs, values.baseline) : null;
  const t = await engine.getTopology();
  // --threads is the sweep's list here, not the single run's thread count.
  const settings =
    values.resume === undefined ? settingsFromFlags({ ...values, threads: undefined }, positionals, t) : null;
  if (settings?.engine === 'onednn') {
    // Refused before the sweep, not found out row by row: these built-ins only set AIO_* variables.
    const aio = aioOnlyVariants(variants);
    if (aio.length > 0)
      throw new UsageError(
        `--variants ${aio.join(',')}: built-in variants set AIO_* variables, which --engine onednn (stock PyTorch) ` +
          'does not read; define variants of its own, e.g. --variant bf16:DNNL_DEFAULT_FPMATH_MODE=BF16',
      );
  }
  const spec: SweepSpec | null = settings && {
    settings,
    threads,
    placement,
    variants,
    customVariants: custom,
    instances,
    batches,
    repeat,
    ...(timeoutS ? { timeoutS } : {}),
    ...(budget !== undefined ? { latencyBudgetMs: budget } : {}),
    ...(untilStable !== undefined ? { untilStablePct: untilStable } : {}),
    ...(practicalPct !== undefined ? { practicalPct } : {}),
    ...(metric !== undefined ? { metric: metric as LlmMetricName } : {}),
  };

  const said = new Set<string>();
  // Rows quote variable values and the workload's last stderr line: control characters are shown escaped.
  const say = (line: string) => process.stderr.write(visible(line, Infinity) + '\n');
  const unsubscribe = engine.subscribe((event, data) => {
    if (event === 'sweep.started') {
      const r = data as SweepRecord;
      for (const n of r.notes ?? []) say(`aio-tuner: warning: ${n}`);
      for (const s of r.skipped) say(`aio-tuner: skipped: ${s}`);
      process.stderr.write(
        r.resumedAt?.length
          ? `aio-tuner: sweep ${r.sweepId} resumed: ${r.rows.length} of ${r.planned} row(s) already finished\n`
          : `aio-tuner: sweep ${r.sweepId}: ${r.planned} run(s)${r.spec.untilStablePct !== undefined ? ` at most (--until-stable ${r.spec.untilStablePct})` : ''}\n`,
      );
    } else if (event === 'sweep.progress') {
      const d = data as SweepProgress;
      const line = progressLine(d, manyPlacements);
      if (line) say(line);
      for (const l of checkLines(d, said)) say(l);
    } else if (event === 'record.unsaved') {
      // Said when it happens: a sweep may go on for hours after its record stopped reaching the disk.
      const n = data as RecordSaveNotice;
      if (n.kind !== 'sweep') return;
      if (n.problem)
        say(
          `aio-tuner: warning: ${n.problem}; the rows are kept and the record written again after each row`,
        );
      else say(`aio-tuner: saved after all: ${engine.sweeps.files.fileOf(n.id)}`);
    }
  });
  let rec: SweepRecord;
  try {
    rec = spec ? await engine.sweeps.start(spec) : await engine.sweeps.resume(values.resume!);
  } catch (e) {
    unsubscribe();
    await engine.dispose();
    if (e instanceof SweepError && e.code === 'bad-request') throw new UsageError(e.message);
    if (e instanceof SweepError && e.code === 'not-found') throw new UsageError(`--resume: ${e.message}`);
    throw e;
  }
  const manyPlacements = Array.isArray(rec.spec.placement) && rec.spec.placement.length > 1;

  const { result: fin, interrupted } = await untilDone(
    'stopping the current run; finished rows are kept…',
    (sig) => {
      // A hang-up reaches the current run as SIGHUP (first signal wins); cancel then ends the sweep.
      if (sig === 'SIGHUP') void engine.runs.stopAll('SIGHUP');
      void engine.sweeps.cancel(rec.sweepId);
    },
    engine.sweeps.wait(rec.sweepId),
  );
  unsubscribe();
  await engine.dispose();

  if (values.csv) await writeFileAtomic(resolve(values.csv), rowsToCsv(fin.rows, fin.configs));
  // Gates read the recommended configurations; a sweep without numbers (exit 1) or interrupted decides nothing.
  const anyResult = fin.best.latency !== null || fin.best.throughput !== null;
  const gateResults: GateResult[] = evaluateGates(
    gates,
    (metric) => sweepMetric(fin, metric),
    (metric) => runMetric(baseline, metric),
    interrupted ? 'the sweep was interrupted' : anyResult ? null : 'no configuration produced numbers',
  );
  const gateFailed = reportGates(gateResults, (line) => process.stderr.write(line));
  if (values.json) process.stdout.write(gates.length ? withGates(jsonOut(fin), gateResults) : jsonOut(fin));
  else if (fin.rows.length > 0) {
    process.stdout.write(table(fin.rows) + '\n\n');
    process.stdout.write(cardsText(fin, manyPlacements));
    if (fin.findings?.length) process.stdout.write('\n' + findingsText(fin.findings));
  }
  const skipped = fin.rows.filter((r) => r.skipped).length;
  // Read after dispose, which tries once more to save what could not be.
  const unsaved = engine.sweeps.saveProblem(fin.sweepId);
  process.stderr.write(
    `aio-tuner: sweep ${fin.state}: ${fin.rows.length} of ${fin.planned} row(s)` +
      `${skipped ? ` (${skipped} skipped)` : ''}; ${unsaved ? 'NOT saved' : `saved ${engine.sweeps.files.fileOf(fin.sweepId)}`}` +
      `${values.csv ? `; CSV ${resolve(values.csv)}` : ''}\n`,
  );
  if (unsaved) say(`aio-tuner: ${unsaved}; this sweep will be missing from the history`);
  if (fin.error) say(`aio-tuner: ${fin.error}`);
  if (fin.state === 'cancelled' || fin.state === 'failed')
    say(`aio-tuner: resume with: aio-tuner sweep --resume ${fin.sweepId}`);
  if (interrupted) return interrupted;
  // As the README promises: numbers from any row are a result, even when a later point ended the sweep early.
  const anyNumbers =
    fin.best.latency !== null || fin.best.throughput !== null || (fin.best.metric ?? null) !== null;
  return anyNumbers ? (gateFailed ? GATE_FAILED : 0) : 1;
}
