/**
 * Pure parsing of `perf stat -x, --no-big-num` output (issue 13) into the run's `Counters`. Each counter is one
 * CSV line: value,unit,event,run-time,percentage,metric-value,metric-unit. A value of `<not supported>` or
 * `<not counted>` means the machine did not count it: it goes to `unavailable` with that reason, never 0.
 */
import type { Counters, UnavailableCounter } from '../../shared/proof';

const SOFTWARE_FIELDS: Record<string, 'taskClockMs' | 'contextSwitches' | 'cpuMigrations' | 'pageFaults'> = {
  'task-clock': 'taskClockMs',
  'context-switches': 'contextSwitches',
  cs: 'contextSwitches',
  'cpu-migrations': 'cpuMigrations',
  migrations: 'cpuMigrations',
  'page-faults': 'pageFaults',
  faults: 'pageFaults',
};

/** `armv8_pmuv3_0/l1d_cache_refill/`, `cycles:u`, `L1D_CACHE_REFILL` → the plain lower-case name. */
export function normalizeEventName(raw: string): string {
  let name = raw.trim();
  const pmu = /^[\w.-]+\/([^/]+)\/[a-zA-Z]*$/.exec(name);
  if (pmu?.[1]) name = pmu[1];
  name = name.replace(/:[ukhHGp]+$/, '');
  return name.toLowerCase();
}

function reasonFor(value: string, paranoid: number | null): string {
  if (value === '<not supported>') {
    return paranoid !== null && paranoid > 1
      ? `<not supported>: this machine's PMU does not offer it (no hardware PMU in a VM), or perf_event_paranoid=${paranoid} hides it`
      : "<not supported>: this machine's PMU does not offer it (no hardware PMU in a VM)";
  }
  if (value === '<not counted>')
    return '<not counted>: the event was never scheduled on a counter (the workload ended or counters were busy)';
  return `unreadable value ${JSON.stringify(value)}`;
}

/** The counters in `text` (perf's `-o` file). `paranoid` is /proc/sys/kernel/perf_event_paranoid, for reasons. */
export function parsePerfStat(text: string, paranoid: number | null = null): Counters {
  const out: Counters = {
    taskClockMs: null,
    contextSwitches: null,
    cpuMigrations: null,
    pageFaults: null,
    unavailable: [],
  };
  const events: Record<string, number> = {};
  const unavailable: UnavailableCounter[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = line.split(',');
    if (f.length < 3) continue;
    const value = f[0] ?? '';
    const unit = f[1] ?? '';
    const rawName = f[2] ?? '';
    const name = normalizeEventName(rawName);
    if (!name) continue;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      unavailable.push({ name, reason: reasonFor(value.trim(), paranoid) });
      continue;
    }
    const soft = SOFTWARE_FIELDS[name];
    if (soft === 'taskClockMs') out.taskClockMs = unit === 'msec' || unit === '' ? n : n / 1e6;
    else if (soft) out[soft] = n;
    else if (name === 'cycles' || name === 'cpu_cycles') out.cycles = n;
    else if (name === 'instructions' || name === 'inst_retired') out.instructions = n;
    else events[name] = n;
  }
  if (typeof out.cycles === 'number' && typeof out.instructions === 'number' && out.cycles > 0) {
    out.ipc = Math.round((out.instructions / out.cycles) * 1000) / 1000;
  }
  if (Object.keys(events).length > 0) out.events = events;
  out.unavailable = unavailable;
  return out;
}

/** Text in perf's stderr that means the kernel refused it (perf_event_paranoid, EACCES/EPERM). */
export function permissionRefused(stderr: string): boolean {
  return /perf_event_paranoid|No permission|Permission denied|EACCES|EPERM|not permitted|Access to performance monitoring/i.test(
    stderr,
  );
}

/** What the user should read when perf was refused, with the setting that allows it. */
export function permissionError(paranoid: number | null): string {
  const now = paranoid === null ? '' : ` (kernel.perf_event_paranoid is ${paranoid})`;
  return `perf was not allowed to count this process${now}: allow it with \`sysctl kernel.perf_event_paranoid=1\` (or run as root / with CAP_PERFMON)`;
}
