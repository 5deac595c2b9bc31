/**
 * The topology probe over the largest kernel dump among the fixtures (issue 15: ≥ 384 CPUs), against
 * `lscpu --sysroot` over the same dump; target: the in-process read takes at most 1.0× lscpu's wall time.
 * The UI re-reads topology on demand, so the probe must stay below a process spawn. The two sides run
 * interleaved (one read, one lscpu, …) so a change in the machine's load hits both. Node's own start-up (`node -e
 * 0`) and the CLI's whole `aio-tuner topology --sysroot DIR` (start-up, read, summary) are reported apart: they
 * are what a shell user waits for, not what the app pays on a re-read.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { readSysfsTopology } from '../app/topology';
import { fixtureRoot, tarballFixtures } from '../test/helpers/fixtures';

const RUNS = Math.max(1, Number(process.env.AIO_BENCH_TOPOLOGY_RUNS ?? 31));
const WARMUP = 3;
const START_RUNS = 7;
const TARGET = 1.0;
const CLI = process.env.AIO_BENCH_CLI ?? resolve(__dirname, '..', 'bin', 'aio-tuner.cjs');

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const cpuCount = (root: string): number => {
  try {
    return readdirSync(join(root, 'sys/devices/system/cpu')).filter((n) => /^cpu\d+$/.test(n)).length;
  } catch {
    return 0;
  }
};

/** The fixture dump with the most CPUs (ties: the first by name), extracted. */
export function largestDump(): { name: string; root: string; cpus: number } {
  let best = { name: '', root: '', cpus: -1 };
  for (const name of tarballFixtures()) {
    const root = fixtureRoot(name);
    const cpus = cpuCount(root);
    if (cpus > best.cpus) best = { name, root, cpus };
  }
  if (best.cpus <= 0) throw new Error('no kernel dump among test/fixtures/*.tar.gz');
  return best;
}

/** Wall time of a command run to completion, its output discarded; a failing exit status still counts. */
function spawnMs(cmd: string, args: string[]): number {
  const start = performance.now();
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch (err) {
    // The spawn itself failed (not installed): nothing was measured.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
  }
  return performance.now() - start;
}

const fmt = (ms: number): string => ms.toFixed(1);
const spread = (xs: number[]): string => `[${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}]`;

export async function benchTopology(): Promise<string[]> {
  const dump = largestDump();
  const probe = async (): Promise<number> => {
    const start = performance.now();
    await readSysfsTopology(dump.root);
    return performance.now() - start;
  };
  const lscpu = (): number => spawnMs('lscpu', ['--sysroot', dump.root]);
  let haveLscpu = true;
  try {
    lscpu();
  } catch {
    haveLscpu = false;
  }
  for (let i = 0; i < WARMUP; i++) {
    await probe();
    if (haveLscpu) lscpu();
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await probe());
    if (haveLscpu) theirs.push(lscpu());
  }
  const lines: string[] = [];
  const head = `topology probe over ${dump.name} (${dump.cpus} CPUs), median of ${RUNS}, interleaved`;
  if (!haveLscpu) {
    lines.push(
      `${head}: in process ${fmt(median(ours))} ms ${spread(ours)} (lscpu not installed, no comparison)`,
    );
  } else {
    const ratio = median(ours) / median(theirs);
    lines.push(
      `${head}: in process ${fmt(median(ours))} ms ${spread(ours)} vs lscpu --sysroot ${fmt(median(theirs))} ms ` +
        `${spread(theirs)}: ratio ${ratio.toFixed(2)} (target ≤ ${TARGET.toFixed(1)}) ${ratio <= TARGET ? 'PASS' : 'MISS'}`,
    );
  }

  // Apart from the target: what a shell user waits for.
  const node: number[] = [];
  for (let i = 0; i < START_RUNS; i++) node.push(spawnMs(process.execPath, ['-e', '0']));
  let cli = `(dist/cli.mjs missing: \`npm run build\` to time the CLI)`;
  if (existsSync(CLI) && existsSync(join(__dirname, '..', 'dist', 'cli.mjs'))) {
    const whole: number[] = [];
    for (let i = 0; i < START_RUNS; i++)
      whole.push(spawnMs(process.execPath, [CLI, 'topology', '--sysroot', dump.root]));
    cli = `aio-tuner topology --sysroot, whole process ${fmt(median(whole))} ms ${spread(whole)}`;
  }
  lines.push(
    `  start-up, median of ${START_RUNS}: node -e 0 ${fmt(median(node))} ms ${spread(node)}; ${cli}`,
  );
  return lines;
}

// Standalone: `node --import tsx bench/topology.bench.ts`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchTopology().then(
    (lines) => console.log(lines.join('\n')),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
