/**
 * Statistics for numbers a user acts on: summaries of samples, the 95 % confidence interval of a mean (Student's
 * t), the coefficient of variation and Welch's unequal-variance t-test. Pure; no dependency, so the UI and the
 * engine compute the same values.
 */

/** What is kept of a set of samples: enough for a confidence interval, a test and the distribution's shape. */
export interface SampleSummary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1); 0 for one sample. */
  sd: number;
  median: number;
  p90: number;
  p99: number;
}

export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (divides by n - 1); null below two samples. */
export function sd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs)!;
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/** Percentile with linear interpolation between closest ranks (numpy's and R's type 7 default). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const pos = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  return a + (sorted[hi]! - a) * (pos - lo);
}

export function summarize(xs: readonly number[]): SampleSummary | null {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return null;
  const s = [...v].sort((a, b) => a - b);
  return {
    n: v.length,
    mean: mean(v)!,
    sd: sd(v) ?? 0,
    median: percentileOfSorted(s, 50)!,
    p90: percentileOfSorted(s, 90)!,
    p99: percentileOfSorted(s, 99)!,
  };
}

/** Coefficient of variation (sd / mean); null when it has no meaning (one sample, mean 0). */
export function cv(s: Pick<SampleSummary, 'n' | 'mean' | 'sd'>): number | null {
  if (s.n < 2 || s.mean === 0) return null;
  return s.sd / Math.abs(s.mean);
}

// ln Γ(x), Lanczos approximation (g = 7, n = 9): ~15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

// Continued fraction of the incomplete beta function (modified Lentz).
function betacf(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betacf(a, b, x)) / a : 1 - (front * betacf(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t statistic with `df` degrees of freedom (df may be fractional: Welch). */
export function tTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The t value with P(|T| > t) = alpha (alpha = 0.05: the 97.5 % quantile); found by bisection. */
export function tCritical(df: number, alpha = 0.05): number {
  let lo = 0;
  let hi = 1e6;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (tTwoSidedP(mid, df) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** 95 % confidence interval of the mean (Student's t, n - 1 degrees of freedom); null below two samples. */
export function ci95OfMean(s: Pick<SampleSummary, 'n' | 'mean' | 'sd'>): [number, number] | null {
  if (s.n < 2) return null;
  const half = (tCritical(s.n - 1) * s.sd) / Math.sqrt(s.n);
  return [s.mean - half, s.mean + half];
}

export interface WelchResult {
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  p: number;
}

/**
 * Welch's unequal-variance t-test of two means. Null when either side has fewer than two samples (no test can
 * be made). Two sides without any spread are different exactly when their means differ.
 */
export function welch(
  a: Pick<SampleSummary, 'n' | 'mean' | 'sd'>,
  b: Pick<SampleSummary, 'n' | 'mean' | 'sd'>,
): WelchResult | null {
  if (a.n < 2 || b.n < 2) return null;
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    const same = a.mean === b.mean;
    return { t: same ? 0 : Infinity, df: a.n + b.n - 2, p: same ? 1 : 0 };
  }
  const t = (a.mean - b.mean) / se;
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  return { t, df, p: tTwoSidedP(t, df) };
}
