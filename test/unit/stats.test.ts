/**
 * app/shared/stats.ts against published values: R 4.x on its own `sleep` data set (Student 1908) and t quantiles
 * from `qt`. Each expected figure is what R prints, to the digits it prints.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ci95OfMean,
  cv,
  mean,
  percentileOfSorted,
  sd,
  summarize,
  tCritical,
  tTwoSidedP,
  welch,
} from '../../app/shared/stats';

// sleep$extra by group (R's datasets package).
const G1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const G2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

/** Equal to `digits` decimal places, as R prints them. */
function near(got: number | null | undefined, want: number, digits: number, what: string): void {
  assert.ok(got !== null && got !== undefined, `${what}: got ${String(got)}`);
  assert.ok(Math.abs(got - want) <= 0.5 * 10 ** -digits, `${what}: got ${got}, want ${want}`);
}

describe('summaries (R: mean, sd, quantile type 7)', () => {
  test('sleep group 1: mean 0.75, sd 1.789010, median 0.35, p90 3.43, p99 3.673', () => {
    const s = summarize(G1)!;
    assert.equal(s.n, 10);
    near(s.mean, 0.75, 12, 'mean');
    near(s.sd, 1.78901, 6, 'sd');
    near(s.median, 0.35, 12, 'median');
    near(s.p90, 3.43, 12, 'p90');
    near(s.p99, 3.673, 12, 'p99');
  });

  test('sleep group 2: mean 2.33, sd 2.002249, median 1.75, p90 4.69', () => {
    const s = summarize(G2)!;
    near(s.mean, 2.33, 12, 'mean');
    near(s.sd, 2.002249, 6, 'sd');
    near(s.median, 1.75, 12, 'median');
    near(s.p90, 4.69, 12, 'p90');
  });

  test('percentiles interpolate between closest ranks (numpy linear = R type 7)', () => {
    const sorted = [1, 2, 3, 4];
    assert.equal(percentileOfSorted(sorted, 0), 1);
    assert.equal(percentileOfSorted(sorted, 100), 4);
    assert.equal(percentileOfSorted(sorted, 50), 2.5);
    near(percentileOfSorted(sorted, 90), 3.7, 12, 'p90 of 1..4');
    assert.equal(percentileOfSorted([], 50), null);
  });

  test('coefficient of variation: sd / |mean|', () => {
    near(cv(summarize(G1)!), 1.78901 / 0.75, 5, 'cv group 1');
    near(cv(summarize([-1, -2, -3])!), 1 / 2, 12, 'cv of a negative mean');
    assert.equal(cv({ n: 3, mean: 0, sd: 1 }), null, 'mean 0: no CV');
  });

  test('edge cases: nothing, one value, no spread, NaN filtered', () => {
    assert.equal(summarize([]), null);
    assert.equal(summarize([NaN, Infinity]), null);
    assert.equal(mean([]), null);
    assert.equal(sd([5]), null);
    const one = summarize([7])!;
    assert.deepEqual(one, { n: 1, mean: 7, sd: 0, median: 7, p90: 7, p99: 7 });
    assert.equal(cv(one), null, 'one value: no CV');
    assert.equal(ci95OfMean(one), null, 'one value: no interval');
    const flat = summarize([3, 3, 3, 3])!;
    assert.equal(flat.sd, 0);
    assert.equal(cv(flat), 0);
    assert.deepEqual(ci95OfMean(flat), [3, 3]);
    const withNaN = summarize([1, NaN, 2, 3, Infinity, 4, 5])!;
    assert.equal(withNaN.n, 5);
    assert.equal(withNaN.mean, 3);
    near(withNaN.sd, Math.sqrt(2.5), 12, 'sd without the NaN');
  });
});

describe("Student's t (R: qt, t.test)", () => {
  test('qt(0.975, df) for df 1, 9, 29 and the normal limit', () => {
    near(tCritical(1), 12.706205, 6, 'df 1');
    near(tCritical(9), 2.262157, 6, 'df 9');
    near(tCritical(29), 2.04523, 6, 'df 29');
    near(tCritical(1e6), 1.959966, 5, 'df 1e6 ≈ qnorm(0.975)');
    near(tCritical(9, 0.01), 3.249836, 6, 'qt(0.995, 9)');
  });

  test('two-sided p of a t statistic: 2 * pt(-|t|, df)', () => {
    near(tTwoSidedP(2.262157, 9), 0.05, 6, 'p at the 97.5 % quantile');
    near(tTwoSidedP(-1.8608, 17.776), 0.07939, 4, 'Welch sleep');
    assert.equal(tTwoSidedP(0, 5), 1);
    assert.equal(tTwoSidedP(Infinity, 5), 0);
  });

  test('t.test(1:5)$conf.int = 1.036757 4.963243', () => {
    const ci = ci95OfMean(summarize([1, 2, 3, 4, 5])!)!;
    near(ci[0], 1.036757, 6, 'lower');
    near(ci[1], 4.963243, 6, 'upper');
  });

  test('t.test(sleep$extra[1:10])$conf.int = -0.5297804 2.0297804', () => {
    const ci = ci95OfMean(summarize(G1)!)!;
    near(ci[0], -0.5297804, 6, 'lower');
    near(ci[1], 2.0297804, 6, 'upper');
  });

  test('Welch: t.test(extra ~ group, data = sleep) gives t = -1.8608, df = 17.776, p-value = 0.07939', () => {
    const w = welch(summarize(G1)!, summarize(G2)!)!;
    near(w.t, -1.8608, 4, 't');
    near(w.df, 17.776, 3, 'df');
    near(w.p, 0.07939, 5, 'p');
    // The same test the other way round: the sign flips, nothing else.
    const back = welch(summarize(G2)!, summarize(G1)!)!;
    near(back.t, 1.8608, 4, 't reversed');
    near(back.p, w.p, 12, 'p reversed');
  });

  test('Welch with unequal sizes and variances, worked by hand', () => {
    // a = 10..14: mean 12, var 2.5, var/n 0.5; b = 12 14 15 18 20 22 25: mean 18, var 130/6, var/n 130/42.
    // t = -6 / sqrt(0.5 + 130/42) = -3.16437; df = (0.5 + 130/42)^2 / (0.5^2/4 + (130/42)^2/6) = 7.79011.
    const w = welch(summarize([10, 11, 12, 13, 14])!, summarize([12, 14, 15, 18, 20, 22, 25])!)!;
    near(w.t, -3.16437, 5, 't');
    near(w.df, 7.79011, 5, 'df');
    // Between the two-sided 5 % and 1 % points of t with 7 and 8 degrees of freedom (2.365/3.499, 2.306/3.355).
    assert.ok(w.p < 0.05 && w.p > 0.01, `p ${w.p}`);
    near(tTwoSidedP(tCritical(w.df), w.df), 0.05, 9, 'quantile and p agree at fractional df');
  });

  test('Welch edge cases: one sample is no test; no spread differs exactly when the means do', () => {
    assert.equal(welch(summarize([1])!, summarize([1, 2])!), null);
    assert.deepEqual(welch(summarize([2, 2])!, summarize([2, 2, 2])!), { t: 0, df: 3, p: 1 });
    assert.equal(welch(summarize([2, 2])!, summarize([3, 3])!)!.p, 0);
  });
});
