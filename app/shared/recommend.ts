/**
 * Picking the settings to recommend from a sweep's rows. Repetitions of one configuration are averaged first,
 * so one lucky pass does not win; failed rows and rows without numbers never count.
 */
import type { Recommendation, SweepBest, SweepRow } from './sweep';

function keyOf(r: SweepRow): string {
  return JSON.stringify([r.threads, r.instances, r.placement, r.variant, r.batch]);
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Shell text for a configuration: one line, or K background lines and a `wait`. */
export function joinCommands(commands: readonly string[]): string {
  if (commands.length <= 1) return commands[0] ?? '';
  return [...commands.map((c) => `${c} &`), 'wait'].join('\n');
}

/**
 * The same as one line a shell runs (CSV cells, table cells): `cmd` alone, or `cmd1 & cmd2 & wait` — every
 * instance started in the background together, the line ending when all have.
 */
export function commandLine(commands: readonly string[]): string {
  if (commands.length <= 1) return commands[0] ?? '';
  return [...commands, 'wait'].join(' & ');
}

/** One entry per configuration with at least one successful row. */
export function aggregate(rows: readonly SweepRow[]): Recommendation[] {
  const groups = new Map<string, SweepRow[]>();
  for (const r of rows) {
    if (r.exitCode !== 0 || (r.latencyMs === null && r.throughput === null)) continue;
    const g = groups.get(keyOf(r)) ?? [];
    g.push(r);
    groups.set(keyOf(r), g);
  }
  return [...groups.values()].map((g, config) => {
    const first = g[0]!;
    const latencyMs = mean(g.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs])));
    const throughput = mean(g.flatMap((r) => (r.throughput === null ? [] : [r.throughput])));
    return {
      threads: first.threads,
      instances: first.instances,
      cores: first.cores,
      placement: first.placement,
      variant: first.variant,
      batch: first.batch,
      latencyMs,
      throughput,
      perCore: throughput === null ? null : throughput / first.cores,
      repeats: g.length,
      command: joinCommands(first.commands),
      commands: [...first.commands],
      runIds: g.map((r) => r.runId),
      config,
      significant: false,
      tiedWith: [],
    };
  });
}

/** Best by `score` (higher wins); ties go to fewer cores, then to the earlier configuration. */
function best(list: Recommendation[], score: (r: Recommendation) => number | null): Recommendation | null {
  let top: Recommendation | null = null;
  let topScore = -Infinity;
  for (const r of list) {
    const s = score(r);
    if (s === null || !Number.isFinite(s)) continue;
    if (s > topScore || (s === topScore && top !== null && r.cores < top.cores)) {
      top = r;
      topScore = s;
    }
  }
  return top;
}

export function recommend(rows: readonly SweepRow[], budgetMs: number | null = null): SweepBest {
  const configs = aggregate(rows);
  const inBudget =
    budgetMs === null ? [] : configs.filter((c) => c.latencyMs !== null && c.latencyMs <= budgetMs);
  return {
    latency: best(configs, (c) => (c.latencyMs === null ? null : -c.latencyMs)),
    throughput: best(configs, (c) => c.throughput),
    perCore: best(configs, (c) => c.perCore),
    withinBudget: budgetMs === null ? null : best(inBudget, (c) => c.perCore),
    budgetMs,
  };
}
