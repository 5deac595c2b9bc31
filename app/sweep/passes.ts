/**
 * A point's per-pass latencies, in pass order, from its RESULTS_DIR dumps (<pid>.json, AML's format): the
 * samples behind a row's statistics and validity findings. The dumps' summaries (app/run/resultsdir.ts) keep
 * percentiles only; the tests and the warm-up finding need each pass.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface InstancePasses {
  pid: number;
  /** Latency of each measured pass (ms), in the order they ran. */
  passesMs: number[];
}

function numbers(v: unknown): number[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x))
    ? (v as number[])
    : null;
}

/** Every readable <pid>.json of `dir`, by pid; unreadable or partial files are left out (the summary says so). */
export async function readPasses(dir: string): Promise<InstancePasses[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^\d+\.json$/.test(n)).sort();
  } catch {
    return [];
  }
  const out: InstancePasses[] = [];
  for (const name of names) {
    try {
      const d = JSON.parse(await readFile(join(dir, name), 'utf8')) as Record<string, unknown>;
      const s = numbers(d.start_times);
      const f = numbers(d.finish_times);
      if (!s || !f) continue;
      // A dump caught between appends can have one list longer: complete passes only.
      const n = Math.min(s.length, f.length);
      const passesMs: number[] = [];
      for (let i = 0; i < n; i++) passesMs.push((f[i]! - s[i]!) * 1000);
      if (passesMs.length) out.push({ pid: Number(name.slice(0, -5)), passesMs });
    } catch {
      // caught mid-write or not JSON: no samples from this file
    }
  }
  return out;
}
