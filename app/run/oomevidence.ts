/**
 * The kernel's word on an OOM kill (issue 14, `oom-killed`): a SIGKILL alone may come from anyone, so the run is
 * only called OOM-killed when the kernel log says its OOM killer killed one of the run's processes, or killed
 * something after the run started. Read only when a local run ended by a SIGKILL the tool did not send.
 */
import { readFile } from 'node:fs/promises';
import type { Evidence } from '../shared/findings';
import { runTool } from '../util/tool';

// mm/oom_kill.c: "Out of memory: Killed process 1234 (python3) total-vm:…" and the memory cgroup's
// "Memory cgroup out of memory: Killed process 1234 (python3) …".
const KILLED = /^\[\s*(\d+\.\d+)\]\s+(.*\bout of memory: Killed process (\d+) \(([^)]*)\).*)$/i;

/**
 * Lines of the kernel log that tie an OOM kill to the run (by pid, or by time since `startedAtMs`); [] when the
 * log was read and has none; null when it could not be read (dmesg restricted or missing).
 */
export async function kernelOomEvidence(
  pids: readonly number[],
  startedAtMs: number,
): Promise<Evidence[] | null> {
  const [log, uptime] = await Promise.all([
    runTool('dmesg', [], { timeoutMs: 5000 }),
    readFile('/proc/uptime', 'utf8').catch(() => null),
  ]);
  if (log.exitCode !== 0 || !log.stdout) return null;
  const up = uptime ? Number(uptime.split(' ')[0]) : NaN;
  // The run's start in the kernel log's clock (seconds since boot), with a little slack for the two clocks.
  const since = Number.isFinite(up) ? up - (Date.now() - startedAtMs) / 1000 - 0.2 : null;
  const mine = new Set(pids);
  const out: Evidence[] = [];
  for (const line of log.stdout.split('\n')) {
    const m = KILLED.exec(line);
    if (!m) continue;
    const [t, pid] = [Number(m[1]), Number(m[3])];
    if (mine.has(pid) || (since !== null && t >= since))
      out.push({ source: 'kernel log (dmesg)', value: line.trim() });
  }
  return out.slice(-3);
}
