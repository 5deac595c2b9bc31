/**
 * What the map and the run view show of a run's proof of placement (app/shared/proof.ts), as pure functions:
 * the run's threads per CPU, how busy they kept each CPU, which CPUs outside the selection hosted them, and the
 * per-node memory bars. Fed live by `run.proof` events and, once the run ended, by its recorded `outcome.proof`;
 * both turn into the same PlacementView so the map draws one model.
 */
import type { Counters, LivePlacement, RunProof, ThreadProof } from '../../../app/shared/proof';
import type { CpuInfo } from '../../../app/shared/topology';

/** A thread as a CPU's hover lists it: `busy` is its share of that CPU (0-1), `ms` its CPU time there when recorded. */
export interface CpuThread {
  tid: number;
  name: string;
  busy: number;
  ms: number | null;
}

export interface CpuPlacement {
  threads: CpuThread[];
  /** How busy the run's threads kept this CPU (0-1), capped at 1. */
  busy: number;
  /** A CPU outside the run's selection hosted some of its threads. */
  outside: boolean;
}

export interface PlacementView {
  runId: string;
  live: boolean;
  byCpu: Map<number, CpuPlacement>;
  memoryByNode: Map<number, number>;
}

/** A thread counts on a CPU from this share of its time there: below it, a brief visit is noise on the map. */
const MIN_SHARE = 0.05;

/** The live event as the map's model. */
export function fromLive(live: LivePlacement, selection: readonly number[]): PlacementView {
  const selected = new Set(selection);
  const outsideTids = new Set(live.outside);
  const byCpu = new Map<number, CpuPlacement>();
  for (const [key, c] of Object.entries(live.cpus)) {
    const cpu = Number(key);
    if (!Number.isInteger(cpu) || c.threads.length === 0) continue;
    const threads = c.threads
      .map((t) => ({ tid: t.tid, name: t.name, busy: t.busy, ms: null }))
      .sort((a, b) => b.busy - a.busy || a.tid - b.tid);
    // The engine's own list wins when the selection is not known here (a run started elsewhere).
    const outside = selected.size > 0 ? !selected.has(cpu) : threads.some((t) => outsideTids.has(t.tid));
    byCpu.set(cpu, { threads, busy: clamp01(c.busy), outside });
  }
  return { runId: live.runId, live: true, byCpu, memoryByNode: nodeMap(live.memoryByNode) };
}

/**
 * A finished run's recorded proof as the map's model: each thread is listed on the CPUs that got at least
 * MIN_SHARE of its time; a CPU's busy share is its threads' time there over the run's duration.
 */
export function fromRecorded(
  runId: string,
  proof: RunProof,
  selection: readonly number[],
  durationMs: number,
): PlacementView {
  const selected = new Set(selection);
  const byCpu = new Map<number, CpuPlacement>();
  for (const t of proof.threads) {
    for (const [key, ms] of Object.entries(t.cpus)) {
      const cpu = Number(key);
      if (!Number.isInteger(cpu) || !(ms > 0)) continue;
      if (t.cpuTimeMs > 0 && ms / t.cpuTimeMs < MIN_SHARE) continue;
      const cell = byCpu.get(cpu) ?? {
        threads: [],
        busy: 0,
        outside: selected.size > 0 && !selected.has(cpu),
      };
      cell.threads.push({
        tid: t.tid,
        name: t.name,
        busy: durationMs > 0 ? clamp01(ms / durationMs) : 0,
        ms,
      });
      byCpu.set(cpu, cell);
    }
  }
  for (const cell of byCpu.values()) {
    cell.threads.sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0) || a.tid - b.tid);
    cell.busy = clamp01(cell.threads.reduce((s, t) => s + t.busy, 0));
  }
  return { runId, live: false, byCpu, memoryByNode: nodeMap(proof.memoryByNode) };
}

/** The CPU a thread lives on: the one holding the most of its time, with that share (0-1); null before any time. */
export function homeCpu(t: ThreadProof): { cpu: number; share: number } | null {
  let best: { cpu: number; ms: number } | null = null;
  let total = 0;
  for (const [key, ms] of Object.entries(t.cpus)) {
    total += ms;
    if (!best || ms > best.ms) best = { cpu: Number(key), ms };
  }
  return best && total > 0 ? { cpu: best.cpu, share: best.ms / total } : null;
}

/** "CPU 3", "CPU 3 (92%), also 4, 5": where a thread lived, for the threads table. */
export function whereText(t: ThreadProof): string {
  const home = homeCpu(t);
  if (!home) return 'not seen on a CPU';
  const others = Object.entries(t.cpus)
    .filter(([k, ms]) => Number(k) !== home.cpu && ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k]) => k);
  if (others.length === 0) return `CPU ${home.cpu}`;
  const more =
    others.length > 4
      ? `, ${others.slice(0, 4).join(', ')} and ${others.length - 4} more`
      : `, ${others.join(', ')}`;
  return `CPU ${home.cpu} (${Math.round(home.share * 100)}%), also${more.slice(1)}`;
}

/** The nodes the selection meant: the run's memNodes when it bound memory, else the nodes of its CPUs. */
export function intendedNodes(
  cpusById: ReadonlyMap<number, Pick<CpuInfo, 'node'>>,
  cpus: readonly number[],
  memNodes: readonly number[] | null,
): Set<number> {
  if (memNodes && memNodes.length > 0) return new Set(memNodes);
  const out = new Set<number>();
  for (const id of cpus) {
    const n = cpusById.get(id)?.node;
    if (n !== null && n !== undefined) out.add(n);
  }
  return out;
}

export interface MemoryBar {
  node: number;
  bytes: number;
  /** Width against the biggest node's share of the run (0-1): the bars compare nodes with each other. */
  width: number;
  /** Share of the run's resident memory on this node (0-1). */
  share: number;
  intended: boolean;
}

/** One bar per node with memory of the run, or per node of the topology when `allNodes` is given. */
export function memoryBars(
  memoryByNode: ReadonlyMap<number, number>,
  intended: ReadonlySet<number>,
  allNodes: readonly number[] = [],
): MemoryBar[] {
  const nodes = [...new Set([...allNodes, ...memoryByNode.keys()])].sort((a, b) => a - b);
  const total = [...memoryByNode.values()].reduce((s, b) => s + Math.max(0, b), 0);
  const max = Math.max(0, ...memoryByNode.values());
  return nodes.map((node) => {
    const bytes = Math.max(0, memoryByNode.get(node) ?? 0);
    return {
      node,
      bytes,
      width: max > 0 ? bytes / max : 0,
      share: total > 0 ? bytes / total : 0,
      intended: intended.has(node),
    };
  });
}

function nodeMap(rec: Record<string, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [k, v] of Object.entries(rec ?? {})) {
    const n = Number(k);
    if (Number.isInteger(n) && Number.isFinite(v)) out.set(n, v);
  }
  return out;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** The finding codes of proof of placement: the run view shows them in its Placement section. */
export const PLACEMENT_CODES: ReadonlySet<string> = new Set([
  'threads-share-cpu',
  'thread-outside-selection',
  'memory-remote',
  'migrations-high',
  'selected-cpus-idle',
  'smt-siblings-busy',
]);

export interface CounterRow {
  name: string;
  /** The value as shown; null when the counter was not counted (see `reason`). */
  value: string | null;
  reason: string | null;
}

const COUNTER_LABELS: [keyof Counters, string, (v: number) => string][] = [
  ['taskClockMs', 'task clock', (v) => `${formatCount(v)} ms`],
  ['contextSwitches', 'context switches', formatCount],
  ['cpuMigrations', 'CPU migrations', formatCount],
  ['pageFaults', 'page faults', formatCount],
  ['cycles', 'cycles', formatCount],
  ['instructions', 'instructions', formatCount],
  ['ipc', 'IPC', (v) => v.toFixed(2)],
];

/**
 * The counters as rows: each counted one with its value; each refused one with why, never as 0 (a null software
 * counter takes perf's `error`, or "not counted"). Counters the PMU did not offer and perf did not list are left out.
 */
export function counterRows(c: Counters): CounterRow[] {
  const rows: CounterRow[] = [];
  const refused = new Map(c.unavailable.map((u) => [u.name, u.reason]));
  const software = new Set(['taskClockMs', 'contextSwitches', 'cpuMigrations', 'pageFaults']);
  for (const [key, label, fmt] of COUNTER_LABELS) {
    const v = c[key];
    if (typeof v === 'number' && Number.isFinite(v)) rows.push({ name: label, value: fmt(v), reason: null });
    else if (software.has(key) || v === null)
      rows.push({
        name: label,
        value: null,
        reason:
          c.error ??
          refused.get(label) ??
          (key === 'ipc' ? 'needs both cycles and instructions' : 'not counted'),
      });
  }
  for (const [name, v] of Object.entries(c.events ?? {})) {
    if (Number.isFinite(v)) rows.push({ name, value: formatCount(v), reason: null });
  }
  const shown = new Set(rows.map((r) => r.name));
  for (const u of c.unavailable)
    if (!shown.has(u.name)) rows.push({ name: u.name, value: null, reason: u.reason });
  return rows;
}

export interface ThreadRow {
  tid: number;
  name: string;
  cpuTimeMs: number;
  where: string;
  /** It lived on a CPU outside the selection, or spent time on one. */
  outside: boolean;
}

/** The threads table: busiest first; threads that never used the CPU are left out and counted apart. */
export function threadRows(
  proof: RunProof,
  selection: readonly number[],
): { rows: ThreadRow[]; idle: number } {
  const selected = new Set(selection);
  const rows: ThreadRow[] = [];
  let idle = 0;
  for (const t of proof.threads) {
    if (!(t.cpuTimeMs > 0)) {
      idle += 1;
      continue;
    }
    const outside =
      selected.size > 0 && Object.entries(t.cpus).some(([k, ms]) => ms > 0 && !selected.has(Number(k)));
    rows.push({ tid: t.tid, name: t.name, cpuTimeMs: t.cpuTimeMs, where: whereText(t), outside });
  }
  rows.sort((a, b) => b.cpuTimeMs - a.cpuTimeMs || a.tid - b.tid);
  return { rows, idle };
}

function formatCount(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}
