/**
 * A sweep's rows as CSV (the `--csv FILE` of the CLI and the UI's export): one line per run. The command cell
 * is one runnable shell line, multi-instance points as `cmd1 & cmd2 & wait`.
 */
import { toCsv } from '../util/csv';
import { commandLine } from '../shared/recommend';
import type { SweepRow } from '../shared/sweep';

/** Each instance's mean latency (ms), in instance order, joined with ';' ('' when unknown); null for one instance. */
export function instanceLatencies(r: SweepRow): string | null {
  if (!r.instanceRuns || r.instanceRuns.length === 0) return null;
  return r.instanceRuns.map((x) => (x.latencyMs === null ? '' : String(x.latencyMs))).join(';');
}

export const ROW_COLUMNS = [
  'i',
  'threads',
  'instances',
  'cores',
  'placement',
  'variant',
  'batch',
  'repeat',
  'latencyMs',
  'latencyP90Ms',
  'throughput',
  'throughputUnit',
  'perCore',
  'exitCode',
  'durationMs',
  'runId',
  'logFile',
  'command',
  'error',
  // Added after the first release: appended so positional readers of the older columns keep working.
  'instanceLatencyMs',
] as const;

export function rowsToCsv(rows: readonly SweepRow[]): string {
  return toCsv(
    ROW_COLUMNS,
    rows.map((r) => [
      r.i,
      r.threads,
      r.instances,
      r.cores,
      r.placement,
      r.variant,
      r.batch,
      r.repeat,
      r.latencyMs,
      r.latencyP90Ms,
      r.throughput,
      r.throughputUnit,
      r.throughput === null ? null : r.throughput / r.cores,
      r.exitCode,
      r.durationMs,
      r.runId,
      r.logFile,
      commandLine(r.commands),
      r.error ?? null,
      instanceLatencies(r),
    ]),
  );
}
