/**
 * Which planned points still need running: `--until-stable` (stop repeating a configuration once its last two
 * repetitions agree) and `--resume` (run only what has no finished row). Pure functions of the plan and rows.
 */
import { configKey, isSuccessful } from '../shared/recommend';
import type { SweepPoint, SweepRow } from '../shared/sweep';
import type { LlmMetricName } from '../shared/llm';

/**
 * Whether the last two successful repetitions of `p`'s configuration (before `p`'s own) agree within `pct` %:
 * |last − previous| ≤ pct % of previous, on the mean latency (throughput when the rows have no latency; the
 * sweep's --metric when it ranks by one). Failed repetitions are not readings: the configuration goes on being
 * repeated.
 */
export function isStable(
  rows: readonly SweepRow[],
  p: SweepPoint,
  pct: number,
  metric?: LlmMetricName,
): boolean {
  const key = configKey(p);
  const reps = rows
    .filter((r) => isSuccessful(r) && configKey(r) === key && r.repeat < p.repeat)
    .sort((a, b) => a.repeat - b.repeat);
  if (reps.length < 2) return false;
  const [a, b] = reps.slice(-2) as [SweepRow, SweepRow];
  const pick = (r: SweepRow) =>
    metric && typeof a[metric] === 'number' && typeof b[metric] === 'number'
      ? r[metric]!
      : a.latencyMs !== null && b.latencyMs !== null
        ? r.latencyMs!
        : r.throughput;
  const x = pick(a);
  const y = pick(b);
  if (x === null || y === null || x === 0) return false;
  return (Math.abs(y - x) / Math.abs(x)) * 100 <= pct;
}

/** A repetition (the third or later) that --until-stable leaves out: its configuration is already stable. */
export function stableSkip(
  rows: readonly SweepRow[],
  p: SweepPoint,
  pct: number,
  metric?: LlmMetricName,
): boolean {
  return p.repeat >= 3 && isStable(rows, p, pct, metric);
}

/** The record's note on what --until-stable left out (replaces its previous wording). */
export function untilStableNote(
  notes: readonly string[],
  pct: number,
  skipped: number,
  planned: number,
): string[] {
  const prefix = '--until-stable';
  return [
    ...notes.filter((n) => !n.startsWith(prefix)),
    `${prefix} ${pct}: ${skipped} repetition(s) not run because their configuration's last two means agreed ` +
      `within ${pct} %; planned ${planned} → ${planned - skipped} run(s)`,
  ];
}

/** A row that needs no new run: skipped on purpose, or a run that ended with a status. */
export function isFinished(r: SweepRow): boolean {
  return r.skipped === true || r.exitCode !== null;
}

const pointKey = (
  x: Pick<SweepPoint, 'threads' | 'instances' | 'placement' | 'variant' | 'batch' | 'repeat'>,
) => `${configKey(x)}#${x.repeat}`;

/**
 * Points of a re-planned sweep that have no finished row (matched by configuration × repetition, not by index:
 * the plan may differ on today's topology), and the rows to keep: finished ones; unfinished rows of points that
 * will run again are dropped, their new row replaces them.
 */
export function pointsToResume(
  points: readonly SweepPoint[],
  rows: readonly SweepRow[],
): { points: SweepPoint[]; keep: SweepRow[] } {
  const finished = new Set(rows.filter(isFinished).map(pointKey));
  const todo = points.filter((p) => !finished.has(pointKey(p)));
  const rerun = new Set(todo.map(pointKey));
  return { points: todo, keep: rows.filter((r) => isFinished(r) || !rerun.has(pointKey(r))) };
}
