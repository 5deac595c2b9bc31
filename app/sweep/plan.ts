/**
 * Expanding a SweepSpec into points, and each point into the exact settings of its instance(s). Pure functions
 * of the spec and the topology, so a sweep's commands can be previewed and tested without running anything.
 */
import type { Topology } from '../shared/topology';
import type { RunSettings } from '../shared/command';
import { allAvailable, cpuInfo } from '../shared/presets';
import { shellAssignment } from '../shared/quote';
import type { Placement, SweepPoint, SweepSpec } from '../shared/sweep';
import { applyVariant, replacedByVariant, SWEPT_VARS, withoutSweptVars } from '../shared/variants';

/** 1, 2, 4, … below `max`, then `max` itself (so the whole selection is always measured). */
export function doubling(max: number): number[] {
  const out: number[] = [];
  for (let n = 1; n < max; n *= 2) out.push(n);
  if (max >= 1) out.push(max);
  return out;
}

/** The CPUs a sweep picks from: the user's selection, or every usable physical core when nothing is selected. */
export function sweepSelection(spec: SweepSpec, t: Topology): number[] {
  return spec.settings.cpus.length > 0 ? [...spec.settings.cpus] : allAvailable(t);
}

/** Selection grouped by NUMA node (ascending node; CPUs of unknown node last), keeping selection order inside. */
function byNode(t: Topology, selection: readonly number[]): number[][] {
  const groups = new Map<number, number[]>();
  for (const id of selection) {
    const node = cpuInfo(t, id)?.node ?? -1;
    const g = groups.get(node) ?? [];
    g.push(id);
    groups.set(node, g);
  }
  const keys = [...groups.keys()].sort((a, b) => (a < 0 ? 1 : b < 0 ? -1 : a - b));
  return keys.map((k) => groups.get(k)!);
}

/** Split `n` as evenly as possible over groups of the given sizes; shortfalls move on to groups with room. */
export function evenShares(sizes: readonly number[], n: number): number[] {
  const take = sizes.map(() => 0);
  let left = Math.min(
    n,
    sizes.reduce((a, b) => a + b, 0),
  );
  while (left > 0) {
    const open = sizes.map((s, i) => i).filter((i) => take[i]! < sizes[i]!);
    const share = Math.max(1, Math.floor(left / open.length));
    for (const i of open) {
      if (left === 0) break;
      const got = Math.min(share, sizes[i]! - take[i]!, left);
      take[i]! += got;
      left -= got;
    }
  }
  return take;
}

/**
 * CPUs for K instances × T threads out of the selection, or null when it has fewer than K×T CPUs.
 * compact: fill a node before the next. spread: equal share per node (for K > 1: instances dealt out over the
 * nodes, each kept inside one node when it fits, because an instance straddling nodes pays remote accesses).
 */
export function pickInstanceCpus(
  t: Topology,
  selection: readonly number[],
  k: number,
  threads: number,
  placement: Placement,
): number[][] | null {
  if (k < 1 || threads < 1 || k * threads > selection.length) return null;
  const groups = byNode(t, selection);
  if (k === 1 && placement === 'spread') {
    const shares = evenShares(
      groups.map((g) => g.length),
      threads,
    );
    return [groups.flatMap((g, i) => g.slice(0, shares[i]))];
  }
  const used = groups.map(() => 0);
  const out: number[][] = [];
  for (let inst = 0; inst < k; inst++) {
    const fits = groups.map((g, i) => i).filter((i) => groups[i]!.length - used[i]! >= threads);
    let chosen: number | undefined;
    if (placement === 'compact') chosen = fits[0];
    else
      chosen = fits.sort((a, b) => groups[b]!.length - used[b]! - (groups[a]!.length - used[a]!) || a - b)[0];
    if (chosen !== undefined) {
      out.push(groups[chosen]!.slice(used[chosen], used[chosen]! + threads));
      used[chosen]! += threads;
      continue;
    }
    // No node has room for a whole instance: take what is left in node order.
    const cpus: number[] = [];
    for (let i = 0; i < groups.length && cpus.length < threads; i++) {
      const got = groups[i]!.slice(used[i], used[i]! + threads - cpus.length);
      used[i]! += got.length;
      cpus.push(...got);
    }
    out.push(cpus);
  }
  return out;
}

const BATCH_FLAGS = ['-b', '--batch_size', '--batch-size'];

/** Where the workload's batch size is: the index of `-b`/`--batch_size` (value next) or of `--batch_size=N`/`-bN`. */
function batchFlagAt(workload: readonly string[]): number {
  return workload.findIndex(
    (a, i) =>
      (BATCH_FLAGS.includes(a) && i + 1 < workload.length) ||
      BATCH_FLAGS.some((f) => f.startsWith('--') && a.startsWith(f + '=')) ||
      /^-b\d+$/.test(a),
  );
}

/** Whether the workload takes its batch size on the command line (so the batch dimension can set it). */
export function hasBatchFlag(workload: readonly string[]): boolean {
  return batchFlagAt(workload) >= 0;
}

/**
 * The workload with its own `-b`/`--batch_size` set to `n`. Throws when it has none: appending a flag the
 * workload may not know would measure a failure (or silently the default batch) under the wrong label.
 */
export function withBatch(workload: readonly string[], n: number): string[] {
  const out = [...workload];
  const i = batchFlagAt(out);
  if (i < 0) throw new Error('the workload has no -b / --batch_size to set');
  const a = out[i]!;
  if (BATCH_FLAGS.includes(a)) out[i + 1] = String(n);
  else if (a.startsWith('--')) out[i] = `${a.slice(0, a.indexOf('='))}=${n}`;
  else out[i] = `-b${n}`;
  return out;
}

/** The batch size a workload passes with -b / --batch_size, if any. */
export function batchOf(workload: readonly string[]): number | null {
  for (let i = 0; i < workload.length; i++) {
    const a = workload[i]!;
    if (BATCH_FLAGS.includes(a)) return Number(workload[i + 1]) || null;
    const m = /^(?:--batch[_-]size=|-b)(\d+)$/.exec(a);
    if (m) return Number(m[1]);
  }
  return null;
}

export interface Plan {
  points: SweepPoint[];
  skipped: string[];
  /** Warnings about dimensions that do not apply as asked (shown before starting, kept in the record). */
  notes: string[];
  threads: number[];
}

/** The placements a spec sweeps, in run order (compact first), without repeats. */
export function placementsOf(spec: Pick<SweepSpec, 'placement'>): Placement[] {
  const asked = Array.isArray(spec.placement) ? spec.placement : [spec.placement];
  return (['compact', 'spread'] as const).filter((p) => asked.includes(p));
}

/**
 * Every point of the sweep. Variants are the innermost loop so the configurations being compared run close
 * together in time (background load and thermals drift), placements next for the same reason, repetitions the
 * outermost so a cancelled sweep still has one of everything before it has two of anything.
 */
export function planSweep(spec: SweepSpec, t: Topology): Plan {
  const selection = sweepSelection(spec, t);
  const threads =
    spec.threads === 'doubling'
      ? doubling(selection.length)
      : [...new Set(spec.threads)].sort((a, b) => a - b);
  const instances = [...new Set(spec.instances)].sort((a, b) => a - b);
  const placements = placementsOf(spec);
  const notes: string[] = [];
  let batches: (number | null)[] = [null];
  if (spec.batches && spec.batches.length) {
    if (hasBatchFlag(spec.settings.workload)) batches = [...new Set(spec.batches)];
    else
      notes.push(
        `batch sizes ${spec.batches.join(', ')} not applied: the workload has no -b / --batch_size ` +
          'to set, so it runs with its own batch size (add e.g. -b 1 to the workload to sweep it)',
      );
  }
  const skipped: string[] = [];
  const fits = new Map<string, number[][]>();
  let samePicks = placements.length > 1;
  for (const k of instances)
    for (const th of threads) {
      const picks = placements.map((pl) => pickInstanceCpus(t, selection, k, th, pl));
      // Whether a configuration fits depends on the CPU count only, never on the placement.
      if (picks.some((c) => c === null)) {
        skipped.push(
          `${k} instance(s) × ${th} thread(s) needs ${k * th} CPUs; the selection has ${selection.length}`,
        );
        continue;
      }
      placements.forEach((pl, i) => fits.set(`${k}x${th}x${pl}`, picks[i]!));
      if (picks.some((c) => JSON.stringify(c) !== JSON.stringify(picks[0]))) samePicks = false;
    }
  if (samePicks && fits.size > 0) {
    const nodes = new Set(selection.map((id) => cpuInfo(t, id)?.node ?? -1));
    notes.push(
      'compact and spread pick the same CPUs for every configuration here (' +
        (nodes.size === 1
          ? 'the selection is on one NUMA node'
          : 'each thread count swept leaves no choice between the nodes') +
        '): each configuration is measured once per placement',
    );
  }
  notes.push(...leftOutNotes(spec));
  const points: SweepPoint[] = [];
  for (let r = 1; r <= Math.max(1, spec.repeat); r++)
    for (const batch of batches)
      for (const k of instances)
        for (const th of threads)
          for (const placement of placements) {
            const cpus = fits.get(`${k}x${th}x${placement}`);
            if (!cpus) continue;
            for (const variant of spec.variants)
              points.push({
                index: points.length,
                threads: th,
                instances: k,
                cores: k * th,
                placement,
                variant,
                batch,
                repeat: r,
                cpus,
              });
          }
  return { points, skipped, notes, threads };
}

/** What the rows leave out of the base environment (see instanceSettings), said once before the sweep starts. */
function leftOutNotes(spec: SweepSpec): string[] {
  const base = spec.settings.env;
  const show = (names: string[]): string => names.map((k) => shellAssignment(k, base[k]!)).join(', ');
  const out: string[] = [];
  const swept = Object.keys(base).filter((k) => !(k in withoutSweptVars(base)));
  if (swept.length)
    out.push(
      `${show(swept)} ${swept.length > 1 ? 'are' : 'is'} left out of every row: the sweep sets the thread ` +
        `count and CPUs of each row itself (${SWEPT_VARS.join(', ')})`,
    );
  const rest = withoutSweptVars(base);
  const byName = new Map<string, string[]>();
  for (const v of spec.variants)
    for (const k of replacedByVariant(rest, v, spec.customVariants))
      if (rest[k] !== null) byName.set(k, [...(byName.get(k) ?? []), v]);
  const groups = new Map<string, string[]>();
  for (const [k, vs] of byName) groups.set(vs.join(', '), [...(groups.get(vs.join(', ')) ?? []), k]);
  for (const [vs, names] of groups)
    out.push(
      `${show(names)} ${names.length > 1 ? 'are' : 'is'} left out of the ${vs} row(s): each such variant ` +
        'sets its precision or engine variables itself, old names included',
    );
  return out;
}

/**
 * Settings of each instance of a point. One instance keeps the user's memory policy; several follow Ampere's
 * multi-process scripts: memory bound to the instance's own node(s) unless the user chose memory nodes (always
 * otherwise: on one node it costs nothing and the command matches a single run's default),
 * AIO_SKIP_MASTER_THREAD=1. Every point gets its RESULTS_DIR (when given, shared by its instances) so every
 * process dumps its per-pass times.
 */
export function instanceSettings(
  spec: SweepSpec,
  // Unused since binding no longer depends on the node count (the command builder finds each CPU's node);
  // kept so callers and the signature stay stable.
  _t: Topology,
  p: SweepPoint,
  resultsDir: string | null,
): RunSettings[] {
  const base = spec.settings;
  // Thread count and CPUs are what the row measures: an explicit value or old alias of them would contradict it.
  const env = applyVariant(withoutSweptVars(base.env), p.variant, spec.customVariants);
  const workload = p.batch === null ? [...base.workload] : withBatch(base.workload, p.batch);
  return p.cpus.map((cpus) => {
    const s: RunSettings = {
      ...base,
      cpus: [...cpus],
      threads: null,
      env: { ...env },
      workload: [...workload],
    };
    if (p.instances > 1) {
      s.env.AIO_SKIP_MASTER_THREAD = '1';
      // Memory nodes the user chose are kept as chosen (the checks say when they are remote); otherwise each
      // instance binds to its own CPUs' node(s), or the nearest with memory for a memory-less node.
      if (base.memNodes === null) {
        s.memPolicy = 'bind';
        s.memNodes = null;
      }
    }
    // Every point, one instance too: the dumps are its per-pass samples (the statistics and tests rest on them).
    if (resultsDir !== null) s.env.RESULTS_DIR = resultsDir;
    return s;
  });
}

/** Same settings without the variables that only serve the measurement (what a user copies). */
export function withoutMeasurementVars(s: RunSettings): RunSettings {
  const env = { ...s.env };
  delete env.RESULTS_DIR;
  return { ...s, env };
}

/** Point without its CPU lists (progress events). */
export function pointSummary(p: SweepPoint): Omit<SweepPoint, 'cpus'> {
  const { cpus: _cpus, ...rest } = p;
  return rest;
}
