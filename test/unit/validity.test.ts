/** app/shared/validity.ts: each finding fires on a crafted sequence that has the problem, and only then. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIN_SAMPLES,
  noisyFinding,
  passFindings,
  tooFewFinding,
  warmupFinding,
} from '../../app/shared/validity';

/** n passes around `ms`, alternating ±spread (CV ≈ spread / ms). */
const steady = (n: number, ms: number, spread = 0): number[] =>
  Array.from({ length: n }, (_, i) => ms + (i % 2 === 0 ? spread : -spread));

const codes = (passes: number[], measuredS: number | null = null): string[] =>
  passFindings(passes, measuredS)
    .map((f) => f.code)
    .sort();

describe('noisy', () => {
  test('fires above a 5 % coefficient of variation, not at or below it', () => {
    const f = noisyFinding(0.08, 'per-pass latencies')!;
    assert.equal(f.code, 'noisy');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /8\.0 %/);
    assert.deepEqual(f.evidence, [{ source: 'coefficient of variation', value: '0.0800' }]);
    assert.equal(noisyFinding(0.05, 'x'), null);
    assert.equal(noisyFinding(0.01, 'x'), null);
    assert.equal(noisyFinding(null, 'x'), null);
    assert.equal(noisyFinding(NaN, 'x'), null);
  });

  test('from passes: ±10 % around 10 ms is noisy, ±1 % is not', () => {
    assert.ok(codes(steady(200, 10, 1), 20).includes('noisy'));
    assert.ok(!codes(steady(200, 10, 0.1), 20).includes('noisy'));
  });
});

describe('too-few-samples', () => {
  test('fewer than 30 passes, or under 10 s measured, or both', () => {
    const few = tooFewFinding(MIN_SAMPLES - 1, 60)!;
    assert.equal(few.code, 'too-few-samples');
    assert.match(few.message, /29 measured pass\(es\), fewer than 30/);
    assert.doesNotMatch(few.message, /under 10 s/);
    const short = tooFewFinding(500, 2.5)!;
    assert.match(short.message, /2\.5 s of measurement, under 10 s/);
    assert.doesNotMatch(short.message, /fewer than/);
    assert.match(tooFewFinding(3, 1)!.message, /fewer than 30 and .*under 10 s/);
    assert.equal(tooFewFinding(MIN_SAMPLES, 10), null);
    assert.equal(tooFewFinding(1000, null), null, 'unknown duration: only the count decides');
  });

  test('from passes: measured time is the sum of the passes when not given', () => {
    // 100 passes of 50 ms = 5 s: short. 100 passes of 200 ms = 20 s: enough.
    assert.deepEqual(codes(steady(100, 50)), ['too-few-samples']);
    assert.deepEqual(codes(steady(100, 200)), []);
    assert.deepEqual(codes(steady(100, 50), 12), [], 'the given span wins over the sum');
  });
});

describe('warmup-in-window', () => {
  test('the first passes much slower than the rest', () => {
    const passes = [...steady(5, 40), ...steady(95, 10)];
    const f = warmupFinding(passes)!;
    assert.equal(f.code, 'warmup-in-window');
    // k = max(2, min(10, floor(100 / 10))) = 10 head passes: 5 slow + 5 normal, median (40 + 10) / 2.
    assert.match(f.message, /first 10 measured passes take 2\.50× the rest's median \(25\.00 vs 10\.00 ms\)/);
    assert.deepEqual(codes(passes, 60), ['noisy', 'warmup-in-window']);
  });

  test('does not fire on steady passes, a slow tail, a mild start or fewer than 10 passes', () => {
    assert.equal(warmupFinding(steady(100, 10, 0.2)), null);
    assert.equal(
      warmupFinding([...steady(95, 10), ...steady(5, 40)]),
      null,
      'slow at the end is not warm-up',
    );
    assert.equal(
      warmupFinding([...steady(10, 12), ...steady(90, 10)]),
      null,
      '1.2× is under the 1.25× ratio',
    );
    assert.equal(warmupFinding([40, 40, 40, 10, 10, 10, 10, 10, 10]), null, '9 passes say nothing');
  });
});

test('no passes, no findings; a clean long run, none either', () => {
  assert.deepEqual(passFindings([], null), []);
  assert.deepEqual(codes(steady(1000, 20, 0.2)), []);
});
