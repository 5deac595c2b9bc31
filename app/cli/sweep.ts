/**
 * `aio-tuner sweep`: measure a grid of threads × instances × placements × variants × batch sizes, one run at a
 * time, and recommend. Progress goes to stderr; stdout carries only the result (a table, or JSON with --json), so scripts
 * can pipe it. Ctrl-C stops the current run and still prints (and saves) every finished row.
 * Exit: 0 when at least one row has numbers; 1 when none has; 130/143 when interrupted.
 */
import { resolve } from 'node:path';
import { parse, sourceOptions, settingsOptions, settingsFromFlags, UsageError, intFlag } from './args';
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
  isBuiltin,
  parseCustomVariant,
  rowsToCsv,
  type CustomVariant,
  type Placement,
  type Recommendation,
  type SweepPoint,
  type SweepProgress,
  type SweepRecord,
  type SweepRow,
  type SweepSpec,
} from '../sweep';

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
    ['exit', (r) => String(r.exitCode ?? '-'), true],
  ];
  const shown = cols.filter((c) => c[2]);
  const head = shown.map((c) => c[0]);
  const body = rows.map((r) => shown.map((c) => c[1](r)));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [head, ...body].map((cells) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ')).join('\n');
}

function bestText(label: string, r: Recommendation | null, withPlacement: boolean): string {
  if (!r) return `${label}: none\n`;
  return (
    `${label}: ${describe({ ...r, repeat: r.repeats }, withPlacement).replace(/ repeat=\d+$/, '')} → ${num(r.latencyMs)} ms, ` +
    `${num(r.throughput, 1)}/s (${num(r.perCore, 1)}/s per core)\n  ${r.command.replace(/\n/g, '\n  ')}\n`
  );
}

function jsonOut(rec: SweepRecord): string {
  const b = rec.best;
  return outputText('sweep', {
    sweepId: rec.sweepId,
    state: rec.state,
    planned: rec.planned,
    skipped: rec.skipped,
    rows: rec.rows,
    best: {
      latency: b.latency,
      throughput: b.throughput,
      perCore: b.perCore,
      ...(b.budgetMs !== null ? { withinBudget: b.withinBudget, budgetMs: b.budgetMs } : {}),
    },
  });
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
    ...GATE_OPTIONS,
  });
  if (positionals.length === 0)
    throw new UsageError(
      'missing workload: put it after --, e.g. -- python3 run.py -m resnet_50_v1.5 -p fp32',
    );
  const threads = threadsFlag(values.threads);
  const placement = placementFlag(values.placement);
  const manyPlacements = Array.isArray(placement) && placement.length > 1;
  const { variants, custom } = variantsFlags(values.variants, values.variant);
  const instances = intList('instances', values.instances) ?? [1];
  const batches = intList('batch', values.batch) ?? null;
  const repeat = intFlag('repeat', values.repeat, 1, 100) ?? 1;
  const timeoutS = intFlag('timeout', values.timeout, 1);
  let budget: number | undefined;
  if (values['latency-budget'] !== undefined) {
    budget = Number(values['latency-budget']);
    if (!(budget > 0))
      throw new UsageError(`--latency-budget expects milliseconds > 0, got "${values['latency-budget']}"`);
  }

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
  const settings = settingsFromFlags({ ...values, threads: undefined }, positionals, t);
  const spec: SweepSpec = {
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
  };

  const said = new Set<string>();
  // Rows quote variable values and the workload's last stderr line: control characters are shown escaped.
  const say = (line: string) => process.stderr.write(visible(line, Infinity) + '\n');
  const unsubscribe = engine.subscribe((event, data) => {
    if (event === 'sweep.started') {
      const r = data as SweepRecord;
      for (const n of r.notes ?? []) say(`aio-tuner: warning: ${n}`);
      for (const s of r.skipped) say(`aio-tuner: skipped: ${s}`);
      process.stderr.write(`aio-tuner: sweep ${r.sweepId}: ${r.planned} run(s)\n`);
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
    rec = await engine.sweeps.start(spec);
  } catch (e) {
    unsubscribe();
    await engine.dispose();
    if (e instanceof SweepError && e.code === 'bad-request') throw new UsageError(e.message);
    throw e;
  }

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

  if (values.csv) await writeFileAtomic(resolve(values.csv), rowsToCsv(fin.rows));
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
    process.stdout.write(bestText('Lowest latency', fin.best.latency, manyPlacements));
    process.stdout.write(bestText('Highest throughput', fin.best.throughput, manyPlacements));
    process.stdout.write(bestText('Best throughput per core', fin.best.perCore, manyPlacements));
    if (fin.best.budgetMs !== null)
      process.stdout.write(
        bestText(`Best per core within ${fin.best.budgetMs} ms`, fin.best.withinBudget, manyPlacements),
      );
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
  if (interrupted) return interrupted;
  // As the README promises: numbers from any row are a result, even when a later point ended the sweep early.
  const anyNumbers = fin.best.latency !== null || fin.best.throughput !== null;
  return anyNumbers ? (gateFailed ? GATE_FAILED : 0) : 1;
}
