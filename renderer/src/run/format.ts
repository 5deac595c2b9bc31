/** Display helpers for runs: durations, latencies, outcomes. */
import type { RunOutcome } from '../../../app/shared/contract';
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

/** "1 line", "20,000 lines": the number as the user's locale writes it, the word agreeing with it. */
export function countOf(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? word : many}`;
}

/** How a run came out, for colours: green, red, or amber for one the user (or its time limit) stopped. */
export type OutcomeKind = 'success' | 'failure' | 'stopped';

export function outcomeKind(o: RunOutcome): OutcomeKind {
  if (o.startError || o.connectionLost) return 'failure';
  if (o.stopped || o.timedOut) return 'stopped';
  return o.exitCode === 0 ? 'success' : 'failure';
}

/**
 * How the process ended, in words: "exit code 0", "stopped", "ended by SIGSEGV", "could not start: …". A run
 * that was stopped reads "stopped": the signal that did it is a detail (endDetail).
 */
export function describeEnd(o: RunOutcome): string {
  if (o.startError) return `could not start: ${o.startError}`;
  if (o.connectionLost) return `connection lost: ${o.connectionLost}`;
  if (o.timedOut) return 'timed out and was stopped';
  if (o.stopped) return 'stopped';
  if (o.signal) return `ended by ${o.signal}`;
  return `exit code ${o.exitCode ?? '?'}`;
}

/** The small print of a stopped run: what actually ended it ("SIGTERM", "exit code 143"); null otherwise. */
export function endDetail(o: RunOutcome): string | null {
  if (o.startError || o.connectionLost || !(o.stopped || o.timedOut)) return null;
  if (o.signal) return o.signal;
  return o.exitCode === null ? null : `exit code ${o.exitCode}`;
}

export function describePeak(bytes: number | null): string {
  return bytes === null ? 'peak memory unknown' : `peak memory ${formatBytes(bytes)}`;
}

/** "CPU 1 is busy … is using it" / "CPUs 0, 1 are busy … using them". */
export function outsideMessage(outside: number[]): string {
  const one = outside.length === 1;
  return (
    `${one ? 'CPU' : 'CPUs'} ${outside.join(', ')} ${one ? 'is' : 'are'} busy outside your selection — the ` +
    `binding may not have worked (or another process is using ${one ? 'it' : 'them'}).`
  );
}
