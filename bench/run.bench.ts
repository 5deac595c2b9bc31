// Run-engine benchmarks: capture overhead, memory while capturing, and log filtering speed.
// Standalone: node --import tsx bench/run.bench.ts
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startRun } from '../app/run';
import { LogIndex } from '../app/logs';

const LINES = 1_000_000;
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
// A workload-like printer: mostly info, every 1000th line an ERROR (so filter and grep have work to do).
const PRINTER = `import sys
w = sys.stdout.write
for i in range(1, ${LINES + 1}):
    w(f"ERROR pass {i} failed\\n" if i % 1000 == 0 else f"pass {i}: latency 12.{i % 97:02d} ms\\n")
`;

const fmtMs = (ms: number): string => `${ms.toFixed(0)} ms`;
const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(1)} MiB`;

export async function benchRun(): Promise<string[]> {
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

    // (a)+(b) through startRun, sampling this tool's RSS meanwhile.
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
    let events = 0;
    t0 = performance.now();
    const h = startRun({ argv: prog, env: {}, logFile: join(dir, 'run.log') });
    h.events.on('lines', (b) => (events += b.length));
    const r = await h.done;
    const runMs = performance.now() - t0;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    if (events !== LINES || r.lines !== LINES)
      throw new Error(`lost lines: ${events} events, ${r.lines} logged`);
    out.push(
      `capture ${LINES.toLocaleString('en')} lines: startRun ${fmtMs(runMs)} vs shell redirect ${fmtMs(shellMs)} ` +
        `(ratio ${(runMs / shellMs).toFixed(1)}x)`,
    );
    out.push(
      `tool RSS during capture: peak ${mib(rssPeak)} (before ${mib(rssBefore)}, +${mib(rssPeak - rssBefore)})`,
    );

    // (c) level filter over the run's log vs grep -c on the plain output.
    t0 = performance.now();
    const ix = await LogIndex.open(r.logFile);
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
