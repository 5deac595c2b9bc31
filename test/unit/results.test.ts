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
