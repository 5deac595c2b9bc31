/** Two runs side by side: what differs in their settings, and how their results moved. */
import type { RunInfo } from '../shared/run';
import type { RunSettings } from '../shared/command';
import { threadCount } from '../command/plan';
import type { HistoryEntry, MetricDelta, RunComparison, SettingDiff } from '../shared/history';

const show = (v: unknown): string =>
  v === null || v === undefined ? '—' : Array.isArray(v) ? v.join(',') || '—' : String(v);

export function settingsDiff(
  a: RunSettings,
  b: RunSettings,
  envA: Record<string, string>,
  envB: Record<string, string>,
): SettingDiff[] {
  const rows: SettingDiff[] = [];
  const add = (field: string, x: unknown, y: unknown) => {
    const sa = show(x);
    const sb = show(y);
    rows.push({ field, a: sa, b: sb, same: sa === sb });
  };
  add('CPUs', a.cpus, b.cpus);
  add('threads', threadCount(a), threadCount(b));
  add('memory policy', a.memPolicy, b.memPolicy);
  add('memory nodes', a.memNodes ?? 'of the CPUs', b.memNodes ?? 'of the CPUs');
  // Unset is a level too (the engine's default), not a missing value: "—" read as if the run had none.
  const level = (m: number | null) => m ?? 'not set (engine default 2)';
  add('debug mode', level(a.debugMode), level(b.debugMode));
  add('workload', a.workload.join(' '), b.workload.join(' '));
  add('working directory', a.cwd, b.cwd);
  // The environment actually set (derived variables included), then explicit unsets from the settings.
  const names = [...new Set([...Object.keys(envA), ...Object.keys(envB)])].sort();
  // Two sweep runs each dump to their own RESULTS_DIR (measurement only): different paths, same setting.
  for (const n of names) if (!(n === 'RESULTS_DIR' && n in envA && n in envB)) add(`$${n}`, envA[n], envB[n]);
  const unsets = (s: RunSettings) => Object.keys(s.env).filter((k) => s.env[k] === null);
  const ua = unsets(a);
  const ub = unsets(b);
  if (ua.length || ub.length) add('unset', ua.sort(), ub.sort());
  return rows;
}

function delta(
  metric: string,
  unit: string,
  a: number | null,
  b: number | null,
  lowerIsBetter: boolean | null,
): MetricDelta {
  const d = a !== null && b !== null ? b - a : null;
  const pct = d !== null && a !== null && a !== 0 ? (d / a) * 100 : null;
  let better: 'a' | 'b' | null = null;
  if (d !== null && d !== 0 && lowerIsBetter !== null) better = d < 0 === lowerIsBetter ? 'b' : 'a';
  return { metric, unit, a, b, delta: d, pct, better };
}

export function resultDeltas(a: RunInfo, b: RunInfo): MetricDelta[] {
  const ra = a.outcome?.results;
  const rb = b.outcome?.results;
  const lat = (r: typeof ra, k: 'mean' | 'median' | 'p90' | 'p99' | 'p99.9') => r?.latencyMs?.[k] ?? null;
  const unit = ra?.throughput?.unit ?? rb?.throughput?.unit ?? 'samples/s';
  return [
    delta('latency mean', 'ms', lat(ra, 'mean'), lat(rb, 'mean'), true),
    delta('latency median', 'ms', lat(ra, 'median'), lat(rb, 'median'), true),
    delta('latency p90', 'ms', lat(ra, 'p90'), lat(rb, 'p90'), true),
    delta('latency p99', 'ms', lat(ra, 'p99'), lat(rb, 'p99'), true),
    delta('throughput', unit, ra?.throughput?.value ?? null, rb?.throughput?.value ?? null, false),
    delta('duration', 'ms', a.outcome?.durationMs ?? null, b.outcome?.durationMs ?? null, null),
    delta('peak memory', 'bytes', a.outcome?.peakRssBytes ?? null, b.outcome?.peakRssBytes ?? null, true),
    delta('exit code', '', a.outcome?.exitCode ?? null, b.outcome?.exitCode ?? null, null),
  ];
}

export function compareRuns(a: RunInfo, b: RunInfo, ea: HistoryEntry, eb: HistoryEntry): RunComparison {
  return {
    a: ea,
    b: eb,
    settings: settingsDiff(a.settings, b.settings, a.env, b.env),
    metrics: resultDeltas(a, b),
  };
}
