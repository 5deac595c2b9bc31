import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LoadSampler,
  LoadTally,
  ResultsParser,
  loadBetween,
  outsideSelection,
  overlapThroughput,
  parseProcStat,
  parseResults,
  parseResultsFromLog,
  parseStat,
  percentile,
  processAffinity,
  readResultsDir,
} from '../../app/run';
import { logHeader } from '../../app/logs';
import { MAX_STEP_VALUES, OutputResults } from '../../app/run/results';
import { resultSummaryOf, runResultsDir, sampleFindings, userResultsDir } from '../../app/run/summary';

const dir = mkdtempSync(join(tmpdir(), 'aio-results-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The exact report of AML's run.py (docs/reference).
const AML_CURRENT = `
  LATENCY
      mean                 12.35 [ms]
      median               12.00 [ms]
      p90                  13.50 [ms]
      p99                  15.25 [ms]
      p99.9                16.00 [ms]

  THROUGHPUT
      observed           1296.12 [samples/s]
      inverted              0.77 [ms]

  Performance results above are based on 120 pass(es) through the network.
  9 warm-up runs have not been considered.
`;

const AML_LEGACY = `
                               mean  /      median  / 90th-percentile
 Latency           [ms]:      12.34  /       12.00  /       13.50
 Throughput [samples/s]:      81.03  /       83.33  /       74.07
`;

describe('parseResults', () => {
  test('current AML report', () => {
    const m = parseResults(AML_CURRENT.split('\n'));
    assert.deepEqual(m.latencyMs, { mean: 12.35, median: 12, p90: 13.5, p99: 15.25, 'p99.9': 16 });
    assert.deepEqual(m.throughput, { value: 1296.12, unit: 'samples/s' });
    assert.equal(m.invertedMs, 0.77);
    assert.equal(m.passes, 120);
    assert.equal(m.warmups, 9);
    assert.equal(m.format, 'aml');
    assert.deepEqual(m.failures, []);
  });

  test('accuracy block first, ANSI FAIL and CAUTION lines', () => {
    const text = `  ACCURACY\n      top_1_acc = 0.781\n      top_5_acc = 0.93\n${AML_CURRENT}\x1b[91mCAUTION: only 3 passes\x1b[0m\n\x1b[91mFAIL: boom\x1b[0m`;
    const m = parseResults(text.split('\n'));
    assert.deepEqual(m.accuracy, { top_1_acc: 0.781, top_5_acc: 0.93 });
    assert.deepEqual(m.cautions, ['only 3 passes']);
    assert.deepEqual(m.failures, ['boom']);
    assert.equal(m.latencyMs.mean, 12.35);
  });

  test('pre-2023 table', () => {
    const m = parseResults(AML_LEGACY.split('\n'));
    assert.deepEqual(m.latencyMs, { mean: 12.34, median: 12, p90: 13.5, p99: null, 'p99.9': null });
    assert.deepEqual(m.throughput, { value: 81.03, unit: 'samples/s' });
    assert.equal(m.format, 'aml-legacy');
  });

  test('LLM throughput-only report with tokens', () => {
    const m = parseResults([
      '',
      '  THROUGHPUT',
      '      observed             42.70 [tokens/s]',
      '      inverted             23.42 [ms]',
      '',
    ]);
    assert.deepEqual(m.throughput, { value: 42.7, unit: 'tokens/s' });
    assert.equal(m.latencyMs.mean, null);
  });

  test('sub-model sections', () => {
    const text = `  LATENCY - encoder\n      mean   5.00 [ms]\n      median 4.00 [ms]\n\n  LATENCY - decoder\n      mean  20.00 [ms]\n\n  THROUGHPUT - decoder\n      observed 50.00 [samples/s]\n`;
    const m = parseResults(text.split('\n'));
    assert.equal(m.sections?.encoder?.latencyMs.mean, 5);
    assert.equal(m.sections?.encoder?.latencyMs.median, 4);
    assert.equal(m.sections?.decoder?.latencyMs.mean, 20);
    assert.deepEqual(m.sections?.decoder?.throughput, { value: 50, unit: 'samples/s' });
    assert.equal(m.latencyMs.mean, 5, 'first section is the headline when there is no main block');
  });

  test('generic lines', () => {
    const g = (lines: string[]) => parseResults(lines);
    assert.equal(g(['latency: 12.3 ms']).latencyMs.mean, 12.3);
    assert.equal(g(['Latency = 12.3ms']).latencyMs.mean, 12.3);
    assert.equal(g(['avg latency: 0.5 s']).latencyMs.mean, 500);
    assert.equal(g([' Latency: 12 ms']).latencyMs.mean, 12);
    for (const unit of ['samples/s', 'ips', 'fps', 'tokens/s', 'it/s']) {
      assert.deepEqual(g([`throughput: 45 ${unit}`]).throughput, { value: 45, unit }, unit);
    }
    assert.deepEqual(g([' Throughput: 81.00 ips']).throughput, { value: 81, unit: 'ips' });
    assert.equal(g(['latency: 12.3 ms']).format, 'generic');
    assert.equal(g(['nothing here']).format, 'none');
  });

  test('structured results are not overridden by later generic lines', () => {
    const m = parseResults([...AML_CURRENT.split('\n'), 'latency: 99 ms', 'throughput: 1 ips']);
    assert.equal(m.latencyMs.mean, 12.35);
    assert.equal(m.throughput?.value, 1296.12);
  });

  test('incremental feed gives the same answer', () => {
    const p = new ResultsParser();
    for (const l of AML_CURRENT.split('\n')) p.feed(l);
    assert.deepEqual(p.result(), parseResults(AML_CURRENT.split('\n')));
  });

  test('from a log file (tuner format and plain)', async () => {
    const tuner = join(dir, 'run.log');
    writeFileSync(
      tuner,
      logHeader() +
        AML_CURRENT.split('\n')
          .map((l, i) => `${i}\tO\t${l}\n`)
          .join(''),
    );
    assert.equal((await parseResultsFromLog(tuner)).latencyMs.p99, 15.25);
    const plain = join(dir, 'plain.log');
    writeFileSync(plain, AML_LEGACY);
    assert.equal((await parseResultsFromLog(plain)).latencyMs.p90, 13.5);
  });
});

/** `step i latency: X ms` lines: 10 passes of 3.0 … 3.9 ms (mean 3.45, median 3.45, p90 3.81, p99 3.891). */
const STEPS = Array.from({ length: 10 }, (_, i) => `step ${i + 1} latency: ${(3 + i / 10).toFixed(1)} ms`);
const close = (got: number | null | undefined, want: number, what: string) =>
  assert.ok(got != null && Math.abs(got - want) < 1e-9, `${what}: got ${got}, want ${want}`);

describe('per-step lines and a closing summary', () => {
  test('per-step lines then a mean line: the summary is the mean, the steps give the distribution', () => {
    const m = parseResults([...STEPS, 'mean latency: 3.02 ms']);
    assert.equal(m.format, 'generic');
    assert.equal(m.latencyMs.mean, 3.02, 'the printed summary, not the first step (3.0) nor the average');
    close(m.latencyMs.median, 3.45, 'median of the steps');
    close(m.latencyMs.p90, 3.81, 'p90 of the steps');
    close(m.latencyMs.p99, 3.891, 'p99 of the steps');
    assert.deepEqual(Array.from(m.steps!.latencyMs), [3, 3.1, 3.2, 3.3, 3.4, 3.5, 3.6, 3.7, 3.8, 3.9]);
    assert.equal(m.steps!.dropped, 0);
  });

  test('Average / p90 summary lines: each sets its statistic, the last of each wins', () => {
    const m = parseResults([
      ...STEPS.map((l, i) => `${l} (running avg latency: ${i})`),
      'Average latency: 3.1 ms',
      'p90 latency = 3.7ms',
      'Median latency: 3.4 ms',
    ]);
    assert.equal(m.format, 'generic');
    assert.deepEqual([m.latencyMs.mean, m.latencyMs.median, m.latencyMs.p90], [3.1, 3.4, 3.7]);
    close(m.latencyMs.p99, 3.891, 'p99, which the summary lacks, from the steps');
    assert.equal(m.steps!.latencyMs.length, 10);
  });

  test('a plain line after the series ends, seen once, closes it: it is the mean', () => {
    const m = parseResults(['warm-up latency: 50 ms', ...STEPS, 'done', 'latency: 3.3 ms']);
    assert.equal(m.latencyMs.mean, 3.3);
    assert.equal(m.steps!.latencyMs.length, 10, 'the warm-up line is not a step of the series');
    assert.equal(m.format, 'generic');
  });

  test('per-step lines only: every statistic computed from them', () => {
    const m = parseResults(['warm-up latency: 50 ms', ...STEPS]);
    assert.equal(m.format, 'generic-steps');
    close(m.latencyMs.mean, 3.45, 'mean (the warm-up line before the series is not the mean)');
    close(m.latencyMs.median, 3.45, 'median');
    close(m.latencyMs.p90, 3.81, 'p90');
    close(m.latencyMs.p99, 3.891, 'p99');
    close(m.latencyMs['p99.9'], 3.8991, 'p99.9');
  });

  test('summary only: no samples, the numbers as printed', () => {
    const m = parseResults(['mean latency: 4 ms', 'p99 latency: 9 ms']);
    assert.deepEqual(m.latencyMs, { mean: 4, median: null, p90: null, p99: 9, 'p99.9': null });
    assert.equal(m.steps, undefined);
    assert.equal(m.format, 'generic');
    // Lines of different shapes, each seen once, are no series: the first is the result, as it always was.
    const two = parseResults(['encoder latency: 5 ms', 'decoder latency: 7 ms']);
    assert.equal(two.latencyMs.mean, 5);
    assert.equal(two.steps, undefined);
  });

  test('an AML report closes the steps: its numbers are the result, the steps its samples', () => {
    const m = parseResults([...STEPS, ...AML_CURRENT.split('\n'), 'step 11 latency: 99 ms']);
    assert.equal(m.format, 'aml');
    assert.deepEqual(m.latencyMs, { mean: 12.35, median: 12, p90: 13.5, p99: 15.25, 'p99.9': 16 });
    assert.equal(m.steps!.latencyMs.length, 10, 'steps after the report are not read');
    const legacy = parseResults([...STEPS, ...AML_LEGACY.split('\n')]);
    assert.equal(legacy.format, 'aml-legacy');
    assert.equal(legacy.latencyMs.mean, 12.34);
    close(legacy.latencyMs.p99, 3.891, 'p99, which the legacy table lacks, from the steps');
  });

  test('per-step throughput: samples, the mean when no summary, the summary when there is one', () => {
    const thr = Array.from({ length: 4 }, (_, i) => `step ${i} throughput: ${100 + i * 10} ips`);
    const only = parseResults(thr);
    assert.equal(only.format, 'generic-steps');
    assert.deepEqual(only.throughput, { value: 115, unit: 'ips' });
    assert.deepEqual(Array.from(only.steps!.throughput), [100, 110, 120, 130]);
    assert.equal(only.steps!.throughputUnit, 'ips');
    const summarized = parseResults([...thr, 'mean throughput: 111 ips']);
    assert.deepEqual(summarized.throughput, { value: 111, unit: 'ips' });
    assert.equal(summarized.format, 'generic');
  });

  test('one step line with both latency and throughput; a statistic counts in its own clause only', () => {
    const lines = [1, 2, 3].map((i) => `iteration ${i}, latency: ${i} ms, throughput: ${100 * i} ips`);
    const m = parseResults([...lines, 'p90 latency: 2.9 ms, throughput: 250 ips']);
    assert.deepEqual(Array.from(m.steps!.latencyMs), [1, 2, 3]);
    assert.deepEqual(Array.from(m.steps!.throughput), [100, 200, 300]);
    assert.equal(m.latencyMs.p90, 2.9, 'p90 names the latency clause');
    assert.deepEqual(m.throughput, { value: 250, unit: 'ips' }, 'the closing throughput, not a p90 of it');
  });

  test('JSON of the metrics holds the counts, not the values (bundles write them whole)', () => {
    const m = parseResults([...STEPS, 'mean latency: 3 ms']);
    assert.deepEqual(JSON.parse(JSON.stringify(m)).steps, { latency: 10, throughput: 0, dropped: 0 });
  });

  test('from raw output chunks: the same steps and summary as line by line (the fast path reads every step)', () => {
    const text = [
      'noise latency 9 ms',
      ...STEPS,
      'unrelated: 5',
      ...STEPS,
      'Average latency: 3.2 ms',
      '',
    ].join('\n');
    const want = parseResults(text.split('\n'));
    assert.equal(want.steps!.latencyMs.length, 20);
    const bytes = Buffer.from(text);
    for (const size of [1, 3, 17, bytes.length]) {
      const o = new OutputResults();
      for (let i = 0; i < bytes.length; i += size) o.push('stdout', bytes.subarray(i, i + size));
      const got = o.result();
      assert.deepEqual(got, want, `chunks of ${size}`);
      assert.deepEqual(Array.from(got.steps!.latencyMs), Array.from(want.steps!.latencyMs));
    }
  });

  test(`at most ${MAX_STEP_VALUES} steps are kept, in order; the rest are counted`, () => {
    const p = new ResultsParser();
    for (let i = 0; i < MAX_STEP_VALUES + 3; i++) p.feed(`step ${i} latency: ${i % 7} ms`);
    const m = p.result();
    assert.equal(m.steps!.latencyMs.length, MAX_STEP_VALUES);
    assert.equal(m.steps!.dropped, 3);
    assert.equal(m.steps!.latencyMs[MAX_STEP_VALUES - 1], (MAX_STEP_VALUES - 1) % 7);
    const r = resultSummaryOf(m)!;
    assert.equal(r.samples, MAX_STEP_VALUES);
    assert.equal(r.samplesDropped, 3);
  });
});

describe('result summary (run.json, run --json)', () => {
  test('source, samples and the statistics of the per-pass values', () => {
    // 1..5 ms: t.test(1:5)$conf.int = 1.036757 4.963243; sd sqrt(2.5), CV sqrt(2.5)/3.
    const lines = [1, 2, 3, 4, 5].map((v, i) => `step ${i} latency: ${v} ms`);
    const r = resultSummaryOf(parseResults([...lines, 'mean latency: 3.1 ms']))!;
    assert.equal(r.source, 'generic');
    assert.equal(r.samples, 5);
    assert.equal(r.samplesFrom, 'output');
    assert.equal(r.latencyMs!.mean, 3.1);
    const st = r.latencyStats!;
    assert.equal(st.meanMs, 3, 'the statistics are those of the samples');
    assert.equal(st.medianMs, 3);
    close(st.p90Ms, 4.6, 'p90');
    close(st.ci95Ms![0], 1.0367568385, 'CI low');
    close(st.ci95Ms![1], 4.9632431615, 'CI high');
    close(st.cv, Math.sqrt(2.5) / 3, 'cv');
    assert.equal(r.throughputStats, null);
  });

  test('summary only: samples 0, no statistics; nothing printed: null', () => {
    const r = resultSummaryOf(parseResults(AML_CURRENT.split('\n')))!;
    assert.equal(r.source, 'aml');
    assert.equal(r.samples, 0);
    assert.equal(r.latencyStats, null);
    assert.equal(r.samplesFrom, undefined);
    assert.equal(resultSummaryOf(parseResults(['hello'])), null);
  });

  test('throughput steps: throughputStats with unit, CI and CV', () => {
    const r = resultSummaryOf(parseResults([100, 110, 120, 130].map((v) => `throughput: ${v} ips (step)`)))!;
    assert.equal(r.source, 'generic-steps');
    assert.equal(r.samples, 4);
    assert.equal(r.throughputStats!.value, 115);
    assert.equal(r.throughputStats!.unit, 'ips');
    assert.ok(r.throughputStats!.ci95![0] < 115 && r.throughputStats!.ci95![1] > 115);
  });

  test('findings from the samples: too few, noisy, warm-up inside the window', () => {
    const noisy = [
      ...Array.from({ length: 5 }, () => 40),
      ...Array.from({ length: 95 }, (_, i) => 10 + (i % 3)),
    ];
    const codes = sampleFindings(parseResults(noisy.map((v, i) => `step ${i} latency: ${v} ms`)))
      .map((f) => f.code)
      .sort();
    assert.deepEqual(codes, ['noisy', 'too-few-samples', 'warmup-in-window']);
    assert.deepEqual(sampleFindings(parseResults(AML_CURRENT.split('\n'))), [], 'no samples, no findings');
  });

  test("the user's RESULTS_DIR: set, inherited, unset, relative to the run's directory", () => {
    assert.equal(userResultsDir({ RESULTS_DIR: '/r' }, [], '/w', {}), '/r');
    assert.equal(userResultsDir({ RESULTS_DIR: 'out' }, [], '/w', {}), '/w/out');
    assert.equal(userResultsDir({}, [], '/w', { RESULTS_DIR: '/inherited' }), '/inherited');
    assert.equal(userResultsDir({}, ['RESULTS_DIR'], '/w', { RESULTS_DIR: '/inherited' }), null);
    assert.equal(userResultsDir({}, [], '/w', {}), null);
  });

  test("RESULTS_DIR dumps: the run's own file, exact pass times as samples, older files left out", async () => {
    const rd = join(dir, 'user-rd');
    mkdirSync(rd);
    const dump = (ms: number[], t0 = 1000) => {
      const d = { start_times: [] as number[], finish_times: [] as number[], workload_size: [] as number[] };
      let t = t0;
      for (const x of ms) {
        d.start_times.push(t);
        d.finish_times.push(t + x / 1000);
        d.workload_size.push(2);
        t += x / 1000;
      }
      return JSON.stringify(d);
    };
    writeFileSync(join(rd, '500.json'), dump([10, 20, 30, 40]));
    writeFileSync(join(rd, '600.json'), dump([99, 99]));
    const started = Date.now();
    const own = await runResultsDir(rd, started, 500);
    assert.deepEqual(
      own!.dir.instances.map((i) => i.pid),
      [500],
      "several instances share a folder: only the run pid's file",
    );
    const r = resultSummaryOf(parseResults(AML_CURRENT.split('\n')), own)!;
    assert.equal(r.source, 'aml', "the output's format stays the source");
    assert.equal(r.samplesFrom, 'results-dir');
    assert.equal(r.samples, 4);
    close(r.latencyStats!.meanMs, 25, 'mean of the dumped passes');
    assert.equal(r.latencyMs!.mean, 12.35, 'the printed summary is the result');
    close(r.throughputStats!.value, (200 + 100 + 2000 / 30 + 50) / 4, 'samples/s of each pass, averaged');
    assert.equal(r.throughputStats!.unit, 'samples/s');
    // No file of the run's pid: every fresh file; nothing printed: the dumps are the result.
    const all = await runResultsDir(rd, started, 1);
    assert.equal(all!.dir.instances.length, 2);
    const only = resultSummaryOf(parseResults([]), own)!;
    assert.equal(only.source, 'results-dir');
    close(only.latencyMs!.mean, 25, 'mean from the dumps');
    close(only.throughput!.value, 8 / 0.1, "the instance's samples over its span");
    // Files older than the run are an earlier run's.
    assert.equal(await runResultsDir(rd, Date.now() + 60_000, 500), null);
    assert.equal(await runResultsDir(join(dir, 'missing'), started, 500), null);
  });
});

describe('RESULTS_DIR', () => {
  test('percentile matches numpy linear interpolation', () => {
    assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90), 9.1);
    assert.equal(percentile([], 50), null);
  });

  test('readResultsDir: stats per instance, meta files ignored, broken files reported', async () => {
    const rd = join(dir, 'rd');
    mkdirSync(rd);
    // Instance A: passes of 10 ms back to back from t=100.000 s; B starts 0.05 s later, 20 ms passes.
    const a = { start_times: [] as number[], finish_times: [] as number[], workload_size: [] as number[] };
    for (let i = 0; i < 20; i++) {
      a.start_times.push(100 + i * 0.01);
      a.finish_times.push(100 + (i + 1) * 0.01);
      a.workload_size.push(4);
    }
    const b = { start_times: [] as number[], finish_times: [] as number[], workload_size: [] as number[] };
    for (let i = 0; i < 5; i++) {
      b.start_times.push(100.05 + i * 0.02);
      b.finish_times.push(100.05 + (i + 1) * 0.02);
      b.workload_size.push(1);
    }
    writeFileSync(join(rd, '111.json'), JSON.stringify(a));
    writeFileSync(join(rd, '222.json'), JSON.stringify(b));
    writeFileSync(join(rd, 'meta_111.json'), JSON.stringify({ batch_size: 4 }));
    writeFileSync(join(rd, '333.json'), '{"start_times": [1, 2');
    const res = await readResultsDir(rd);
    assert.deepEqual(
      res.instances.map((i) => i.pid),
      [111, 222],
    );
    const ia = res.instances[0]!;
    assert.equal(ia.passes, 20);
    assert.equal(ia.samples, 80);
    assert.ok(Math.abs(ia.latencyMs.mean! - 10) < 1e-6);
    assert.ok(Math.abs(ia.throughput! - 400) < 1e-6);
    assert.equal(res.skipped.length, 1);
    assert.match(res.skipped[0]!.file, /333\.json$/);
    // Window = [100.05, 100.15]: A contributes passes 5..14 (10 × 4 samples), B all 5 passes.
    assert.ok(Math.abs(res.overlap.windowStart! - 100.05) < 1e-9);
    assert.ok(Math.abs(res.overlap.windowEnd! - 100.15) < 1e-9);
    assert.equal(res.overlap.passes, 15);
    assert.equal(res.overlap.samples, 45);
    assert.ok(Math.abs(res.overlap.throughput! - 450) < 1e-6);
  });

  test('overlapThroughput: no overlap, empty instance', () => {
    const a = { start_times: [0], finish_times: [1], workload_size: [1] };
    const b = { start_times: [2], finish_times: [3], workload_size: [1] };
    assert.equal(overlapThroughput([a, b]).throughput, null);
    assert.equal(
      overlapThroughput([a, { start_times: [], finish_times: [], workload_size: [] }]).throughput,
      null,
    );
    assert.equal(overlapThroughput([]).throughput, null);
  });
});

describe('LoadSampler', () => {
  const fake = join(dir, 'fakeroot');
  mkdirSync(join(fake, 'proc'), { recursive: true });
  // CPU 1 is offline (absent); ids 0, 2, 3 are real ids.
  const stat = (c0: number[], c2: number[], c3: number[]): string =>
    `cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 ${c0.join(' ')} 0 0\ncpu2 ${c2.join(' ')} 0 0\ncpu3 ${c3.join(' ')} 0 0\nintr 1\n`;

  test('busy fraction per real CPU id, offline CPUs absent', () => {
    writeFileSync(
      join(fake, 'proc/stat'),
      stat([0, 0, 0, 100, 0, 0, 0, 0], [0, 0, 0, 100, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]),
    );
    const s = new LoadSampler({ root: fake });
    assert.deepEqual(s.sample(), []);
    writeFileSync(
      join(fake, 'proc/stat'),
      stat([90, 0, 10, 100, 0, 0, 0, 0], [10, 0, 0, 190, 0, 0, 0, 0], [30, 0, 10, 40, 20, 0, 0, 0]),
    );
    const load = s.sample();
    assert.deepEqual(load, [
      { cpu: 0, busy: 1 },
      { cpu: 2, busy: 0.1 },
      { cpu: 3, busy: 0.4 },
    ]);
    assert.deepEqual(outsideSelection(load, [2]), [{ cpu: 0, busy: 1 }]);
    assert.deepEqual(outsideSelection(load, [2], 0.3), [
      { cpu: 0, busy: 1 },
      { cpu: 3, busy: 0.4 },
    ]);
  });

  test('periodic sampling of the real /proc/stat', async () => {
    const s = new LoadSampler({ intervalMs: 50 });
    // The sampler's timer is unref'd (it must never keep a CLI alive); hold the loop open meanwhile.
    const keepAlive = setTimeout(() => {}, 5000);
    const got = await new Promise<ReturnType<typeof loadBetween>>((res) => s.start(res));
    s.stop();
    clearTimeout(keepAlive);
    const ids = [...parseProcStat(readFileSync('/proc/stat', 'utf8')).keys()];
    assert.deepEqual(
      got.map((g) => g.cpu),
      ids.sort((x, y) => x - y),
    );
    for (const g of got) assert.ok(g.busy >= 0 && g.busy <= 1);
  });

  test('sampleNow reads between ticks (null before the baseline)', () => {
    const s = new LoadSampler();
    assert.equal(s.sampleNow(), null);
    s.sample();
    const now = s.sampleNow();
    assert.ok(now && now.length > 0);
    assert.equal(new LoadSampler({ root: '/nonexistent-root' }).sampleNow(), null);
  });

  test("a run's load tally: time-weighted mean, peak of any tick", () => {
    const t = new LoadTally();
    assert.equal(t.summary(), null, 'no sample, no summary');
    t.add(
      [
        { cpu: 4, busy: 1 },
        { cpu: 0, busy: 0 },
      ],
      400,
    );
    t.add(
      [
        { cpu: 4, busy: 1 },
        { cpu: 0, busy: 0.2 },
      ],
      400,
    );
    // The closing sample at exit covers only 100 ms: it weighs a quarter of a tick.
    t.add(
      [
        { cpu: 4, busy: 0 },
        { cpu: 0, busy: 0.9 },
      ],
      100,
    );
    assert.deepEqual(t.summary(), [
      { cpu: 0, mean: 0.189, peak: 0.9 },
      { cpu: 4, mean: 0.889, peak: 1 },
    ]);
    const zero = new LoadTally();
    zero.add([{ cpu: 1, busy: 0.7 }], 0);
    assert.deepEqual(zero.summary(), [{ cpu: 1, mean: 0.7, peak: 0.7 }], 'a zero-length span still shows');
  });
});

describe('affinity', () => {
  test('parseStat copes with spaces and parentheses in comm', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[36] = '7';
    const st = parseStat(`123 (weird) name (x)) ${fields.join(' ')}`);
    assert.equal(st?.comm, 'weird) name (x)');
    assert.equal(st?.state, 'S');
    assert.equal(st?.processor, 7);
    assert.equal(st?.pgrp, 5);
  });

  test('processAffinity of this process', () => {
    const a = processAffinity(process.pid)!;
    const allowedLine = /^Cpus_allowed_list:\s*(.*)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]!;
    assert.ok(a.allowed.length > 0, allowedLine);
    assert.ok(a.threads.length >= 1);
    for (const c of a.lastCpus) assert.ok(a.allowed.includes(c));
    assert.equal(processAffinity(2 ** 22 + 12345), null);
  });
});
