/**
 * Placement findings (issue 13) from a run's proof, judged against its plan. Codes and thresholds are public
 * (README "Placement findings"). A finding needs its evidence: a proof with no threads says nothing about
 * threads, one with no memory reading says nothing about memory, one without perf falls back to what the
 * sampler saw, and a judgement that cannot be made is left out rather than guessed.
 */
import { formatCpuList } from '../../shared/cpulist';
import type { RunSettings } from '../../shared/command';
import type { Evidence, Finding } from '../../shared/findings';
import type { CpuContention, RowProof, RunProof, ThreadProof } from '../../shared/proof';
import type { Topology } from '../../shared/topology';

export interface PlacementPlan {
  /** The CPUs the run was bound to (empty = not bound). */
  cpus: readonly number[];
  /** The NUMA nodes memory was meant for (membind/preferred nodes, else those of the CPUs); null = any. */
  memNodes: readonly number[] | null;
  topology: Topology;
  /** The run's wall time (ms), used when the proof does not carry its own `durationMs`. */
  durationMs?: number | null;
}

/**
 * A thread is busy when it wanted a CPU for more than this share of its life in the run (its `lifeMs`, else the
 * run's duration): it ran (its CPU time) or was runnable and waited in a run queue (`waitMs`, schedstat).
 * Counting the wait is what makes oversubscription visible: k threads taking turns on one CPU each get 1/k of it,
 * so by CPU time alone no two of them could ever be "busy" together; each of them still wanted the CPU the whole
 * time. Judging over the thread's own life is fair to threads that live only part of a run: PyTorch starts its
 * intra-op workers at the first parallel op, after seconds of `import torch` that only the main thread lived
 * through.
 */
export const BUSY_SHARE = 0.5;
/**
 * ...and for at least this long (ms): below it, 10 ms ticks and the sampler's 250 ms interval make the share
 * noise (a helper thread that lived 30 ms and ran 20 is not a busy thread of the run).
 */
export const BUSY_MIN_MS = 100;
/**
 * A CPU the run oversubscribed in some sampling intervals (`proof.contention`, see DEMAND_CPUS in threads.ts)
 * counts when those intervals add up to at least this long and this share of the run: one interval of a few ticks
 * at a pass boundary is not a pattern.
 */
export const CONTENDED_MIN_MS = 200;
export const CONTENDED_SHARE = 0.05;
/** A thread lives on a CPU when more than this share of its CPU time was there. */
export const LIVES_ON_SHARE = 0.8;
/** Memory on nodes other than the plan's above this share of the resident total is remote. */
export const REMOTE_MEMORY_SHARE = 0.1;
/**
 * CPU time outside the selection that counts: more than 5 % of the thread's time and at least 50 ms. Below
 * that, one sample landing on the wrong CPU as the thread was re-pinned (or a reading race) is noise.
 */
export const OUTSIDE_SHARE = 0.05;
export const OUTSIDE_MIN_MS = 50;
/**
 * Migrations per second per busy thread above which they cost: the scheduler's balancing of a pinned run moves a
 * thread a few times a second at most; at 10/s/thread each move also loses its warm L1/L2, which shows in latency.
 */
export const MIGRATIONS_PER_SEC_PER_THREAD = 10;
/** Without perf: a busy thread spread over this many CPUs or more (none holding 80 % of its time) migrates. */
export const MANY_CPUS = 3;
/** A selected CPU is idle when the run's threads gave it less than this share of the run's duration. */
export const IDLE_SHARE = 0.05;

/** The wall time busy-ness is measured against; null when nothing says. */
function runDuration(proof: RunProof, plan: PlacementPlan): number | null {
  const d = proof.durationMs ?? plan.durationMs ?? null;
  if (d && d > 0) return d;
  // A thread cannot use more than one CPU: the busiest thread's time is a lower bound of the run's length.
  const max = Math.max(0, ...proof.threads.map((t) => t.cpuTimeMs));
  return max > 0 ? max : null;
}

/** The wall time a thread's busy-ness is judged over: its own life when known (never longer than the run). */
export function busyBase(t: ThreadProof, durationMs: number): number {
  return t.lifeMs != null && t.lifeMs > 0 ? Math.min(t.lifeMs, durationMs) : durationMs;
}

/** The share (0-1+) of its life a thread wanted a CPU: ran or waited in a run queue. */
export function wantedShare(t: ThreadProof, durationMs: number): number {
  return (t.cpuTimeMs + (t.waitMs ?? 0)) / busyBase(t, durationMs);
}

export function isBusy(t: ThreadProof, durationMs: number): boolean {
  return t.cpuTimeMs + (t.waitMs ?? 0) >= BUSY_MIN_MS && wantedShare(t, durationMs) > BUSY_SHARE;
}

/** Whether two threads lived together for at least half the shorter life (assumed so when a life is unknown). */
export function livedTogether(a: ThreadProof, b: ThreadProof): boolean {
  if (a.startMs == null || a.lifeMs == null || b.startMs == null || b.lifeMs == null) return true;
  const from = Math.max(a.startMs, b.startMs);
  const to = Math.min(a.startMs + a.lifeMs, b.startMs + b.lifeMs);
  return to - from >= 0.5 * Math.min(a.lifeMs, b.lifeMs);
}

export interface CpuShare {
  cpu: number;
  /** The run's threads that shared it, most wanting first. */
  threads: ThreadProof[];
  /** The intervals it was oversubscribed in, when the sampler saw any. */
  contention: CpuContention | null;
}

/**
 * The CPUs the run oversubscribed: two or more busy threads that lived at the same time live there (one process
 * after another is not sharing), or its sampling intervals found it oversubscribed for at least CONTENDED_MIN_MS
 * and CONTENDED_SHARE of the run.
 */
export function sharedCpus(proof: RunProof, durationMs: number): CpuShare[] {
  const out = new Map<number, CpuShare>();
  const byCpu = new Map<number, ThreadProof[]>();
  for (const t of proof.threads.filter((th) => isBusy(th, durationMs))) {
    const cpu = livesOn(t);
    if (cpu != null) byCpu.set(cpu, [...(byCpu.get(cpu) ?? []), t]);
  }
  for (const [cpu, ts] of byCpu) {
    const anchor = ts.reduce((a, b) => (busyBase(b, durationMs) > busyBase(a, durationMs) ? b : a));
    const group = ts.filter((t) => t === anchor || livedTogether(t, anchor));
    if (group.length >= 2) out.set(cpu, { cpu, threads: group, contention: null });
  }
  for (const [key, c] of Object.entries(proof.contention ?? {})) {
    if (c.ms < Math.max(CONTENDED_MIN_MS, CONTENDED_SHARE * durationMs)) continue;
    const cpu = Number(key);
    const tids = new Set(c.tids);
    const known = out.get(cpu)?.threads ?? [];
    const more = proof.threads.filter((t) => tids.has(t.tid) && !known.includes(t));
    out.set(cpu, { cpu, threads: [...known, ...more], contention: c });
  }
  return [...out.values()]
    .map((s) => ({
      ...s,
      threads: [...s.threads].sort((a, b) => wantedShare(b, durationMs) - wantedShare(a, durationMs)),
    }))
    .sort((a, b) => a.cpu - b.cpu);
}

/** The CPU holding more than 80 % of the thread's CPU time, or null. */
export function livesOn(t: ThreadProof): number | null {
  if (t.cpuTimeMs <= 0) return null;
  const total = Object.values(t.cpus).reduce((a, b) => a + b, 0) || t.cpuTimeMs;
  for (const [cpu, ms] of Object.entries(t.cpus)) if (ms / total > LIVES_ON_SHARE) return Number(cpu);
  return null;
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;
const cpuText = (cpus: readonly number[]): string => formatCpuList(cpus);

function threadEvidence(t: ThreadProof, durationMs: number): Evidence {
  return {
    source: `/proc/${t.pid}/task/${t.tid}/stat`,
    value: `tid ${t.tid} (${t.name}): ${Math.round(t.cpuTimeMs)} ms CPU${t.waitMs != null ? ` + ${Math.round(t.waitMs)} ms waiting for one` : ''} over ${Math.round(busyBase(t, durationMs))} ms of life`,
  };
}

/** The nodes holding the given CPUs, per the topology. */
function nodesOf(cpus: readonly number[], topology: Topology): number[] {
  const nodes = new Set<number>();
  for (const id of cpus) {
    const node = topology.cpus.find((c) => c.id === id)?.node;
    if (node != null) nodes.add(node);
  }
  return [...nodes].sort((a, b) => a - b);
}

/** The nodes memory should be on: the plan's memNodes, else those of the bound CPUs; null when unbound. */
export function homeNodes(plan: PlacementPlan): number[] | null {
  if (plan.memNodes && plan.memNodes.length) return [...plan.memNodes].sort((a, b) => a - b);
  if (!plan.cpus.length) return null;
  const nodes = nodesOf(plan.cpus, plan.topology);
  return nodes.length ? nodes : null;
}

/** Share (0-1) of resident memory outside the home nodes; null when memory or the home nodes are unknown. */
export function remoteMemoryShare(proof: RunProof, plan: PlacementPlan): number | null {
  const home = homeNodes(plan);
  const entries = Object.entries(proof.memoryByNode ?? {});
  const total = entries.reduce((a, [, b]) => a + b, 0);
  if (!home || total <= 0) return null;
  const remote = entries.filter(([n]) => !home.includes(Number(n))).reduce((a, [, b]) => a + b, 0);
  return remote / total;
}

/** A sweep row's summary of one run's proof. */
export function rowProof(proof: RunProof, plan: PlacementPlan): RowProof {
  const d = runDuration(proof, plan);
  return {
    busyThreads: d ? proof.threads.filter((t) => isBusy(t, d)).length : 0,
    remoteMemoryShare: remoteMemoryShare(proof, plan),
    cpuMigrations: proof.counters?.cpuMigrations ?? null,
  };
}

/**
 * The plan a run's proof is judged against, from its settings: its bound CPUs, and the memory nodes of its
 * policy (bind, preferred, interleave), else those of the CPUs (`local`/`none` mean "near the CPUs" too).
 */
export function planOf(settings: RunSettings, topology: Topology, durationMs?: number | null): PlacementPlan {
  const explicit =
    settings.memPolicy !== 'none' && settings.memPolicy !== 'local' && settings.memNodes?.length;
  return {
    cpus: settings.cpus,
    memNodes: explicit ? settings.memNodes : null,
    topology,
    durationMs: durationMs ?? null,
  };
}

/**
 * A sweep row's proof over its runs (one per instance): busy threads and migrations add up; the remote share is
 * that of all their resident memory together. Undefined when no run has a proof.
 */
export function combinedRowProof(runs: { proof: RunProof; plan: PlacementPlan }[]): RowProof | undefined {
  if (!runs.length) return undefined;
  let remote = 0;
  let total = 0;
  let anyMemory = false;
  let migrations: number | null = 0;
  let busyThreads = 0;
  for (const { proof, plan } of runs) {
    const one = rowProof(proof, plan);
    busyThreads += one.busyThreads;
    const bytes = Object.values(proof.memoryByNode ?? {}).reduce((a, b) => a + b, 0);
    if (one.remoteMemoryShare != null) {
      anyMemory = true;
      remote += one.remoteMemoryShare * bytes;
      total += bytes;
    }
    migrations = migrations == null || one.cpuMigrations == null ? null : migrations + one.cpuMigrations;
  }
  return {
    busyThreads,
    remoteMemoryShare: anyMemory && total > 0 ? remote / total : null,
    cpuMigrations: migrations,
  };
}

export function placementFindings(proof: RunProof, plan: PlacementPlan): Finding[] {
  const findings: Finding[] = [];
  const selected = new Set(plan.cpus);
  const durationMs = runDuration(proof, plan);
  const threads = proof.threads ?? [];
  const busy = durationMs ? threads.filter((t) => isBusy(t, durationMs)) : [];

  // Oversubscription and SMT sharing: where the busy threads live.
  const byCpu = new Map<number, ThreadProof[]>();
  for (const t of busy) {
    const cpu = livesOn(t);
    if (cpu == null) continue;
    byCpu.set(cpu, [...(byCpu.get(cpu) ?? []), t]);
  }
  if (durationMs) {
    for (const { cpu, threads: ts, contention } of sharedCpus(proof, durationMs)) {
      const n = plan.cpus.length || null;
      findings.push({
        code: 'threads-share-cpu',
        severity: 'warning',
        message:
          `${ts.length} threads of the run live on CPU ${cpu} and take turns on it (oversubscription)` +
          (contention
            ? `: for ${(contention.ms / 1000).toFixed(1)} s of the run they wanted up to ${contention.peakDemand.toFixed(1)} CPUs' worth of it (ran or waited in its run queue)`
            : '') +
          (n ? `; the run has ${n} selected CPU${n > 1 ? 's' : ''}` : ''),
        evidence: [
          ...(contention
            ? [
                {
                  source: 'sampled /proc/PID/task/TID/stat and schedstat, per interval',
                  value: `CPU ${cpu} oversubscribed for ${Math.round(contention.ms)} ms of ${Math.round(durationMs)} ms; peak demand ${contention.peakDemand.toFixed(2)} CPUs`,
                },
              ]
            : []),
          ...ts.map((t) => ({
            ...threadEvidence(t, durationMs),
            value:
              `CPU ${cpu}: tid ${t.tid} (${t.name}), ${pct((t.cpus[String(cpu)] ?? 0) / t.cpuTimeMs)} of its ` +
              `${Math.round(t.cpuTimeMs)} ms CPU + ${Math.round(t.waitMs ?? 0)} ms waiting, ` +
              `${pct(wantedShare(t, durationMs))} of its ${Math.round(busyBase(t, durationMs))} ms life`,
          })),
        ],
        ...(n
          ? {
              fix: {
                label: `Run ${n} thread${n > 1 ? 's' : ''} (one per selected CPU), or select more CPUs`,
                patch: { threads: n },
              },
            }
          : {}),
      });
    }
    const siblingPairs = new Set<string>();
    for (const [cpu, ts] of byCpu) {
      const siblings = plan.topology.cpus.find((c) => c.id === cpu)?.siblings ?? [];
      for (const sib of siblings) {
        if (sib <= cpu || !byCpu.has(sib)) continue;
        const key = `${cpu}/${sib}`;
        if (siblingPairs.has(key)) continue;
        siblingPairs.add(key);
        const both = [...ts, ...byCpu.get(sib)!];
        const core = plan.topology.cpus.find((c) => c.id === cpu)?.core;
        findings.push({
          code: 'smt-siblings-busy',
          severity: 'info',
          message: `Busy threads live on CPUs ${cpu} and ${sib}, SMT siblings of one core${core != null ? ` (core ${core})` : ''}: they share its pipelines and caches`,
          evidence: both.map((t) => threadEvidence(t, durationMs)),
          fix: { label: 'Select one CPU per physical core (SMT siblings excluded)' },
        });
      }
    }
  }

  // Threads that ran outside the selection.
  if (selected.size) {
    for (const t of threads) {
      const outside = Object.entries(t.cpus).filter(([c, ms]) => !selected.has(Number(c)) && ms > 0);
      const outMs = outside.reduce((a, [, ms]) => a + ms, 0);
      if (outMs < OUTSIDE_MIN_MS || t.cpuTimeMs <= 0 || outMs / t.cpuTimeMs <= OUTSIDE_SHARE) continue;
      findings.push({
        code: 'thread-outside-selection',
        severity: 'warning',
        message: `Thread ${t.tid} (${t.name}) ran ${Math.round(outMs)} ms on CPU ${cpuText(outside.map(([c]) => Number(c)))}, outside the selection ${cpuText(plan.cpus)}`,
        evidence: [
          {
            source: `/proc/${t.pid}/task/${t.tid}/stat`,
            value: outside.map(([c, ms]) => `CPU ${c}: ${Math.round(ms)} ms`).join(', '),
          },
          {
            source: `/proc/${t.pid}/task/${t.tid}/status`,
            value: `Cpus_allowed_list: ${t.allowed ? cpuText(t.allowed) : 'not read'}`,
          },
        ],
        fix: {
          label:
            'The workload widened or changed its own affinity (sched_setaffinity, taskset, a launcher of its own): ' +
            'leave pinning to the tool, or run it in a cpuset that holds only the selection',
        },
      });
    }
  }

  // Memory on nodes other than the plan's.
  const share = remoteMemoryShare(proof, plan);
  const home = homeNodes(plan);
  if (share != null && home && share > REMOTE_MEMORY_SHARE) {
    const nodes = home.join(',');
    const byNode = Object.entries(proof.memoryByNode)
      .map(([n, b]) => `node ${n}: ${Math.round(b / 1048576)} MiB`)
      .join(', ');
    findings.push({
      code: 'memory-remote',
      severity: 'warning',
      message: `${pct(share)} of the run's resident memory is on nodes other than ${home.length > 1 ? 'nodes' : 'node'} ${nodes} (${plan.memNodes?.length ? 'its memory nodes' : 'the nodes of its CPUs'}): every access to it crosses the interconnect`,
      evidence: [{ source: '/proc/PID/numa_maps (summed over the run)', value: byNode }],
      fix: {
        label: `Bind memory to node ${nodes} (numactl --membind=${nodes}); with AIO_MEM_BIND=1 the engine binds to node 0 whatever the CPUs, so leave it unset and let numactl bind`,
        patch: { memPolicy: 'bind', memNodes: home, env: { AIO_MEM_BIND: null } },
      },
    });
  }

  // Migrations: perf's count per second per busy thread, else threads the sampler saw wandering.
  const migrations = proof.counters?.cpuMigrations;
  if (durationMs && migrations != null) {
    const per = busy.length ? migrations / (durationMs / 1000) / busy.length : 0;
    if (busy.length && per > MIGRATIONS_PER_SEC_PER_THREAD) {
      findings.push({
        code: 'migrations-high',
        severity: 'warning',
        message: `${migrations} CPU migrations in ${(durationMs / 1000).toFixed(1)} s: ${per.toFixed(0)} per second per busy thread (over ${MIGRATIONS_PER_SEC_PER_THREAD}); each move loses the thread's warm caches`,
        evidence: [{ source: 'perf stat cpu-migrations', value: String(migrations) }],
        fix: {
          label:
            'Bind each thread to one CPU (AIO_NUMA_CPUS / OMP_PROC_BIND=close), or select as many CPUs as threads',
        },
      });
    }
  } else if (durationMs && migrations == null) {
    const wandering = busy.filter(
      (t) => livesOn(t) == null && Object.values(t.cpus).filter((ms) => ms > 0).length >= MANY_CPUS,
    );
    if (wandering.length) {
      findings.push({
        code: 'migrations-high',
        severity: 'info',
        message: `${wandering.length} busy thread${wandering.length > 1 ? 's' : ''} moved over ${MANY_CPUS} or more CPUs with none holding 80 % of ${wandering.length > 1 ? 'their' : 'its'} time (no perf count)`,
        evidence: wandering.map((t) => ({
          source: `/proc/${t.pid}/task/${t.tid}/stat`,
          value: `tid ${t.tid} (${t.name}): ${Object.entries(t.cpus)
            .map(([c, ms]) => `CPU ${c} ${Math.round(ms)} ms`)
            .join(', ')}`,
        })),
        fix: { label: 'Bind each thread to one CPU (AIO_NUMA_CPUS / OMP_PROC_BIND=close)' },
      });
    }
  }

  // Selected CPUs the run never used.
  if (durationMs && selected.size && threads.length) {
    const used = new Map<number, number>();
    for (const t of threads)
      for (const [c, ms] of Object.entries(t.cpus)) used.set(Number(c), (used.get(Number(c)) ?? 0) + ms);
    const idle = [...selected]
      .filter((c) => (used.get(c) ?? 0) < IDLE_SHARE * durationMs)
      .sort((a, b) => a - b);
    if (idle.length) {
      const n = plan.cpus.length;
      findings.push({
        code: 'selected-cpus-idle',
        severity: 'info',
        message: `Selected CPU${idle.length > 1 ? 's' : ''} ${cpuText(idle)} ${idle.length > 1 ? 'were' : 'was'} hardly used by the run's threads (${busy.length} busy thread${busy.length === 1 ? '' : 's'} for ${n} CPUs)`,
        evidence: idle.map((c) => ({
          source: 'sampled thread CPU time',
          value: `CPU ${c}: ${Math.round(used.get(c) ?? 0)} ms of ${Math.round(durationMs)} ms`,
        })),
        fix: {
          label: `Run ${n} threads (one per selected CPU), or select fewer CPUs`,
          patch: { threads: n },
        },
      });
    }
  }
  return findings;
}
