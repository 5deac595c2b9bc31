import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputResults, parseResults, type RunMetrics } from '../../app/run/results';
import { resultSummaryOf } from '../../app/run/summary';

// Real outputs of each runtime, with their origin: test/fixtures/outputs/README.md.
const FIX = join(__dirname, '..', 'fixtures', 'outputs');
const text = (f: string): string => readFileSync(join(FIX, f), 'utf8');
const parse = (f: string): RunMetrics => parseResults(text(f).split('\n'));

/** The same text through the live path: raw bytes in odd-sized chunks, lines skipped while idle. */
function live(s: string, chunk = 37): RunMetrics {
  const o = new OutputResults();
  const b = Buffer.from(s);
  for (let i = 0; i < b.length; i += chunk) o.push('stdout', b.subarray(i, i + chunk));
  return o.result();
}

describe('OpenVINO benchmark_app', () => {
  test('latency median/average/min/max, FPS and the hint, streams and threads it echoed', () => {
    const m = parse('openvino-benchmark_app-2023.3.txt');
    assert.equal(m.format, 'openvino');
    assert.deepEqual(m.latencyMs, {
      mean: 1.85,
      median: 1.85,
      p90: null,
      p99: null,
      'p99.9': null,
      min: 1.17,
      max: 8.69,
    });
    assert.deepEqual(m.throughput, { value: 5898.01, unit: 'FPS' });
    assert.deepEqual(m.runtime, {
      name: 'openvino',
      hint: 'THROUGHPUT',
      nstreams: 12,
      nthreads: 24,
      iterations: 88488,
      durationMs: 15003.02,
    });
    assert.equal(m.steps, undefined, 'its report lines are not generic per-step lines');
    assert.equal(m.llm, undefined);
  });

  test('-latency_percentile and microseconds; untagged lines stay generic', () => {
    const m = parseResults([
      '[ INFO ] Latency:',
      '[ INFO ]    99 percentile:     961.20 us',
      '[ INFO ]    Average:       904.33 us',
      '[ INFO ] Throughput:   484.68 FPS',
    ]);
    assert.equal(m.latencyMs.p99, 0.9612);
    assert.equal(m.latencyMs.mean, 0.90433);
    const g = parseResults(['Latency: 3 ms']);
    assert.equal(g.format, 'generic');
  });
});

describe('onnxruntime_perf_test', () => {
  test('average, percentiles (seconds → ms) and inferences per second', () => {
    const m = parse('onnxruntime_perf_test-cobalt100.txt');
    assert.equal(m.format, 'onnxruntime');
    assert.deepEqual(m.latencyMs, {
      mean: 1.85739,
      median: 1.85674,
      p90: 1.87215,
      p99: 1.90312,
      'p99.9': 1.90312,
      min: 1.83404,
      max: 1.90312,
    });
    assert.deepEqual(m.throughput, { value: 538.184, unit: 'inferences/s' });
    assert.equal(m.runtime?.iterations, 100);
  });

  test("the pre-1.1 wording (`Average time cost`, `P50 Latency is … sec`) and 1.3's, without percentiles", () => {
    const old = parse('onnxruntime_perf_test-issue17313.txt');
    assert.equal(old.format, 'onnxruntime');
    assert.equal(old.latencyMs.mean, 58.8053);
    assert.equal(old.latencyMs.median, 58.7108);
    assert.equal(old.latencyMs.p99, 61.9517);
    assert.equal(old.latencyMs.min, 55.9777);
    assert.equal(old.runtime?.iterations, 1000);
    const acl = parse('onnxruntime_perf_test-acl-issue850.txt');
    assert.equal(acl.latencyMs.mean, 144.871);
    assert.equal(acl.latencyMs.median, null);
    assert.equal(acl.throughput, null, 'no inferences per second before 1.11');
  });

  test('a workload’s own `p99 latency: 9 ms` is not taken for onnxruntime’s', () => {
    const m = parseResults(['mean latency: 4 ms', 'p99 latency: 9 ms']);
    assert.equal(m.format, 'generic');
    assert.equal(m.runtime, undefined);
  });
});

describe('llama-bench', () => {
  const expectPair = (m: RunMetrics, tg: [number, number], pp: [number, number], n: number | null) => {
    assert.equal(m.format, 'llama-bench');
    assert.equal(m.llm!.tokensPerSecond, tg[0]);
    assert.equal(m.llm!.promptTokensPerSecond, pp[0]);
    assert.deepEqual(m.spread, {
      tokensPerSecond: { sd: tg[1], n },
      promptTokensPerSecond: { sd: pp[1], n },
    });
    assert.deepEqual(m.throughput, { value: tg[0], unit: 'tokens/s' });
    assert.equal(m.llm!.ttftMs, null, 'llama-bench prints no time to first token');
    assert.equal(m.llm!.msPerToken, null);
  };

  test('markdown: pp and tg t/s with their ± (a standard deviation)', () => {
    expectPair(parse('llama-bench.md'), [131.42, 0.59], [2368.8, 93.24], null);
  });

  test('markdown with a threads column: every test listed, the first pp and tg are the headline', () => {
    const m = parse('llama-bench-threads.md');
    expectPair(m, [4.05, 0.02], [6.17, 0.07], null);
    const tests = m.runtime!.tests!;
    assert.equal(tests.length, 12);
    assert.deepEqual(tests.at(-1), {
      test: 'tg 16',
      kind: 'tg',
      tokensPerSecond: 16.41,
      sd: 0.79,
      n: null,
      threads: 32,
    });
    assert.equal(m.runtime!.nthreads, 1);
  });

  test('CSV (the documented rows, one value longer than the header, read from their end)', () => {
    const m = parse('llama-bench.csv');
    expectPair(m, [132.052051, 0.371342], [2413.341687, 8.305961], null);
    assert.equal(m.runtime!.nthreads, 16);
  });

  test('JSON and JSONL: avg_ts ± stddev_ts over the samples_ts repetitions', () => {
    for (const f of ['llama-bench.json', 'llama-bench.jsonl']) {
      const m = parse(f);
      expectPair(m, [130.965708, 1.238924], [2410.974041, 11.163766], 5);
      assert.deepEqual(
        m.runtime!.tests!.map((t) => t.test),
        ['pp 512', 'tg 128'],
      );
    }
  });

  test('a newer build’s test names (pp512, tg128) and a table without ±', () => {
    const m = parseResults([
      '| model | size | params | backend | threads | test | t/s |',
      '| --- | ---: | ---: | --- | ---: | ---: | ---: |',
      '| qwen2 1.5B Q4_K - Medium | 1.04 GiB | 1.78 B | CPU | 4 | pp512 | 61.20 ± 0.50 |',
      '| qwen2 1.5B Q4_K - Medium | 1.04 GiB | 1.78 B | CPU | 4 | tg128 | 12.5 |',
    ]);
    assert.equal(m.llm!.promptTokensPerSecond, 61.2);
    assert.equal(m.llm!.tokensPerSecond, 12.5);
    assert.deepEqual(m.spread, { promptTokensPerSecond: { sd: 0.5, n: null } });
  });
});

describe('llama.cpp timing lines', () => {
  test('llama_perf_context_print (llama-cli): tokens/s, prompt tokens/s, ttft and ms per token', () => {
    const m = parse('llama-cli-perf-issue34.txt');
    assert.equal(m.format, 'llama-cpp');
    assert.deepEqual(m.llm, {
      tokensPerSecond: 57.04,
      promptTokensPerSecond: 102,
      ttftMs: 88.24,
      msPerToken: 17.53,
    });
    assert.deepEqual(m.runtime, { name: 'llama-cpp', promptTokens: 9, generatedTokens: 127 });
    assert.deepEqual(m.spread, {}, 'one run: no spread printed, none made up');
  });

  test('llama_print_timings (2023 main) and llama-server’s bare lines', () => {
    const old = parse('llama-main-print-timings-issue2237.txt');
    assert.deepEqual(old.llm, {
      tokensPerSecond: 4.43,
      promptTokensPerSecond: 43.05,
      ttftMs: 6294.68,
      msPerToken: 225.93,
    });
    const server = parse('llama-server-print-timing-issue9013.txt');
    assert.deepEqual(server.llm, {
      tokensPerSecond: 11.94,
      promptTokensPerSecond: 55.73,
      ttftMs: 915.13,
      msPerToken: 83.78,
    });
  });
});

describe('runtime formats and the others', () => {
  test('the live path (raw chunks, idle lines skipped) reads every sample as line by line does', () => {
    for (const f of [
      'openvino-benchmark_app-2023.3.txt',
      'onnxruntime_perf_test-cobalt100.txt',
      'llama-bench.md',
      'llama-bench-threads.md',
      'llama-bench.csv',
      'llama-bench.json',
      'llama-bench.jsonl',
      'llama-cli-perf-issue34.txt',
      'llama-server-print-timing-issue9013.txt',
    ]) {
      const s = text(f);
      const noise = 'loading model\nsome log line 1\nsome other line\n';
      for (const chunk of [7, 64, 4096])
        assert.deepEqual(
          JSON.parse(JSON.stringify(live(noise + s + noise, chunk))),
          JSON.parse(JSON.stringify(parseResults((noise + s + noise).split('\n')))),
          `${f}, chunks of ${chunk}`,
        );
    }
  });

  test('an AML report keeps its numbers; LLM metrics printed beside it are still added', () => {
    const aml = ['LATENCY', '  mean   12.35 [ms]', '  median 12.00 [ms]', ''];
    const m = parseResults([...aml, ...text('llama-cli-perf-issue34.txt').split('\n')]);
    assert.equal(m.format, 'aml');
    assert.equal(m.latencyMs.mean, 12.35);
    assert.equal(m.throughput, null);
    assert.equal(m.llm!.tokensPerSecond, 57.04);
  });

  test('generic lines before a runtime report do not override it', () => {
    const m = parseResults(['latency: 99 ms', ...text('onnxruntime_perf_test-cobalt100.txt').split('\n')]);
    assert.equal(m.format, 'onnxruntime');
    assert.equal(m.latencyMs.mean, 1.85739);
  });

  test('results JSON: the LLM metrics, their spread and the runtime; absent for other formats', () => {
    const r = resultSummaryOf(parse('llama-bench.json'))!;
    assert.equal(r.source, 'llama-bench');
    assert.equal(r.tokensPerSecond, 130.965708);
    assert.equal(r.promptTokensPerSecond, 2410.974041);
    assert.equal(r.ttftMs, null);
    assert.equal(r.msPerToken, null);
    assert.deepEqual(r.spread!.tokensPerSecond, { sd: 1.238924, n: 5 });
    assert.equal(r.runtime!.name, 'llama-bench');
    const ov = resultSummaryOf(parse('openvino-benchmark_app-2023.3.txt'))!;
    assert.equal(ov.source, 'openvino');
    assert.equal(ov.latencyMs!.max, 8.69);
    assert.equal('tokensPerSecond' in ov, false);
    assert.deepEqual(ov.runtime, {
      name: 'openvino',
      hint: 'THROUGHPUT',
      nstreams: 12,
      nthreads: 24,
      iterations: 88488,
      durationMs: 15003.02,
    });
    const generic = resultSummaryOf(parseResults(['latency: 3 ms']))!;
    assert.equal('runtime' in generic, false);
    assert.equal('spread' in generic, false);
  });
});
