/** Gates (app/shared/gates.ts, app/cli/gates.ts): what is refused before a run, and how each gate is judged. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateGates,
  gateLine,
  GateError,
  parseGate,
  parseGates,
  runMetric,
  sweepMetric,
  type Gate,
} from '../../app/shared/gates';
import { gatesFromFlags, withGates } from '../../app/cli/gates';
import { UsageError } from '../../app/cli/args';
import type { ResultSummary } from '../../app/shared/run';
import type { ConfigStats, Recommendation, SweepRecord, SweepRow } from '../../app/shared/sweep';

const RESULTS: ResultSummary = {
  latencyMs: { mean: 10, median: 9.5, p90: 11.81, p99: 14, 'p99.9': null },
  throughput: { value: 300, unit: 'samples/s' },
  passes: 120,
  warmups: 2,
  source: 'aml',
  samples: 120,
  latencyStats: { meanMs: 10.1, medianMs: 9.6, p90Ms: 11.9, ci95Ms: [9.9, 10.3], cv: 0.04 },
  throughputStats: null,
};

const judge = (exprs: string[], r: ResultSummary | null, base: ResultSummary | null = null) =>
  evaluateGates(
    parseGates(exprs, base !== null),
    (m) => ({ value: runMetric(r, m) }),
    (m) => runMetric(base, m),
  );

describe('parsing', () => {
  test('metric, operator, a number or baseline*F; spaces ignored', () => {
    assert.deepEqual(parseGate('latency.p90<12'), {
      expr: 'latency.p90<12',
      metric: 'latency.p90',
      op: '<',
      rhs: { kind: 'number', value: 12 },
    });
    assert.deepEqual(parseGate(' throughput >= 2.5e2 ').rhs, { kind: 'number', value: 250 });
    assert.equal(parseGate('latency.p99.9<=30').metric, 'latency.p99.9');
    assert.equal(parseGate('latency.p99.9<=30').op, '<=');
    assert.deepEqual(parseGate('latency.mean<=baseline*1.1').rhs, { kind: 'baseline', factor: 1.1 });
    assert.deepEqual(parseGate('throughput>baseline').rhs, { kind: 'baseline', factor: 1 });
    assert.equal(parseGate('latencyStats.cv<0.05').metric, 'latencyStats.cv');
    assert.equal(parseGate('samples>=30').metric, 'samples');
  });

  test('unknown metrics, bad operators and numbers are refused with the reason', () => {
    const refused = (expr: string, why: RegExp) =>
      assert.throws(
        () => parseGate(expr),
        (e: Error) => e instanceof GateError && why.test(e.message),
        expr,
      );
    refused('latency.p95<12', /unknown metric "latency.p95" \(known: latency.mean, /);
    refused('speed>3', /unknown metric "speed"/);
    refused('latency.p90==12', /operator "==" is not one of <, <=, >, >=/);
    refused('latency.p90=12', /operator "="/);
    refused('latency.p90 12', /expected METRIC<VALUE/);
    refused('latency.p90<', /"" is not a number/);
    refused('latency.p90<12ms', /"12ms" is not a number/);
    refused('latency.p90<baseline*x', /baseline\*F needs a number F > 0, got "x"/);
    refused('latency.p90<baseline*0', /F > 0/);
  });

  test('baseline*F needs --baseline; --baseline needs a gate (usage errors, exit 2)', () => {
    assert.throws(() => parseGates(['latency.mean<baseline*1.5'], false), /add --baseline RUNID/);
    assert.equal(parseGates(['latency.mean<baseline*1.5'], true).length, 1);
    assert.throws(() => gatesFromFlags(['latency.mean<baseline*1.5'], undefined), UsageError);
    assert.throws(
      () => gatesFromFlags(['nope<1'], undefined),
      /^UsageError: --gate: gate "nope<1": unknown metric/,
    );
    assert.throws(() => gatesFromFlags(undefined, 'RUN1'), /--baseline goes with --gate/);
    assert.deepEqual(gatesFromFlags(undefined, undefined), []);
  });
});

describe('evaluation on a run', () => {
  test('each operator, the value read and pass/fail', () => {
    const r = judge(
      [
        'latency.p90<12',
        'latency.p90<11',
        'throughput>250',
        'throughput<=300',
        'latency.mean>=10.5',
        'passes>100',
      ],
      RESULTS,
    );
    assert.deepEqual(
      r.map((g) => [g.expr, g.value, g.pass]),
      [
        ['latency.p90<12', 11.81, true],
        ['latency.p90<11', 11.81, false],
        ['throughput>250', 300, true],
        ['throughput<=300', 300, true],
        ['latency.mean>=10.5', 10, false],
        ['passes>100', 120, true],
      ],
    );
  });

  test('a metric the run did not produce fails its gate: not measured', () => {
    const [a, b, c] = judge(['latency.p99.9<20', 'throughputStats.cv<0.1'], RESULTS).concat(
      judge(['latency.mean<5'], null),
    );
    assert.deepEqual([a!.value, a!.pass, a!.reason], [null, false, 'not measured']);
    assert.deepEqual([b!.value, b!.pass], [null, false]);
    assert.deepEqual([c!.value, c!.pass, c!.reason], [null, false, 'not measured']);
  });

  test('baseline*F: the baseline run value times F is the threshold', () => {
    const base: ResultSummary = {
      ...RESULTS,
      latencyMs: { ...RESULTS.latencyMs!, mean: 8 },
      throughput: null,
    };
    const [ok, slow, noBase] = judge(
      ['latency.mean<=baseline*1.25', 'latency.mean<baseline*1.2', 'throughput>baseline*0.9'],
      RESULTS,
      base,
    );
    assert.deepEqual([ok!.value, ok!.threshold, ok!.pass], [10, 10, true]);
    assert.deepEqual([slow!.threshold, slow!.pass], [8 * 1.2, false]);
    assert.deepEqual([noBase!.pass, noBase!.reason], [false, 'not measured in the baseline run']);
  });

  test('a failed workload: every gate reported, none evaluated', () => {
    const r = evaluateGates(
      parseGates(['latency.p90<12', 'throughput>1'], false),
      (m) => ({ value: runMetric(RESULTS, m) }),
      null,
      'the workload failed (status 3)',
    );
    assert.deepEqual(
      r.map((g) => [g.value, g.pass, g.reason]),
      [
        [null, null, 'the workload failed (status 3)'],
        [null, null, 'the workload failed (status 3)'],
      ],
    );
  });

  test('stderr lines', () => {
    const [pass, fail] = judge(['latency.p90<12', 'latency.p90<11'], RESULTS);
    assert.equal(gateLine(pass!), 'gate latency.p90<12: 11.81 — pass');
    assert.equal(gateLine(fail!), 'gate latency.p90<11: 11.81 — FAIL');
    assert.equal(
      gateLine(judge(['latency.p99.9<1'], RESULTS)[0]!),
      'gate latency.p99.9<1: - — FAIL (not measured)',
    );
    const base = judge(['latency.mean<=baseline*2'], RESULTS, RESULTS)[0]!;
    assert.equal(gateLine(base), 'gate latency.mean<=baseline*2: 10 vs 20 — pass');
  });

  test('JSON: gates appended to a --json text', () => {
    const text = withGates('{"schemaVersion": 1, "a": 1}\n', judge(['latency.p90<12'], RESULTS));
    const j = JSON.parse(text);
    assert.equal(j.schemaVersion, 1);
    assert.deepEqual(j.gates, [{ expr: 'latency.p90<12', value: 11.81, pass: true, threshold: 12 }]);
    assert.ok(text.endsWith('}\n'));
  });
});

describe('evaluation on a sweep', () => {
  const config = (meanMs: number, p90Ms: number, thr: number, runIds: string[]): ConfigStats => ({
    threads: 1,
    instances: 1,
    cores: 1,
    placement: 'compact',
    variant: 'fp32',
    batch: null,
    runs: runIds.length,
    runIds,
    basis: runIds.length > 1 ? 'repeats' : 'samples',
    latencyStats: { meanMs, medianMs: meanMs - 0.5, p90Ms, ci95Ms: null, cv: null },
    throughputStats: { value: thr, unit: 'samples/s', ci95: null, cv: null },
  });
  const rec = (a: Partial<Recommendation>): Recommendation => ({
    threads: 1,
    instances: 1,
    cores: 1,
    placement: 'compact',
    variant: 'fp32',
    batch: null,
    latencyMs: null,
    throughput: null,
    perCore: null,
    repeats: 1,
    command: '',
    commands: [],
    runIds: [],
    config: 0,
    significant: true,
    tiedWith: [],
    ...a,
  });
  const row = (runId: string, p99: number): SweepRow =>
    ({
      runId,
      samples: { n: 100, mean: 5, sd: 1, median: 5, p90: 6, p99 },
    }) as SweepRow;
  // Config 0 has the lowest latency (one run), config 1 the highest throughput (two repeats).
  const sweep = {
    rows: [row('r0', 7.5), row('r1', 30), row('r2', 31)],
    configs: [config(5, 6, 200, ['r0']), config(20, 25, 900, ['r1', 'r2'])],
    best: {
      latency: rec({ config: 0, latencyMs: 5.1, runIds: ['r0'] }),
      throughput: rec({ config: 1, throughput: 880, runIds: ['r1', 'r2'] }),
      perCore: null,
      withinBudget: null,
      budgetMs: null,
    },
  } as unknown as SweepRecord;

  test("latency gates read best.latency's configuration, throughput gates best.throughput's", () => {
    assert.deepEqual(sweepMetric(sweep, 'latency.mean'), { value: 5 });
    assert.deepEqual(sweepMetric(sweep, 'latency.median'), { value: 4.5 });
    assert.deepEqual(sweepMetric(sweep, 'latency.p90'), { value: 6 });
    assert.deepEqual(sweepMetric(sweep, 'throughput'), { value: 900 });
    assert.deepEqual(sweepMetric(sweep, 'latency.p99'), { value: 7.5 }, "the one run's per-pass p99");
    assert.equal(sweepMetric(sweep, 'latency.p99.9').value, null);
    assert.equal(sweepMetric(sweep, 'passes').value, null);
    const gates: Gate[] = parseGates(['latency.p90<10', 'throughput>1000'], false);
    assert.deepEqual(
      evaluateGates(gates, (m) => sweepMetric(sweep, m), null).map((g) => g.pass),
      [true, false],
    );
  });

  test('a record without configs (written before them): the recommendation means', () => {
    const old = { ...sweep, configs: undefined } as unknown as SweepRecord;
    assert.deepEqual(sweepMetric(old, 'latency.mean'), { value: 5.1 });
    assert.deepEqual(sweepMetric(old, 'throughput'), { value: 880 });
    assert.equal(sweepMetric(old, 'latency.p90').value, null);
    const none = { ...sweep, best: { ...sweep.best, latency: null } } as SweepRecord;
    assert.deepEqual(sweepMetric(none, 'latency.mean'), {
      value: null,
      reason: 'no configuration has a latency',
    });
  });
});
