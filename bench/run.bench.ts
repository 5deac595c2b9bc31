// Run benchmarks through the real CLI: `aio-tuner run` capturing 1,000,000 lines against the same program
// redirected to a file by the shell, the tool's own peak memory while doing it, and the level filter over the
// resulting log against `grep -c`. Standalone: node --import tsx bench/run.bench.ts (needs `npm run build`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LogIndex } from '../app/logs';

const LINES = 1_000_000;
const CLI = resolve(__dirname, '..', 'bin', 'aio-tuner.cjs');
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// A workload-like printer: mostly info, every 1000th line an ERROR (so filter and grep have work to do).
const PRINTER = `import sys
w = sys.stdout.write
for i in range(1, ${LINES + 1}):
    w(f"ERROR pass {i} failed\\n" if i % 1000 == 0 else f"pass {i}: latency 12.{i % 97:02d} ms\\n")
`;

const fmtMs = (ms: number): string => `${ms.toFixed(0)} ms`;
const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`;

function hwmBytes(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s*kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null; // exited
  }
}

/**
 * Run the CLI to completion, polling its own VmHWM (the kernel's high-water mark of its resident memory, so
 * nothing between polls is missed; only growth in the last poll interval before exit could be).
 */
function runCli(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ ms: number; code: number | null; stdout: string; stderr: string; peak: number }>(
    (done, fail) => {
      const t0 = performance.now();
      const p = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let peak = 0;
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const poll = setInterval(() => (peak = Math.max(peak, hwmBytes(p.pid!) ?? 0)), 20);
      p.on('error', fail);
      // Stopped at exit: once reaped, the pid could belong to someone else.
      p.on('exit', () => clearInterval(poll));
      p.on('close', (code) => {
        done({ ms: performance.now() - t0, code, stdout, stderr, peak });
      });
    },
  );
}

export async function benchRun(): Promise<string[]> {
  if (!existsSync(join(__dirname, '..', 'dist', 'cli.mjs')))
    throw new Error('dist/cli.mjs missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'aio-run-bench-'));
  const out: string[] = [];
  try {
    const prog =
      spawnSync(PY, ['-c', 'pass']).status === 0 ? [PY, '-c', PRINTER] : ['seq', '1', String(LINES)];
    const plainFile = join(dir, 'plain.log');

    // (a) the same program redirected to a file by the shell: the floor any capture can approach.
    const quoted = prog.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    let t0 = performance.now();
    spawnSync('bash', ['-c', `${quoted} > '${plainFile}'`], { stdio: 'ignore' });
    const shellMs = performance.now() - t0;

    // (b) `aio-tuner run` as users start it: a fresh node process, capture to its log, the JSON summary.
    const env = { ...process.env, AIO_TUNER_HOME: join(dir, 'home'), OMP_NUM_THREADS: '1' };
    const logFile = join(dir, 'run.log');
    const cli = await runCli(['run', '--quiet', '--json', '--log', logFile, '--', ...prog], env);
    if (cli.code !== 0) throw new Error(`aio-tuner run exited with ${cli.code}:\n${cli.stderr}`);
    const r = JSON.parse(cli.stdout) as { lines: number; durationMs: number; peakRssBytes: number | null };
    if (r.lines !== LINES) throw new Error(`lost lines: ${r.lines} logged of ${LINES}`);
    // Node's own start-up, which every CLI call pays whatever the workload: shown so the ratio can be read.
    t0 = performance.now();
    spawnSync(process.execPath, [CLI, '--version'], { stdio: 'ignore', env });
    const startupMs = performance.now() - t0;
    out.push(
      `capture ${LINES.toLocaleString('en')} lines: aio-tuner run ${fmtMs(cli.ms)} vs shell redirect ${fmtMs(shellMs)} ` +
        `(ratio ${(cli.ms / shellMs).toFixed(1)}x; workload ${fmtMs(r.durationMs)} as the tool measured it, ` +
        `node start-up ${fmtMs(startupMs)})`,
    );
    out.push(
      `tool peak memory (VmHWM of the aio-tuner process) capturing ${LINES.toLocaleString('en')} lines: ${mib(cli.peak)}` +
        ` (the workload's own peak: ${r.peakRssBytes === null ? 'unknown' : mib(r.peakRssBytes)})`,
    );

    // (c) level filter over the run's log vs grep -c on the plain output.
    t0 = performance.now();
    const ix = await LogIndex.open(logFile);
    const openMs = performance.now() - t0;
    t0 = performance.now();
    const errors = await ix.filter({ levels: ['error'] });
    const filterMs = performance.now() - t0;
    t0 = performance.now();
    const grep = spawnSync('grep', ['-c', 'ERROR', plainFile], { encoding: 'utf8' });
    const grepMs = performance.now() - t0;
    t0 = performance.now();
    const rx = await ix.filter({ regex: 'ERROR' });
    const regexMs = performance.now() - t0;
    if (Number(grep.stdout.trim()) !== errors.length || rx.length !== errors.length)
      throw new Error(
        `count mismatch: index ${errors.length}, regex ${rx.length}, grep ${grep.stdout.trim()}`,
      );
    out.push(
      `level filter (error) over ${LINES.toLocaleString('en')} lines: ${fmtMs(filterMs)} vs grep -c ${fmtMs(grepMs)} ` +
        `(ratio ${(filterMs / grepMs).toFixed(2)}x; ${errors.length} hits; index build ${fmtMs(openMs)}, regex filter ${fmtMs(regexMs)})`,
    );
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (/run\.bench\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  benchRun().then(
    (lines) => console.log(lines.join('\n')),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
