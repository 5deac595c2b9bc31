/**
 * Expanding a SweepSpec into points, and each point into the exact settings of its instance(s). Pure functions
 * of the spec and the topology, so a sweep's commands can be previewed and tested without running anything.
 */
import type { Topology } from '../topology/types';
import type { RunSettings } from '../command/types';
import { allAvailable, cpuInfo } from '../command/presets';
import type { Placement, SweepPoint, SweepSpec } from './types';
import { applyVariant } from './variants';

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

/** The workload with its batch size set to `n`: an existing `-b`/`--batch_size` is replaced, else `-b n` appended. */
export function withBatch(workload: readonly string[], n: number): string[] {
  const out = [...workload];
  for (let i = 0; i < out.length; i++) {
    const a = out[i]!;
    if (BATCH_FLAGS.includes(a) && i + 1 < out.length) {
      out[i + 1] = String(n);
      return out;
    }
    const eq = BATCH_FLAGS.find((f) => f.startsWith('--') && a.startsWith(f + '='));
    if (eq) {
      out[i] = `${eq}=${n}`;
      return out;
    }
    if (/^-b\d+$/.test(a)) {
      out[i] = `-b${n}`;
      return out;
    }
  }
  return [...out, '-b', String(n)];
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
  threads: number[];
}

/**
 * Every point of the sweep. Variants are the innermost loop so the configurations being compared run close
 * together in time (background load and thermals drift), repetitions the outermost so a cancelled sweep still
 * has one of everything before it has two of anything.
 */
export function planSweep(spec: SweepSpec, t: Topology): Plan {
  const selection = sweepSelection(spec, t);
  const threads =
    spec.threads === 'doubling'
      ? doubling(selection.length)
      : [...new Set(spec.threads)].sort((a, b) => a - b);
  const instances = [...new Set(spec.instances)].sort((a, b) => a - b);
  const batches: (number | null)[] =
    spec.batches && spec.batches.length ? [...new Set(spec.batches)] : [null];
  const skipped: string[] = [];
  const fits = new Map<string, number[][]>();
  for (const k of instances)
    for (const th of threads) {
      const cpus = pickInstanceCpus(t, selection, k, th, spec.placement);
      if (cpus) fits.set(`${k}x${th}`, cpus);
      else
        skipped.push(
          `${k} instance(s) × ${th} thread(s) needs ${k * th} CPUs; the selection has ${selection.length}`,
        );
    }
  const points: SweepPoint[] = [];
  for (let r = 1; r <= Math.max(1, spec.repeat); r++)
    for (const batch of batches)
      for (const k of instances)
        for (const th of threads) {
          const cpus = fits.get(`${k}x${th}`);
          if (!cpus) continue;
          for (const variant of spec.variants)
            points.push({
              index: points.length,
              threads: th,
              instances: k,
              cores: k * th,
              placement: spec.placement,
              variant,
              batch,
              repeat: r,
              cpus,
            });
        }
  return { points, skipped, threads };
}

/**
 * Settings of each instance of a point. One instance keeps the user's memory policy; several follow Ampere's
 * multi-process scripts: memory bound to each instance's own node when the machine has more than one node,
 * AIO_SKIP_MASTER_THREAD=1, and a shared RESULTS_DIR (when given) so every process dumps its per-pass times.
 */
export function instanceSettings(
  spec: SweepSpec,
  t: Topology,
  p: SweepPoint,
  resultsDir: string | null,
): RunSettings[] {
  const base = spec.settings;
  const env = applyVariant(base.env, p.variant, spec.customVariants);
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
      s.memPolicy = t.nodes.length > 1 ? 'bind' : 'none';
      s.memNodes = null;
      if (resultsDir !== null) s.env.RESULTS_DIR = resultsDir;
    }
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
