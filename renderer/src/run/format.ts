/** Display helpers for runs: durations, latencies, outcomes. */
import type { RunOutcome } from '../../../app/api/contract';
import { formatBytes } from '../common/format';

/** "0.8 s", "12.3 s", "2:05", "1:02:03": seconds matter for short runs, the clock reads better for long ones. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatClock(ms);
}

/** "m:ss" or "h:mm:ss". */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Latencies keep two decimals like AML's report, so numbers compare directly with its output. */
export function formatMs(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${v.toFixed(2)} ms`;
}

export function formatNumber(v: number): string {
  return v >= 100 ? v.toFixed(1) : v.toFixed(2);
}

/** How the process ended, in words: "exit code 0", "stopped by SIGTERM", "could not start: …". */
export function describeEnd(o: RunOutcome): string {
  if (o.startError) return `could not start: ${o.startError}`;
  if (o.signal) return `ended by ${o.signal}`;
  return `exit code ${o.exitCode ?? '?'}`;
}

export function describePeak(bytes: number | null): string {
  return bytes === null ? 'peak memory unknown' : `peak memory ${formatBytes(bytes)}`;
}
