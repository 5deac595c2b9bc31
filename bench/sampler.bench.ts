// The placement sampler's own cost (issue 13): a 160-thread Python workload (two busy threads, 158 waking every
// 10 ms) bound to CPUs 0-1 runs SECONDS through `aio-tuner run`; its run.json `outcome.proof.samplerCpuPercent`
// (the sampler's CPU time over the run, in percent of one CPU) is set against `top -H -b -d 0.25` watching the
// same workload run once more on its own: top's CPU time over the same span (its utime+stime from /proc).
// Standalone: node --import tsx bench/sampler.bench.ts (needs `npm run build`).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const CLI = process.env.AIO_BENCH_CLI ?? resolve(__dirname, '..', 'bin', 'aio-tuner.cjs');
const PY = '/usr/bin/python3';
const SECONDS = 6;
const THREADS = 160;
const WORKLOAD = `
import threading, time
end = time.time() + ${SECONDS}
def busy():
    while time.time() < end: pass
def nap():
    while time.time() < end: time.sleep(0.01)
ts = [threading.Thread(target=busy) for _ in range(2)] + [threading.Thread(target=nap) for _ in range(${THREADS - 2})]
for t in ts: t.start()
for t in ts: t.join()
`;

function ticksOf(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(rest[14 - 3]) + Number(rest[15 - 3]);
  } catch {
    return null;
  }
}

/** top -H at the sampler's rate over the workload, in percent of one CPU. */
async function topPercent(): Promise<number> {
  const w = spawn('numactl', ['--physcpubind=0-1', PY, '-c', WORKLOAD], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  const top = spawn('top', ['-H', '-b', '-d', '0.25', '-p', String(w.pid)], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  let last = 0;
  await new Promise<void>((done) => {
    const iv = setInterval(() => (last = ticksOf(top.pid!) ?? last), 100);
    w.on('exit', () => {
      clearInterval(iv);
      done();
    });
  });
  const wallMs = performance.now() - t0;
  last = ticksOf(top.pid!) ?? last;
  top.kill();
  return ((last * 10) / wallMs) * 100;
}

export async function benchSampler(): Promise<string[]> {
  const home = mkdtempSync(join(tmpdir(), 'aio-bench-sampler-'));
  try {
    const r = spawnSync(
      process.execPath,
      [CLI, 'run', '--json', '--quiet', '--cores', '0-1', '--', PY, '-c', WORKLOAD],
      { encoding: 'utf8', env: { ...process.env, AIO_TUNER_HOME: home }, timeout: 120_000 },
    );
    if (r.status !== 0) throw new Error(`aio-tuner run failed: ${r.stderr}`);
    const { runId } = JSON.parse(r.stdout) as { runId: string };
    const proof = (
      JSON.parse(readFileSync(join(home, 'runs', runId, 'run.json'), 'utf8')) as {
        outcome: { proof: { samples: number; samplerCpuPercent: number; threads: unknown[] } };
      }
    ).outcome.proof;
    const ref = await topPercent();
    const ratio = proof.samplerCpuPercent / ref;
    return [
      `sampler: ${THREADS}-thread run, ${proof.threads.length} threads seen in ${proof.samples} samples: ` +
        `${proof.samplerCpuPercent.toFixed(2)} % of one CPU vs top -H -d 0.25 ${ref.toFixed(2)} % ` +
        `(ratio ${ratio.toFixed(2)})`,
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (require.main === module)
  benchSampler().then(
    (ls) => ls.forEach((l) => console.log(l)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
