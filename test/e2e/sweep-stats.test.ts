// Numbers a user can act on (issue 12), through the built CLI with real runs: statistics per configuration,
// significance before a recommendation, ties, engine-absent, the CSV's statistics columns, and --resume.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { need } from '../helpers/require';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'aio-sweep-stats-'));
const home = join(dir, 'home');
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A printer whose passes really take SLEEP_MS: 40 timed passes, dumped to RESULTS_DIR as AML does
 * (<pid>.json with start_times/finish_times/workload_size), then AML's summary lines.
 */
const SLEEPER = [
  '/usr/bin/python3',
  '-c',
  [
    'import os, time, json',
    "ms = float(os.environ['SLEEP_MS']); d = os.environ.get('RESULTS_DIR'); st = []; ft = []",
    'for i in range(40):',
    '    s = time.time(); time.sleep(ms / 1000); st.append(s); ft.append(time.time())',
    'if d:',
    "    json.dump({'start_times': st, 'finish_times': ft, 'workload_size': [1] * 40}, open(os.path.join(d, '%d.json' % os.getpid()), 'w'))",
    "print('  LATENCY'); print('      mean   %.3f [ms]' % (sum(f - s for s, f in zip(st, ft)) / 40 * 1000))",
    "print('  THROUGHPUT'); print('      observed   %.2f [samples/s]' % (40 / (ft[-1] - st[0])))",
  ].join('\n'),
];

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home, ...env },
    timeout: 240_000,
  });
}

interface Card {
  config: number;
  variant: string;
  threads: number;
  significant: boolean;
  tiedWith: number[];
}
interface Out {
  sweepId: string;
  state: string;
  rows: { i: number; variant: string; threads: number; repeat: number; samples?: { n: number } | null }[];
  configs: {
    threads: number;
    variant: string;
    basis: string;
    runs: number;
    runIds: string[];
    latencyStats: {
      meanMs: number;
      medianMs: number;
      p90Ms: number;
      ci95Ms: [number, number] | null;
      cv: number;
    };
    throughputStats: { value: number; unit: string; ci95: [number, number] | null; cv: number };
  }[];
  best: { latency: Card; throughput: Card; perCore: Card };
  findings: { code: string; severity: string; message: string }[];
  engine: { present: boolean } | null;
}

describe('sweep statistics and recommendations', () => {
  test('Done when: fp32 and off on a PyTorch without the Ampere engine are tied, with engine-absent', (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, hasTorch, '/usr/bin/python3 with torch')) return;
    const r = cli([
      'sweep',
      '--cores',
      '0-1',
      '--threads',
      '1,2',
      '--variants',
      'fp32,off',
      '--repeat',
      '3',
      '--json',
      '--',
      '/usr/bin/python3',
      'examples/bench.py',
      '--num_runs',
      '40',
      '--warmup',
      '2',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Out;
    assert.equal(out.rows.length, 12);
    assert.equal(out.engine?.present, false);
    const absent = out.findings.find((f) => f.code === 'engine-absent');
    assert.ok(absent, JSON.stringify(out.findings));
    assert.equal(absent.severity, 'warning');
    assert.match(absent.message, /fp32, off ran the same program/);
    assert.equal(out.configs.length, 4);
    for (const c of out.configs) {
      assert.equal(c.basis, 'repeats');
      assert.equal(c.runs, 3);
      assert.ok(
        c.latencyStats.ci95Ms![0] <= c.latencyStats.meanMs &&
          c.latencyStats.meanMs <= c.latencyStats.ci95Ms![1],
      );
    }
    // Every row has its per-pass samples (bench.py writes RESULTS_DIR dumps): 40 measured passes.
    assert.ok(out.rows.every((x) => x.samples?.n === 40));
    // No card claims off beats fp32: for each thread count, the two variants are tied.
    for (const card of [out.best.latency, out.best.throughput, out.best.perCore]) {
      const c = out.configs[card.config]!;
      const other = out.configs.findIndex((x) => x.threads === c.threads && x.variant !== c.variant);
      assert.ok(card.tiedWith.includes(other), `${JSON.stringify(card)} tied with config ${other}`);
      assert.equal(card.significant, false);
      assert.equal(c.variant, 'fp32', 'a tie names the first of its group in plan order (fp32 before off)');
    }
  });

  test('two settings that really differ (10 vs 20 ms passes): the faster one is significant; CSV has the intervals', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const csv = join(dir, 'stats.csv');
    const r = cli([
      'sweep',
      '--threads',
      '1',
      '--variants',
      'slow,fast',
      '--variant',
      'slow:SLEEP_MS=20',
      '--variant',
      'fast:SLEEP_MS=10',
      '--json',
      '--csv',
      csv,
      '--',
      ...SLEEPER,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Out;
    assert.deepEqual(
      out.configs.map((c) => `${c.variant}/${c.basis}`),
      ['slow/samples', 'fast/samples'],
    );
    const [slow, fast] = out.configs as [Out['configs'][0], Out['configs'][0]];
    assert.ok(
      fast.latencyStats.meanMs > 9.5 && fast.latencyStats.meanMs < 15,
      String(fast.latencyStats.meanMs),
    );
    assert.ok(slow.latencyStats.meanMs > 19.5, String(slow.latencyStats.meanMs));
    assert.ok(fast.latencyStats.ci95Ms![1] < slow.latencyStats.ci95Ms![0], 'the intervals do not overlap');
    assert.ok(fast.latencyStats.p90Ms >= fast.latencyStats.medianMs);
    for (const card of [out.best.latency, out.best.throughput, out.best.perCore]) {
      assert.equal(card.variant, 'fast');
      assert.equal(card.config, 1);
      assert.equal(card.significant, true);
      assert.deepEqual(card.tiedWith, []);
    }
    // 40 passes, well under 10 s of measurement: the numbers say they rest on little.
    assert.ok(out.findings.some((f) => f.code === 'too-few-samples'));
    assert.ok(!out.findings.some((f) => f.code === 'tied'));

    const lines = readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    const head = lines[0]!.split(',');
    // The statistics columns, then the four LLM metric columns of issue 17.
    assert.deepEqual(head.slice(-10, -4), [
      'latencyCi95LoMs',
      'latencyCi95HiMs',
      'latencyCv',
      'throughputCi95Lo',
      'throughputCi95Hi',
      'throughputCv',
    ]);
    const cells = lines[2]!.split(',').slice(-10, -4).map(Number);
    assert.ok(Math.abs(cells[0]! - fast.latencyStats.ci95Ms![0]) < 1e-9);
    assert.ok(Math.abs(cells[1]! - fast.latencyStats.ci95Ms![1]) < 1e-9);
    assert.ok(Math.abs(cells[2]! - fast.latencyStats.cv) < 1e-9);
    assert.ok(cells[3]! < fast.throughputStats.value && fast.throughputStats.value < cells[4]!);

    // The human output says it once for the three cards.
    const plain = cli([
      'sweep',
      '--threads',
      '1',
      '--variants',
      'slow,fast',
      '--variant',
      'slow:SLEEP_MS=20',
      '--variant',
      'fast:SLEEP_MS=10',
      '--',
      ...SLEEPER,
    ]);
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /^Lowest latency, highest throughput and best per core: .*variant=fast → /m);
    assert.doesNotMatch(plain.stdout, /tied with/);
  });

  test('--min-difference: a 2× difference (50 % of the larger value) under 60 % is a tie, said on the card', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const r = cli([
      'sweep',
      '--threads',
      '1',
      '--variants',
      'slow,fast',
      '--variant',
      'slow:SLEEP_MS=20',
      '--variant',
      'fast:SLEEP_MS=10',
      '--min-difference',
      '60',
      '--',
      ...SLEEPER,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Lowest latency, highest throughput and best per core: .*variant=slow → .*\n {2}tied with 1 thread × 1 instance, fast, compact: no significant difference/m,
    );
    assert.match(r.stdout, /^info \(tied\): /m);
    const bad = cli(['sweep', '--min-difference', 'lots', '--', ...SLEEPER]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--min-difference expects a percentage/);
  });

  test('--until-stable: repeats stop once the last two means agree, and the plan shrinks', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const r = cli([
      'sweep',
      '--threads',
      '1',
      '--variants',
      'fast',
      '--variant',
      'fast:SLEEP_MS=10',
      '--until-stable',
      '50',
      '--repeat',
      '5',
      '--json',
      '--',
      ...SLEEPER,
    ]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Out & { planned: number };
    // Two 10 ms repetitions agree within 50 %: the third to fifth are not run.
    assert.equal(out.rows.length, 2);
    assert.equal(out.planned, 2);
    assert.equal(out.configs[0]!.basis, 'repeats');
    assert.match(r.stderr, /sweep done: 2 of 2 row\(s\)/);
  });

  test('--resume: an interrupted sweep continues with only its missing points and ends done', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const args = [
      'sweep',
      '--threads',
      '1',
      '--variants',
      'slow,fast',
      '--variant',
      'slow:SLEEP_MS=20',
      '--variant',
      'fast:SLEEP_MS=10',
      '--repeat',
      '2',
      '--json',
      '--',
      ...SLEEPER,
    ];
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, AIO_TUNER_HOME: home } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (/\[2\/4\] running/.test(err) && !p.killed) p.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => p.on('exit', (c) => resolve(c)));
    assert.equal(code, 130, err);
    const first = JSON.parse(out) as Out;
    assert.equal(first.state, 'cancelled');
    assert.equal(first.rows.length, 1);
    assert.match(err, new RegExp(`resume with: aio-tuner sweep --resume ${first.sweepId}\\n`));

    // Flags that would change the sweep cannot go with --resume.
    const mixed = cli(['sweep', '--resume', first.sweepId, '--threads', '2']);
    assert.equal(mixed.status, 2);
    assert.match(mixed.stderr, /--threads cannot be given with it/);

    const r = cli(['sweep', '--resume', first.sweepId, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /resumed: 1 of 4 row\(s\) already finished/);
    const fin = JSON.parse(r.stdout) as Out & { resumedAt: string[] };
    assert.equal(fin.sweepId, first.sweepId);
    assert.equal(fin.state, 'done');
    assert.equal(fin.resumedAt.length, 1);
    assert.deepEqual(
      fin.rows.map((x) => `${x.i}:${x.variant}#${x.repeat}`),
      ['0:slow#1', '1:fast#1', '2:slow#2', '3:fast#2'],
    );
    // The first row was kept as it was, not run again.
    assert.equal(JSON.stringify(fin.rows[0]), JSON.stringify(first.rows[0]));
    const saved = JSON.parse(readFileSync(join(home, 'sweeps', `${first.sweepId}.json`), 'utf8')) as {
      state: string;
      rows: unknown[];
    };
    assert.equal(saved.state, 'done');
    assert.equal(saved.rows.length, 4);

    const again = cli(['sweep', '--resume', first.sweepId]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /nothing to resume/);
  });
});
