/** A sweep's rows as CSV (the `--csv FILE` of the CLI and the UI's export): one line per run. */
import { toCsv } from '../history/csv';
import type { SweepRow } from './types';

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
      r.commands.join(' & '),
      r.error ?? null,
    ]),
  );
}
