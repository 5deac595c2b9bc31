/** What the history shows: one entry per run or sweep, comparisons, exports. Shared with the UI. */
import type { RunInfo } from './run';
import type { SweepRecord } from './sweep';

/** A record on disk that could not be read: listed so the user sees it, never dropped silently. */
export interface Problem {
  kind: 'run' | 'sweep';
  id: string;
  path: string;
  message: string;
}

export interface HistoryEntry {
  kind: 'run' | 'sweep';
  id: string;
  /** Start time, ISO. */
  time: string;
  /** run: running | exited | interrupted; sweep: running | done | cancelled | failed | interrupted. */
  state: string;
  /** run: exit status 0; sweep: at least one row with numbers. Null while running. */
  ok: boolean | null;
  workload: string[];
  /** run: its shell line; sweep: the base workload. */
  command: string;
  cpus: number[];
  threads: number | null;
  /** Machine it ran on: a remote target's name, else this host. */
  host: string;
  latencyMs: number | null;
  throughput: number | null;
  throughputUnit: string | null;
  exitCode: number | null;
  durationMs: number | null;
  logFile: string | null;
  /** run: the sweep it was part of. */
  sweepId: string | null;
  /** sweep: rows measured and planned. */
  rows?: number;
  planned?: number;
}

export interface HistoryFilter {
  /** Case-insensitive text in the id, command, workload, host or state. */
  text?: string;
  kind?: 'run' | 'sweep';
  outcome?: 'ok' | 'failed' | 'running';
  sweepId?: string;
  limit?: number;
}

export interface HistoryList {
  entries: HistoryEntry[];
  /** Entries that could not be read (corrupt or foreign files), shown to the user and otherwise skipped. */
  problems: Problem[];
  total: number;
}

export type HistoryDetail =
  { kind: 'run'; run: RunInfo; sweepId: string | null } | { kind: 'sweep'; sweep: SweepRecord };

export interface SettingDiff {
  field: string;
  a: string;
  b: string;
  same: boolean;
}

export interface MetricDelta {
  metric: string;
  unit: string;
  a: number | null;
  b: number | null;
  /** b − a. */
  delta: number | null;
  /** (b − a) / a in percent. */
  pct: number | null;
  /** Which run is better on this metric (lower latency, higher throughput); null when equal or unknown. */
  better: 'a' | 'b' | null;
}

export interface RunComparison {
  a: HistoryEntry;
  b: HistoryEntry;
  settings: SettingDiff[];
  metrics: MetricDelta[];
}

export interface ExportFile {
  fileName: string;
  mime: string;
  text: string;
}
