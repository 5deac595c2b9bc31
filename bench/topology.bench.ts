/**
 * How long the in-process sysfs probe takes compared with starting `lscpu --sysroot` over the same dump: the
 * UI re-reads topology on demand, so the probe must stay well below a process spawn.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { readSysfsTopology } from '../app/topology';
import { fixtureRoot } from '../test/helpers/fixtures';

const FIXTURE = 'arm64-altra-2p-160c-2node';
const RUNS = 20;
const WARMUP = 3;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timeMs(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await fn();
    out.push(performance.now() - start);
  }
  return out;
}

export async function benchTopology(): Promise<string> {
  const root = fixtureRoot(FIXTURE);
  const probe = median(await timeMs(() => readSysfsTopology(root)));

  const { execa } = await import('execa');
  let lscpu: number | null;
  try {
    // reject:false: only the time matters, not lscpu's exit status over a dump.
    lscpu = median(await timeMs(() => execa('lscpu', ['--sysroot', root], { reject: false })));
  } catch {
    lscpu = null; // lscpu is not installed: execa still throws when the spawn itself fails.
  }
  const fmt = (ms: number): string => ms.toFixed(1);
  if (lscpu === null) return `topology probe: ${fmt(probe)} ms (lscpu not installed, no comparison)`;
  const ratio = lscpu / probe;
  const verdict = ratio >= 1 ? `${ratio.toFixed(1)}x faster` : `${(1 / ratio).toFixed(1)}x slower`;
  return `topology probe: ${fmt(probe)} ms vs lscpu --sysroot ${fmt(lscpu)} ms → ${verdict}`;
}

// Standalone: `node --import tsx bench/topology.bench.ts`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchTopology().then(
    (line) => console.log(line),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
