// Runner tests against real processes: real numactl, real PyTorch, real process groups. Nothing is mocked.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  describeExit,
  exitStatusCode,
  groupMembers,
  parseResults,
  processAffinity,
  readResultsDir,
  startRun,
  stopAllRuns,
  type RunHandle,
  type RunLine,
  type RunResult,
  type RunSpec,
} from '../../app/run';
import { readLogBatches, LOG_MAGIC } from '../../app/logs';
import { need } from '../helpers/require';

const dir = mkdtempSync(join(tmpdir(), 'aio-run-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const BENCH = resolve(__dirname, '../../examples/bench.py');
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasTorch = spawnSync(PY, ['-c', 'import torch']).status === 0;

/** Missing prerequisites fail under CI (the pipeline must provide them) and skip locally with the reason. */

let logNo = 0;
function run(argv: string[], extra: Partial<RunSpec> = {}): { h: RunHandle; lines: RunLine[] } {
  const lines: RunLine[] = [];
  const h = startRun({ argv, env: {}, logFile: join(dir, `run-${++logNo}.log`), graceMs: 500, ...extra });
  h.events.on('lines', (b) => {
    // Keep only a bounded sample; the 1M-line test counts instead.
    if (lines.length < 10_000) lines.push(...b.slice(0, 10_000 - lines.length));
  });
  return { h, lines };
}

function alive(pid: number): boolean {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(st);
  } catch {
    return false;
  }
}

async function waitFor<T>(fn: () => T | null | undefined | false, ms = 10_000, step = 25): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, step));
  }
}

describe('runner: start errors', () => {
  test('missing binary gives a clear startError', async () => {
    const r = await run(['no-such-binary-xyz', '--flag']).h.done;
    assert.equal(r.startError, 'cannot start: `no-such-binary-xyz` not found on PATH');
    assert.equal(r.exitCode, null);
    assert.equal(exitStatusCode(r), 127);
  });
  test('missing path binary', async () => {
    const r = await run(['/nonexistent/dir/tool']).h.done;
    assert.equal(r.startError, 'cannot start: `/nonexistent/dir/tool` does not exist');
  });
  test('non-existent cwd', async () => {
    const r = await run(['true'], { cwd: '/nonexistent/workdir' }).h.done;
    assert.equal(r.startError, 'working directory /nonexistent/workdir does not exist');
  });
  test('non-executable file', async () => {
    const f = join(dir, 'not-exec.sh');
    writeFileSync(f, '#!/bin/sh\necho hi\n');
    chmodSync(f, 0o644);
    const r = await run([f]).h.done;
    assert.match(r.startError ?? '', /is not executable \(permission denied\)/);
  });
  test('exit event fires for a failed start too', async () => {
    const { h } = run(['no-such-binary-xyz']);
    const ev = await new Promise<RunResult>((res) => h.events.on('exit', res));
    assert.ok(ev.startError);
  });
});

describe('runner: exit status', () => {
  test('exit code passes through; stdout/stderr kept apart', async () => {
    const { h, lines } = run(['sh', '-c', 'echo out; echo err >&2; exit 7']);
    const r = await h.done;
    assert.equal(r.exitCode, 7);
    assert.equal(r.signal, null);
    assert.equal(exitStatusCode(r), 7);
    assert.equal(describeExit(r), 'failed with exit code 7');
    assert.deepEqual(lines.map((l) => [l.stream, l.text]).sort(), [
      ['stderr', 'err'],
      ['stdout', 'out'],
    ]);
  });
  test('a signal passes through (SIGSEGV → 139)', async () => {
    const r = await run(['sh', '-c', 'kill -SEGV $$']).h.done;
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, 'SIGSEGV');
    assert.equal(exitStatusCode(r), 139);
    assert.match(describeExit(r), /segmentation fault/);
  });
  test('environment: spec.env added, unset removed', async () => {
    process.env.AIO_TUNER_TEST_UNSET_ME = 'present';
    const { h, lines } = run(['sh', '-c', 'echo "$FOO|${AIO_TUNER_TEST_UNSET_ME:-gone}|${PATH:+path}"'], {
      env: { FOO: 'bar baz' },
      unset: ['AIO_TUNER_TEST_UNSET_ME'],
    });
    await h.done;
    assert.equal(lines[0]?.text, 'bar baz|gone|path');
  });
  test('numactl refusing a CPU is shown in the log with its exit code', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const { h, lines } = run(['numactl', '--physcpubind=999', 'true']);
    const r = await h.done;
    assert.equal(r.startError, undefined);
    assert.equal(r.exitCode, 1);
    assert.ok(lines.some((l) => l.stream === 'stderr' && /999/.test(l.text)));
  });
});

describe('runner: broken pipes', () => {
  test('pipeline inside the workload (yes | head -1) ends normally', async () => {
    const { h, lines } = run(['bash', '-c', 'yes | head -1']);
    const r = await h.done;
    assert.equal(r.exitCode, 0);
    assert.deepEqual(
      lines.map((l) => l.text),
      ['y'],
    );
  });
  test('a process killed by SIGPIPE gets status 141 and an explanation', async () => {
    const code =
      'import os,signal; signal.signal(signal.SIGPIPE, signal.SIG_DFL); r,w=os.pipe(); os.close(r); os.write(w,b"x")';
    const r = await run([PY, '-c', code]).h.done;
    assert.equal(r.signal, 'SIGPIPE');
    assert.equal(exitStatusCode(r), 141);
    assert.match(describeExit(r), /broken pipe/);
  });
  test("Python's BrokenPipeError is an error-level traceback with exit 1", async () => {
    const { h, lines } = run([PY, '-c', 'import os; r,w=os.pipe(); os.close(r); os.write(w,b"x")']);
    const r = await h.done;
    assert.equal(r.exitCode, 1);
    assert.ok(lines.some((l) => l.level === 'error' && /BrokenPipeError/.test(l.text)));
    assert.ok(
      lines.every((l) => l.level === 'error'),
      'every traceback line is an error',
    );
  });
});

describe('runner: stop', () => {
  test('Stop ends the whole tree, grandchildren included', async () => {
    const { h, lines } = run(['bash', '-c', 'sleep 100 & sleep 100 & (sleep 100; true) & echo ready; wait']);
    await waitFor(() => lines.some((l) => l.text === 'ready'));
    const members = await waitFor(() => {
      const m = groupMembers(h.pid!);
      return m.length >= 4 ? m : null;
    });
    const r = await h.stop();
    assert.equal(r.stopped, true);
    assert.equal(r.signal, 'SIGTERM');
    assert.deepEqual(groupMembers(h.pid!), []);
    for (const m of members) assert.equal(alive(m.pid), false, `pid ${m.pid} (${m.comm}) survived`);
  });
  test('SIGKILL follows when SIGTERM is ignored', async () => {
    const { h, lines } = run(['bash', '-c', "trap '' TERM; sleep 100 & echo ready; wait; wait"], {
      graceMs: 300,
    });
    await waitFor(() => lines.length > 0);
    const members = groupMembers(h.pid!);
    const r = await h.stop();
    assert.equal(r.signal, 'SIGKILL');
    for (const m of members) assert.equal(alive(m.pid), false);
  });
  for (const [what, script] of [
    ['holding the output pipe', 'sleep 100 & echo bye'],
    ['with output redirected', 'sleep 100 >/dev/null 2>&1 & echo bye'],
    ['ignoring SIGTERM, output redirected', "trap '' TERM; sleep 100 >/dev/null 2>&1 & echo bye"],
  ] as const) {
    test(`background processes left by an exited leader are ended (${what})`, async () => {
      const { h } = run(['bash', '-c', script], { graceMs: 300 });
      const r = await h.done;
      assert.equal(r.exitCode, 0);
      assert.deepEqual(groupMembers(h.pid!), []);
    });
  }
  test('timeout stops the run', async () => {
    const r = await run(['sleep', '100'], { timeoutMs: 300 }).h.done;
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGTERM');
    assert.match(describeExit(r), /timed out/);
  });
  test('stopAllRuns leaves nothing behind', async () => {
    const a = run(['sleep', '100']).h;
    const b = run(['bash', '-c', 'sleep 100 & wait']).h;
    await waitFor(() => a.pid !== null && b.pid !== null && groupMembers(b.pid).length >= 2);
    const results = await stopAllRuns();
    assert.ok(results.length >= 2);
    assert.deepEqual(groupMembers(a.pid!), []);
    assert.deepEqual(groupMembers(b.pid!), []);
  });
});

describe('runner: capture', () => {
  test('1,000,000 lines arrive complete and in order in the output and the log file; display shows the newest', async () => {
    let shown = 0;
    let lastShown = 0;
    let ordered = true;
    const out: Buffer[] = [];
    const h = startRun({ argv: ['seq', '1', '1000000'], env: {}, logFile: join(dir, 'million.log') });
    h.events.on('lines', (batch) => {
      for (const l of batch) {
        shown++;
        // Lines may be skipped for display, never reordered or altered.
        if (l.n <= lastShown || l.text !== String(l.n) || l.stream !== 'stdout') ordered = false;
        lastShown = l.n;
      }
    });
    h.events.on('output', (stream, bytes) => {
      if (stream === 'stdout') out.push(bytes);
    });
    const r = await h.done;
    assert.equal(r.exitCode, 0);
    assert.ok(ordered, 'display events out of order or altered');
    assert.equal(lastShown, 1_000_000, 'the last line is shown');
    assert.ok(shown > 0 && shown <= 1_000_000);
    assert.ok(
      Buffer.concat(out).equals(spawnSync('seq', ['1', '1000000'], { maxBuffer: 1 << 26 }).stdout),
      'the output event carries every byte',
    );
    assert.equal(r.lines, 1_000_000);
    assert.equal(h.log.lineCount, 1_000_000);
    let n = 0;
    let fileOk = true;
    for await (const batch of readLogBatches(r.logFile)) {
      for (const rec of batch) {
        n++;
        if (rec.text !== String(n) || rec.stream !== 'stdout' || rec.n !== n) fileOk = false;
      }
    }
    assert.equal(n, 1_000_000);
    assert.ok(fileOk);
    const [l999] = await h.log.getLines(999_999, 1);
    assert.equal(l999?.text, '999999');
  });

  test('a 10 MB line is truncated for display but intact in the file', async () => {
    const { h, lines } = run([
      PY,
      '-c',
      'import sys; sys.stdout.write("ab" * 5_000_000 + "\\n"); print("after")',
    ]);
    const r = await h.done;
    assert.equal(r.exitCode, 0);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.truncated, true);
    assert.ok(lines[0]!.text.length <= 4096);
    assert.equal(lines[1]!.text, 'after');
    const whole = await h.log.line(1);
    assert.equal(whole?.raw.length, 10_000_000);
    assert.equal(whole?.text.length, 10_000_000);
    const file = readFileSync(r.logFile);
    assert.ok(file.includes(Buffer.from('\tO\t' + 'ab'.repeat(5_000_000) + '\n')));
  });

  test('invalid UTF-8 keeps its bytes in the file and shows replacement characters', async () => {
    const { h, lines } = run([
      PY,
      '-c',
      'import sys; sys.stdout.buffer.write(b"ok \\xff\\xfe bad \\xc3\\n\\x1b[91mFAIL: red\\x1b[0m\\n")',
    ]);
    const r = await h.done;
    assert.equal(lines[0]!.text, 'ok \uFFFD\uFFFD bad \uFFFD');
    assert.equal(lines[1]!.text, 'FAIL: red');
    assert.equal(lines[1]!.level, 'error');
    const file = readFileSync(r.logFile);
    assert.ok(
      file.includes(Buffer.from([0x6f, 0x6b, 0x20, 0xff, 0xfe, 0x20, 0x62, 0x61, 0x64, 0x20, 0xc3, 0x0a])),
    );
    assert.ok(file.includes(Buffer.from('\x1b[91mFAIL: red\x1b[0m\n')), 'escapes kept in the file');
    assert.ok(file.subarray(0, LOG_MAGIC.length).toString() === LOG_MAGIC);
  });

  test('a last line without newline is kept', async () => {
    const { h, lines } = run(['printf', 'one\\ntwo']);
    await h.done;
    assert.deepEqual(
      lines.map((l) => l.text),
      ['one', 'two'],
    );
  });
});

describe('runner: peak memory', () => {
  const MiB = 1024 * 1024;
  // `b'x' * n` writes every byte, so the pages are really resident (a zeroed bytearray may not be).
  const spike = (mib: number, holdS: number) =>
    `import time\nb = b"x" * (${mib} << 20)\ndel b\ntime.sleep(${holdS})`;

  test('a 200 MB spike freed before the next sample still counts (the process high-water mark)', async () => {
    // Allocated and freed within ~0.1 s, long before the 200 ms sample: summed VmRSS alone would see ~10 MB.
    const { h } = run([PY, '-c', spike(200, 0.5)]);
    const r = await h.done;
    assert.equal(r.exitCode, 0);
    assert.ok((r.peakRssBytes ?? 0) >= 200 * MiB, `peak ${r.peakRssBytes}`);
  });

  test('memory of processes running side by side adds up', async () => {
    const one = `${PY} -c 'import time; b = b"x" * (100 << 20); time.sleep(1.5)'`;
    const { h } = run(['sh', '-c', `${one} & ${one} & wait`]);
    const r = await h.done;
    assert.equal(r.exitCode, 0);
    // Each process alone peaks at ~100 MB: only the sum over the group reaches 200 MB.
    assert.ok((r.peakRssBytes ?? 0) >= 200 * MiB, `peak ${r.peakRssBytes}`);
  });

  test('a run that ended before it could be sampled reports unknown (null), not 0', async () => {
    const r = await run(['true']).h.done;
    assert.equal(r.exitCode, 0);
    assert.equal(r.peakRssBytes, null);
    const failed = await run(['no-such-binary-xyz']).h.done;
    assert.equal(failed.peakRssBytes, null);
  });
});

describe('runner: PyTorch example under numactl', () => {
  test('bench.py bound to CPU 1: results parsed, affinity proven', async (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, hasTorch, `PyTorch for ${PY}`)) return;
    const texts: string[] = [];
    const h = startRun({
      argv: ['numactl', '--physcpubind=1', PY, BENCH, '-m', 'cnn', '--num_runs', '20'],
      env: { AIO_NUM_THREADS: '1', OMP_NUM_THREADS: '1' },
      logFile: join(dir, 'bench.log'),
      timeoutMs: 120_000,
    });
    h.events.on('lines', (b) => texts.push(...b.map((l) => l.text)));
    // numactl execs the workload, so the python process is found in the run's group (here: the leader).
    const py = await waitFor(() =>
      h.pid === null ? null : groupMembers(h.pid).find((p) => /python/.test(p.comm)),
    );
    const aff = await waitFor(() => {
      const a = processAffinity(py.pid);
      return a && a.threads.length > 0 ? a : null;
    });
    assert.deepEqual(aff.allowed, [1]);
    assert.deepEqual(aff.lastCpus, [1]);
    const r = await h.done;
    assert.equal(r.exitCode, 0, texts.join('\n'));
    assert.ok((r.peakRssBytes ?? 0) > 20 * 1024 * 1024, `peak RSS ${r.peakRssBytes}`);
    const m = parseResults(texts);
    assert.equal(m.format, 'aml');
    assert.equal(m.passes, 20);
    assert.equal(m.warmups, 9);
    for (const k of ['mean', 'median', 'p90', 'p99', 'p99.9'] as const)
      assert.ok((m.latencyMs[k] ?? 0) > 0, k);
    assert.equal(m.throughput?.unit, 'samples/s');
    assert.ok(texts.some((l) => /engine: (detected|not detected)/.test(l)));
  });

  test('bench.py refuses mismatched thread variables like AML', async () => {
    const { h, lines } = run([PY, BENCH, '--num_runs', '1'], {
      env: { AIO_NUM_THREADS: '2', OMP_NUM_THREADS: '1' },
    });
    const r = await h.done;
    assert.equal(r.exitCode, 1);
    const m = parseResults(lines.map((l) => l.text));
    assert.match(m.failures[0] ?? '', /inconsistent/);
  });

  test('bench.py refuses when no thread variable is set', async () => {
    const { h, lines } = run([PY, BENCH], { unset: ['AIO_NUM_THREADS', 'OMP_NUM_THREADS'] });
    const r = await h.done;
    assert.equal(r.exitCode, 1);
    assert.ok(lines.some((l) => l.level === 'error' && /not set/.test(l.text)));
  });

  test('two instances with RESULTS_DIR: per-instance stats and overlap throughput', async (t) => {
    if (!need(t, hasTorch, `PyTorch for ${PY}`)) return;
    const rdir = mkdtempSync(join(dir, 'results-'));
    const env = { AIO_NUM_THREADS: '1', OMP_NUM_THREADS: '1', RESULTS_DIR: rdir };
    const hs = [0, 1].map((i) =>
      startRun({
        argv: [PY, BENCH, '--timeout', '2', '--warmup', '2'],
        env,
        logFile: join(rdir, `i${i}.log`),
      }),
    );
    const rs = await Promise.all(hs.map((h) => h.done));
    for (const r of rs) assert.equal(r.exitCode, 0);
    const res = await readResultsDir(rdir);
    assert.equal(res.instances.length, 2);
    assert.deepEqual(res.skipped, []);
    for (const i of res.instances) {
      assert.ok(i.passes > 0);
      assert.ok((i.latencyMs.mean ?? 0) > 0);
    }
    assert.ok(readdirSync(rdir).some((f) => f.endsWith('.json')));
    if (res.overlap.throughput !== null) {
      assert.ok(res.overlap.passes > 0);
      assert.ok(res.overlap.passes <= res.instances.reduce((a, i) => a + i.passes, 0));
    }
  });
});
