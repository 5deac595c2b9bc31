/**
 * `--gate EXPR` (repeatable) and `--baseline RUNID` of `run` and `sweep`: read before anything runs (a bad
 * gate or an unknown baseline is a usage error, exit 2), reported on stderr and in JSON after, exit 4 when one
 * fails. The gates themselves: app/shared/gates.ts.
 */
import { UsageError } from './args';
import { GateError, gateLine, parseGates, type Gate, type GateResult } from '../shared/gates';
import type { ResultSummary } from '../shared/run';
import type { RunManager } from '../run/manager';
import { RunError } from '../run/errors';

export const GATE_OPTIONS = {
  gate: { type: 'string', multiple: true },
  baseline: { type: 'string' },
} as const;

/** Exit status when the workload succeeded and a gate failed (README, exit codes). */
export const GATE_FAILED = 4;

export function gatesFromFlags(gate: string[] | undefined, baseline: string | undefined): Gate[] {
  if (baseline !== undefined && !(gate ?? []).length)
    throw new UsageError('--baseline goes with --gate (e.g. --gate "latency.p90<=baseline*1.1")');
  if (baseline === '') throw new UsageError('--baseline needs a run id (runId in run --json)');
  try {
    return parseGates(gate ?? [], baseline !== undefined);
  } catch (e) {
    if (e instanceof GateError) throw new UsageError(`--gate: ${e.message}`);
    throw e;
  }
}

/** The saved run's results; a usage error when there is no such run or it has no outcome yet. */
export function baselineResults(runs: RunManager, runId: string): ResultSummary | null {
  let info;
  try {
    info = runs.get(runId);
  } catch (e) {
    if (e instanceof RunError && e.code === 'not-found')
      throw new UsageError(
        `--baseline ${runId}: no saved run with that id (the runId of an earlier run --json, or a folder under runs/ in the data directory)`,
      );
    throw e;
  }
  if (!info.outcome) throw new UsageError(`--baseline ${runId}: that run has not finished`);
  return info.outcome.results;
}

/** One stderr line per gate; true when any failed. */
export function reportGates(results: readonly GateResult[], write: (line: string) => void): boolean {
  for (const r of results) write(`aio-tuner: ${gateLine(r)}\n`);
  return results.some((r) => r.pass === false);
}

/** A `--json` text with the gates added at the end (the sweep's JSON is built elsewhere). */
export function withGates(jsonText: string, results: readonly GateResult[]): string {
  return JSON.stringify({ ...(JSON.parse(jsonText) as object), gates: results }, null, 2) + '\n';
}
