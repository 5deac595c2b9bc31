/**
 * Findings about a run as a whole (issue 12): was the engine there for its engine variables to matter, was the
 * rest of the machine quiet while it measured, and did another run of this tool hold its CPUs when it started.
 * Pure: the manager gathers the facts (probe, load record, registry) and appends what these return.
 */
import type { CpuLoadSummary } from '../shared/run';
import type { Finding } from '../shared/findings';
import type { HeldEntry } from './held';
import { formatCpuList } from '../shared/cpulist';

// One builder for runs and the host doctor (issue 14: the doctor shares the engine probe with run findings).
export { engineAbsentFinding } from '../doctor/checks/engine';

/** Mean busy fraction of the CPUs outside the selection above which the machine is called busy. */
export const BUSY_OUTSIDE = 0.2;

const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * `busy-machine`: the CPUs outside the selection were more than BUSY_OUTSIDE busy on average while the run went
 * (its load record). Only with a selection: without one the run's own load is everywhere.
 */
export function busyMachineFinding(
  cpuLoad: CpuLoadSummary[] | null | undefined,
  selected: readonly number[],
): Finding | null {
  if (!cpuLoad || selected.length === 0) return null;
  const sel = new Set(selected);
  const outside = cpuLoad.filter((c) => !sel.has(c.cpu));
  if (outside.length === 0) return null;
  const mean = outside.reduce((s, c) => s + c.mean, 0) / outside.length;
  if (mean <= BUSY_OUTSIDE) return null;
  const busiest = [...outside].sort((a, b) => b.mean - a.mean || a.cpu - b.cpu).slice(0, 8);
  return {
    code: 'busy-machine',
    severity: 'warning',
    message:
      `The CPUs outside this run's selection were ${pct(mean)} busy on average while it ran (over ` +
      `${pct(BUSY_OUTSIDE)}): other work shared the machine's memory bandwidth, caches and power, so these ` +
      `numbers may not repeat on a quiet machine.`,
    evidence: [
      { source: `mean busy of the ${outside.length} CPUs outside the selection`, value: pct(mean) },
      ...busiest.map((c) => ({ source: `CPU ${c.cpu} mean busy`, value: pct(c.mean) })),
    ],
  };
}

/** `cpus-in-use`: other runs of this tool held some of the selected CPUs when this one started. */
export function cpusInUseFinding(others: { entry: HeldEntry; shared: number[] }[]): Finding | null {
  if (others.length === 0) return null;
  const what = (o: { entry: HeldEntry; shared: number[] }) =>
    `${o.entry.sweepId ? `sweep ${o.entry.sweepId} run` : 'run'} ${o.entry.runId} (pid ${o.entry.pid})`;
  const named = others.map(what);
  return {
    code: 'cpus-in-use',
    severity: 'warning',
    message:
      `Another run of this tool was using CPUs of this run's selection when it started: ${named.join(', ')}. ` +
      `Both competed for those CPUs, so neither measured the configuration alone.`,
    evidence: others.map((o) => ({
      source: what(o),
      value: o.shared.length ? `CPUs ${formatCpuList(o.shared)}` : 'not bound (any CPU)',
    })),
  };
}
