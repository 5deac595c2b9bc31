/**
 * A sweep's rows as CSV (the `--csv FILE` of the CLI and the UI's export): one line per run. The command cell
 * is one runnable shell line, multi-instance points as `cmd1 & cmd2 & wait`.
 */
import { toCsv } from '../util/csv';
import { aggregate, commandLine, configKey } from '../shared/recommend';
import type { ConfigStats, SweepRow } from '../shared/sweep';

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
  // Issue 12: the statistics of the row's configuration (all its successful repetitions, see `configs`), the
  // same on every row of that configuration; empty for rows of no configuration (failed, skipped).
  'latencyCi95LoMs',
  'latencyCi95HiMs',
  'latencyCv',
  'throughputCi95Lo',
  'throughputCi95Hi',
  'throughputCv',
  // Issue 17: the run's LLM metrics as printed (empty when it printed none).
  'tokensPerSecond',
  'promptTokensPerSecond',
  'ttftMs',
  'msPerToken',
] as const;

/** `configs` as the record holds them; computed from the rows when not given (same statistics). */
export function rowsToCsv(
  rows: readonly SweepRow[],
  configs: readonly ConfigStats[] = aggregate(rows),
): string {
  const byKey = new Map(configs.map((c) => [configKey(c), c]));
  return toCsv(
    ROW_COLUMNS,
    rows.map((r) => {
      const c = r.skipped || r.exitCode !== 0 ? undefined : byKey.get(configKey(r));
      const l = c?.latencyStats;
      const t = c?.throughputStats;
      return [
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
        l?.ci95Ms?.[0] ?? null,
        l?.ci95Ms?.[1] ?? null,
        l?.cv ?? null,
        t?.ci95?.[0] ?? null,
        t?.ci95?.[1] ?? null,
        t?.cv ?? null,
        r.tokensPerSecond ?? null,
        r.promptTokensPerSecond ?? null,
        r.ttftMs ?? null,
        r.msPerToken ?? null,
      ];
    }),
  );
}
