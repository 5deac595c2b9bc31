// Capture benchmarks through the real CLI and the real server, each target a ratio against a reference measured
// in the same run (issue 11 item 1), every figure the median of REPEATS runs with its min–max:
//  (a) a Python printer's 1,000,000 lines as fast as it can: the time the printer itself measures, run through
//      `aio-tuner run` (echo to a file) against through `tee`; target ≤ 1.10;
//  (b) 5,000,000 `seq` lines echoed to a file: `aio-tuner run` net of its own start-up (`aio-tuner run -- true`)
//      against `seq | tee log > out`; target ≤ 5;
//  (c) the tool's peak memory (VmHWM) during (b); target ≤ 100 MiB;
//  (d) headless Chromium following a 200,000-lines/s run in `aio-tuner serve`: how far the newest line on screen
//      is behind the newest line written; target ≤ 1 s.
// Plus the level filter over the printer's log against `grep -c`. Standalone: node --import tsx
// bench/run.bench.ts (needs `npm run build`); AIO_BENCH_REPEATS sets the repeats (default 3).
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { LogIndex } from '../app/logs';
import { spread, type Spread } from './spread';

const REPEATS = Math.max(1, Number(process.env.AIO_BENCH_REPEATS ?? 3));
const PRINTER_LINES = 1_000_000;
const SEQ_LINES = 5_000_000;
const RATE = 200_000;
const FOLLOW_S = 6;
// AIO_BENCH_CLI: another build's bin/aio-tuner.cjs, to measure it the same way (e.g. the commit before a change).
const CLI = process.env.AIO_BENCH_CLI ?? resolve(__dirname, '..', 'bin', 'aio-tuner.cjs');
const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const CHROMIUM = '/usr/bin/chromium';
const MiB = 1024 * 1024;

// A workload-like printer: mostly info, every 1000th line an ERROR (so filter and grep have work to do). It
// writes the time its own loop took (flush included) to the file named by its argument.
const PRINTER = `import sys, time
w = sys.stdout.write
t0 = time.perf_counter()
for i in range(1, ${PRINTER_LINES + 1}):
    w(f"ERROR pass {i} failed\\n" if i % 1000 == 0 else f"pass {i}: latency 12.{i % 97:02d} ms\\n")
sys.stdout.flush()
open(sys.argv[1], "w").write(str(time.perf_counter() - t0))
`;

// RATE lines a second in bursts every 10 ms, each line carrying the wall-clock ms when its burst was written.
const PACED = `import sys, time
rate, secs = int(sys.argv[1]), float(sys.argv[2])
per = rate // 100
n = 0
start = time.time()
tick = start
while time.time() - start < secs:
    ms = int(time.time() * 1000)
    sys.stdout.write("".join(f"line {n + k} at {ms}\\n" for k in range(per)))
    sys.stdout.flush()
    n += per
    tick += 0.01
    d = tick - time.time()
    if d > 0:
        time.sleep(d)
`;

const secs = (x: Spread): string =>
  `${(x.median / 1000).toFixed(2)} s [${(x.min / 1000).toFixed(2)}–${(x.max / 1000).toFixed(2)}]`;
const mib = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');

function hwmBytes(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s*kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null; // exited
  }
}

/**
 * Run a program to completion with stdout to a file, polling its VmHWM (the kernel's high-water mark of its
 * resident memory, so nothing between polls is missed; only growth in the last poll interval could be).
 */
function timed(argv: string[], env: NodeJS.ProcessEnv, stdoutFile: string) {
  return new Promise<{ ms: number; code: number | null; stderr: string; peak: number }>((done, fail) => {
    const fd = openSync(stdoutFile, 'w');
    const t0 = performance.now();
    const p = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    let stderr = '';
    let peak = 0;
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => (peak = Math.max(peak, hwmBytes(p.pid!) ?? 0)), 20);
    p.on('error', fail);
    // Stopped at exit: once reaped, the pid could belong to someone else.
    p.on('exit', () => clearInterval(poll));
    p.on('close', (code) => done({ ms: performance.now() - t0, code, stderr, peak }));
  });
}

const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

export async function benchRun(): Promise<string[]> {
  if (!existsSync(join(__dirname, '..', 'dist', 'cli.mjs')))
    throw new Error('dist/cli.mjs missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'aio-run-bench-'));
  const env = { ...process.env, AIO_TUNER_HOME: join(dir, 'home'), OMP_NUM_THREADS: '1' };
  const cli = (args: string[]) => [process.execPath, CLI, 'run', '--mem', 'none', ...args];
  const out: string[] = [`capture targets (issue 11): median [min–max] of ${REPEATS} runs each, interleaved`];
  try {
    // (a) The printer through the tool and through tee, alternately, so drift in the machine's load hits both.
    const printer = join(dir, 'printer.py');
    writeFileSync(printer, PRINTER);
    const took = join(dir, 'took');
    const printerLog = join(dir, 'printer.log');
    const inTool: number[] = [];
    const inTee: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const r = await timed(cli(['--log', printerLog, '--', PY, printer, took]), env, join(dir, 'a.out'));
      if (r.code !== 0) throw new Error(`aio-tuner run exited with ${r.code}:\n${r.stderr}`);
      if (statSync(join(dir, 'a.out')).size === 0) throw new Error('no echo');
      inTool.push(Number(readFileSync(took, 'utf8')) * 1000);
      const t = await timed(
        ['bash', '-c', `${quote(PY)} ${quote(printer)} ${quote(took)} | tee ${quote(join(dir, 'tee.log'))}`],
        env,
        join(dir, 'a-tee.out'),
      );
      if (t.code !== 0) throw new Error(`tee pipeline exited with ${t.code}`);
      inTee.push(Number(readFileSync(took, 'utf8')) * 1000);
    }
    const a = { tool: spread(inTool), tee: spread(inTee) };
    const ratioA = a.tool.median / a.tee.median;
    out.push(
      `(a) Python printer, ${PRINTER_LINES.toLocaleString('en')} lines, time inside the workload: through aio-tuner run ` +
        `${secs(a.tool)} vs through tee ${secs(a.tee)}: ratio ${ratioA.toFixed(2)} (target ≤ 1.10) ${verdict(ratioA <= 1.1)}`,
    );

    // (b) + (c): seq through the tool, its start-up alone, and seq | tee; all echo to a file.
    const startup: number[] = [];
    const startupPeak: number[] = [];
    const tool: number[] = [];
    const toolPeak: number[] = [];
    const tee: number[] = [];
    const seqOut = join(dir, 'b.out');
    for (let i = 0; i < REPEATS; i++) {
      const s = await timed(cli(['--log', join(dir, 'true.log'), '--', 'true']), env, join(dir, 'true.out'));
      if (s.code !== 0) throw new Error(`aio-tuner run -- true exited with ${s.code}:\n${s.stderr}`);
      startup.push(s.ms);
      startupPeak.push(s.peak);
      const r = await timed(
        cli(['--log', join(dir, 'seq.log'), '--', 'seq', '1', String(SEQ_LINES)]),
        env,
        seqOut,
      );
      if (r.code !== 0) throw new Error(`aio-tuner run seq exited with ${r.code}:\n${r.stderr}`);
      tool.push(r.ms);
      toolPeak.push(r.peak);
      const size = statSync(seqOut).size;
      const t = await timed(
        ['bash', '-c', `seq 1 ${SEQ_LINES} | tee ${quote(join(dir, 'tee.log'))}`],
        env,
        seqOut,
      );
      if (statSync(seqOut).size !== size)
        throw new Error(`echo lost bytes: ${size} vs ${statSync(seqOut).size}`);
      tee.push(t.ms);
    }
    const b = { tool: spread(tool), startup: spread(startup), tee: spread(tee) };
    const net = b.tool.median - b.startup.median;
    const ratioB = net / b.tee.median;
    out.push(
      `(b) seq ${SEQ_LINES.toLocaleString('en')} lines echoed to a file: aio-tuner run ${secs(b.tool)} minus its start-up ` +
        `(run -- true) ${secs(b.startup)} = ${(net / 1000).toFixed(2)} s vs seq | tee ${secs(b.tee)}: ` +
        `ratio ${ratioB.toFixed(1)} (target ≤ 5) ${verdict(ratioB <= 5)}`,
    );
    const c = spread(toolPeak);
    out.push(
      `(c) tool peak memory (VmHWM of the aio-tuner process) over those ${SEQ_LINES.toLocaleString('en')} lines: ` +
        `${mib(c.median)} [${mib(c.min)}–${mib(c.max)}] (run -- true: ${mib(spread(startupPeak).median)}); ` +
        `target ≤ 100 MiB ${verdict(c.max <= 100 * MiB)}`,
    );

    // (d) A browser following a fast run in serve mode.
    out.push(await benchFollow(dir));

    // The level filter over the printer's log vs grep -c on the plain output.
    let t0 = performance.now();
    const ix = await LogIndex.open(printerLog);
    const openMs = performance.now() - t0;
    t0 = performance.now();
    const errors = await ix.filter({ levels: ['error'] });
    const filterMs = performance.now() - t0;
    const grep = await timed(['grep', '-c', 'ERROR', join(dir, 'a.out')], env, join(dir, 'grep.out'));
    const hits = Number(readFileSync(join(dir, 'grep.out'), 'utf8').trim());
    t0 = performance.now();
    const rx = await ix.filter({ regex: 'ERROR' });
    const regexMs = performance.now() - t0;
    if (hits !== errors.length || rx.length !== errors.length)
      throw new Error(`count mismatch: index ${errors.length}, regex ${rx.length}, grep ${hits}`);
    out.push(
      `level filter (error) over ${PRINTER_LINES.toLocaleString('en')} lines: ${filterMs.toFixed(0)} ms vs grep -c ` +
        `${grep.ms.toFixed(0)} ms (${errors.length} hits; index build ${openMs.toFixed(0)} ms, regex filter ${regexMs.toFixed(0)} ms)`,
    );
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Serve, open the page, run the paced printer REPEATS times and sample how far behind the viewer's last row is. */
async function benchFollow(dir: string): Promise<string> {
  if (!existsSync(CHROMIUM)) return `(d) skipped: ${CHROMIUM} is missing`;
  const paced = join(dir, 'paced.py');
  writeFileSync(paced, PACED);
  const home = join(dir, 'serve-home');
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    env: { ...process.env, AIO_TUNER_HOME: home, OMP_NUM_THREADS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let said = '';
  server.stdout.on('data', (d: Buffer) => (said += d.toString()));
  server.stderr.on('data', (d: Buffer) => (said += d.toString()));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  try {
    const url = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`serve printed no URL:\n${said}`)), 20_000);
      const check = (): void => {
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(said);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      };
      // It may have said it while the browser started.
      check();
      server.stdout.on('data', check);
    });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(url);
    await page.waitForSelector('[data-testid=example-hint]');
    const line = `${PY} ${paced} ${RATE} ${FOLLOW_S}`;
    await page.fill('[data-testid=workload]', line);
    await page.waitForFunction(
      (l) => document.querySelector('[data-testid=preview-bash]')?.textContent?.includes(l),
      paced,
    );
    const worst: number[] = [];
    const typical: number[] = [];
    const rates: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      await page.click('[data-testid=run-start]');
      await page.waitForSelector('[data-testid=run-status][data-state=running]');
      await page.waitForSelector('[data-testid=log-row]', { timeout: 30_000 });
      const lags: number[] = [];
      // The page's own clock and the printer's are the same machine's: the lag is now minus the newest row's time.
      for (;;) {
        const s = await page.evaluate(() => {
          let best = -1;
          let at = 0;
          for (const r of document.querySelectorAll('[data-testid=log-row]')) {
            const n = Number(r.getAttribute('data-n'));
            const m = / at (\d+)$/.exec(r.textContent ?? '');
            if (m && n > best) {
              best = n;
              at = Number(m[1]);
            }
          }
          const running = document.querySelector('[data-testid=run-status][data-state=running]') !== null;
          return { lag: best < 0 ? null : Date.now() - at, running };
        });
        if (!s.running) break;
        if (s.lag !== null) lags.push(s.lag);
        await new Promise((r) => setTimeout(r, 200));
      }
      await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 30_000 });
      const count = Number(await page.getAttribute('[data-testid=log-viewport]', 'data-count'));
      rates.push(count / FOLLOW_S);
      // The first second is the page adopting the run; from then on the viewer must keep up.
      const steady = lags.slice(5);
      if (steady.length === 0) throw new Error('the viewer showed no line while the run went');
      worst.push(Math.max(...steady));
      typical.push(spread(steady).median);
    }
    const w = spread(worst);
    const rate = spread(rates).median;
    return (
      `(d) browser viewer following ${RATE.toLocaleString('en')} lines/s for ${FOLLOW_S} s (measured ` +
      `${Math.round(rate).toLocaleString('en')} lines/s): newest row behind the newest line written by ` +
      `${secs(spread(typical))} typically, worst ${secs(w)} (sampled every 200 ms after the first second); ` +
      `target ≤ 1 s ${verdict(w.max <= 1000)}`
    );
  } finally {
    await browser.close();
    server.kill('SIGTERM');
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
