// Other runtimes' reports read from a real run (issue 17): a workload prints a real output sample (the
// fixtures of test/fixtures/outputs, origins in its README) and `aio-tuner run --json` gives the numbers;
// a sweep ranks by tokensPerSecond. The built CLI, as scripts use it.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CLI, freshHome } from '../helpers/serve';
import { need } from '../helpers/require';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const FIX = resolve(__dirname, '..', 'fixtures', 'outputs');
const dir = mkdtempSync(join(tmpdir(), 'aio-results-runtimes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], home: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home, ...env },
    timeout: 120_000,
  });
}

/** A workload printing a sample line by line, as the tool would (a short pause between lines). */
const printer = (file: string): string[] => [
  '/usr/bin/python3',
  '-c',
  'import sys,time\nfor l in open(sys.argv[1]):\n    sys.stdout.write(l); sys.stdout.flush(); time.sleep(0.002)',
  join(FIX, file),
];

describe('aio-tuner run --json with other runtimes', () => {
  test('llama-bench JSON: tokens/s and prompt tokens/s with their spread, source llama-bench', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const r = cli(['run', '--cores', '0', '--json', '--', ...printer('llama-bench.json')], freshHome());
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout).results;
    assert.equal(res.source, 'llama-bench');
    assert.equal(res.tokensPerSecond, 130.965708);
    assert.equal(res.promptTokensPerSecond, 2410.974041);
    assert.equal(res.ttftMs, null);
    assert.equal(res.msPerToken, null);
    assert.deepEqual(res.spread, {
      tokensPerSecond: { sd: 1.238924, n: 5 },
      promptTokensPerSecond: { sd: 11.163766, n: 5 },
    });
    assert.deepEqual(res.throughput, { value: 130.965708, unit: 'tokens/s' });
  });

  test('llama-cli timing lines (cat FILE): ttft and ms per token; OpenVINO: hint, streams, threads', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const home = freshHome();
    const llama = cli(
      ['run', '--cores', '0', '--json', '--', 'cat', join(FIX, 'llama-cli-perf-issue34.txt')],
      home,
    );
    assert.equal(llama.status, 0, llama.stderr);
    const l = JSON.parse(llama.stdout).results;
    assert.equal(l.source, 'llama-cpp');
    assert.deepEqual(
      [l.tokensPerSecond, l.promptTokensPerSecond, l.ttftMs, l.msPerToken],
      [57.04, 102, 88.24, 17.53],
    );
    // The history keeps them: the saved run record holds the same results.
    const saved = JSON.parse(
      readFileSync(join(home, 'runs', JSON.parse(llama.stdout).runId as string, 'run.json'), 'utf8'),
    );
    assert.equal(saved.outcome.results.tokensPerSecond, 57.04);
    assert.equal(saved.outcome.results.ttftMs, 88.24);
    const ov = cli(
      ['run', '--cores', '0', '--json', '--', ...printer('openvino-benchmark_app-2023.3.txt')],
      home,
    );
    assert.equal(ov.status, 0, ov.stderr);
    const o = JSON.parse(ov.stdout).results;
    assert.equal(o.source, 'openvino');
    assert.deepEqual(o.latencyMs, {
      mean: 1.85,
      median: 1.85,
      p90: null,
      p99: null,
      'p99.9': null,
      min: 1.17,
      max: 8.69,
    });
    assert.deepEqual(o.throughput, { value: 5898.01, unit: 'FPS' });
    assert.equal(o.runtime.hint, 'THROUGHPUT');
    assert.equal(o.runtime.nstreams, 12);
    assert.equal(o.runtime.nthreads, 24);
  });
});

describe('aio-tuner sweep --metric', () => {
  test('ranks by tokensPerSecond: the thread count that gives the most tokens/s is named, CSV has the column', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    // tokens/s grows with the threads the sweep sets (AIO_NUM_THREADS), while latency lines favour 1 thread:
    // the metric card must follow tokens/s, not latency. A little jitter per process keeps the test meaningful.
    const llama = join(dir, 'llama.sh');
    writeFileSync(
      llama,
      '#!/bin/sh\nT=${AIO_NUM_THREADS:-1}\nJ=$(( $$ % 7 ))\n' +
        'echo "llama_perf_context_print: prompt eval time =      88.24 ms /     9 tokens (    9.80 ms per token,   102.00 tokens per second)"\n' +
        'echo "llama_perf_context_print:        eval time =    2226.40 ms /   127 runs   (   17.53 ms per token,    $((T * 20)).$J tokens per second)"\n',
    );
    chmodSync(llama, 0o755);
    const csv = join(dir, 'rows.csv');
    const home = freshHome();
    const bad = cli(['sweep', '--metric', 'tokens', '--', llama], home);
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /--metric expects one of tokensPerSecond, promptTokensPerSecond, ttftMs, msPerToken/,
    );
    const r = cli(
      [
        'sweep',
        '--cores',
        '0,1',
        '--threads',
        '1,2',
        '--repeat',
        '2',
        '--metric',
        'tokensPerSecond',
        '--json',
        '--csv',
        csv,
        '--',
        llama,
      ],
      home,
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      rows: { threads: number; tokensPerSecond: number }[];
      configs: {
        threads: number;
        basis: string;
        metricStats: { metric: string; value: number; n: number; ci95: number[] | null };
      }[];
      best: {
        metric: { threads: number; metricValue: number; significant: boolean } | null;
        metricName: string;
      };
    };
    assert.equal(out.rows.length, 4);
    for (const row of out.rows)
      assert.ok(Math.abs(row.tokensPerSecond - row.threads * 20) < 1, JSON.stringify(row));
    assert.equal(out.best.metricName, 'tokensPerSecond');
    assert.equal(out.best.metric!.threads, 2);
    assert.ok(out.best.metric!.metricValue > 39);
    const two = out.configs.find((c) => c.threads === 2)!;
    assert.equal(two.basis, 'repeats');
    assert.equal(two.metricStats.metric, 'tokensPerSecond');
    assert.equal(two.metricStats.n, 2, 'the repetitions are the statistics, as for latency');
    const head = readFileSync(csv, 'utf8').split('\r\n')[0]!.split(',');
    assert.deepEqual(head.slice(-4), ['tokensPerSecond', 'promptTokensPerSecond', 'ttftMs', 'msPerToken']);
    // The table and the card, as a person reads them; one run per configuration cannot be tested: tied.
    const text = cli(
      ['sweep', '--cores', '0,1', '--threads', '1,2', '--metric', 'tokensPerSecond', '--', llama],
      home,
    );
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /tokens\/s/);
    assert.match(
      text.stdout,
      /Best tokensPerSecond \(highest\): .*threads=1.* → 2\d\.\d\d tokens\/s \(n=1\)\n {2}tied with 2 threads/,
    );
  });
});
