/** Turning saved runs and sweeps into history entries, filtering them, and their CSV/JSON exports. */
import type { RunInfo } from '../shared/run';
import { shellAssignment, shellJoin } from '../shared/quote';
import { threadCount } from '../command/plan';
import type { SweepRecord } from '../shared/sweep';
import { toCsv } from '../util/csv';
import type { HistoryEntry, HistoryFilter } from '../shared/history';

function runCommand(r: RunInfo): string {
  try {
    return [...Object.entries(r.env).map(([k, v]) => shellAssignment(k, v)), shellJoin(r.argv)].join(' ');
  } catch {
    return r.argv.join(' '); // a value no shell can carry (NUL): show it plainly
  }
}

export function runEntry(r: RunInfo, localHost: string, sweepId: string | null, live: boolean): HistoryEntry {
  const o = r.outcome;
  // run.json says "running" but nothing runs it: the app ended during the run.
  const state = r.state === 'running' && !live ? 'interrupted' : r.state;
  return {
    kind: 'run',
    id: r.runId,
    time: r.startedAt,
    state,
    ok: state === 'running' ? null : o ? o.exitCode === 0 && !o.startError : false,
    workload: r.settings.workload,
    command: runCommand(r),
    cpus: r.settings.cpus,
    threads: threadCount(r.settings),
    host: r.target ?? localHost,
    latencyMs: o?.results?.latencyMs?.mean ?? null,
    throughput: o?.results?.throughput?.value ?? null,
    throughputUnit: o?.results?.throughput?.unit ?? null,
    exitCode: o?.exitCode ?? null,
    durationMs: o?.durationMs ?? null,
    logFile: o?.logFile ?? r.logFile,
    sweepId,
  };
}

export function sweepEntry(s: SweepRecord, live: boolean): HistoryEntry {
  const state = s.state === 'running' && !live ? 'interrupted' : s.state;
  const ok = s.rows.some((r) => r.exitCode === 0 && (r.latencyMs !== null || r.throughput !== null));
  const best = s.best?.throughput ?? null;
  const end = s.finishedAt ? Date.parse(s.finishedAt) - Date.parse(s.createdAt) : null;
  return {
    kind: 'sweep',
    id: s.sweepId,
    time: s.createdAt,
    state,
    ok: state === 'running' ? null : ok,
    workload: s.spec.settings.workload,
    command: shellJoin(s.spec.settings.workload),
    cpus: s.spec.settings.cpus,
    threads: null,
    // The same tag as the sweep's runs: a remote target's URL, else the host name.
    host: s.host.target ?? s.host.hostname,
    latencyMs: s.best?.latency?.latencyMs ?? null,
    throughput: best?.throughput ?? null,
    throughputUnit: s.rows.find((r) => r.throughputUnit)?.throughputUnit ?? null,
    exitCode: null,
    durationMs: end !== null && Number.isFinite(end) ? end : null,
    logFile: null,
    sweepId: null,
    rows: s.rows.length,
    planned: s.planned,
  };
}

/** Run id → sweep id, from the sweeps' rows (every instance of a multi-instance row included). */
export function sweepOfRuns(sweeps: readonly SweepRecord[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of sweeps)
    for (const r of s.rows) {
      if (r.runId) m.set(r.runId, s.sweepId);
      for (const i of r.instanceRuns ?? []) m.set(i.runId, s.sweepId);
    }
  return m;
}

export function matches(e: HistoryEntry, f: HistoryFilter): boolean {
  if (f.kind && e.kind !== f.kind) return false;
  if (f.sweepId && e.sweepId !== f.sweepId && e.id !== f.sweepId) return false;
  if (f.outcome === 'running' && e.state !== 'running') return false;
  if (f.outcome === 'ok' && e.ok !== true) return false;
  if (f.outcome === 'failed' && e.ok !== false) return false;
  if (f.text) {
    const needle = f.text.toLowerCase();
    const hay = [e.id, e.command, e.workload.join(' '), e.host, e.state].join('\n').toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

export const ENTRY_COLUMNS = [
  'kind',
  'id',
  'time',
  'state',
  'ok',
  'host',
  'cpus',
  'threads',
  'latencyMs',
  'throughput',
  'throughputUnit',
  'exitCode',
  'durationMs',
  'sweepId',
  'rows',
  'logFile',
  'command',
] as const;

export function entriesToCsv(entries: readonly HistoryEntry[]): string {
  return toCsv(
    ENTRY_COLUMNS,
    entries.map((e) => [
      e.kind,
      e.id,
      e.time,
      e.state,
      e.ok,
      e.host,
      e.cpus.join(' '),
      e.threads,
      e.latencyMs,
      e.throughput,
      e.throughputUnit,
      e.exitCode,
      e.durationMs,
      e.sweepId,
      e.rows ?? null,
      e.logFile,
      e.command,
    ]),
  );
}
