/**
 * Noise and validity findings that rest on measured values alone (issue 12): `noisy`, `too-few-samples`,
 * `warmup-in-window`. Shared by single runs (their per-pass samples) and sweep rows and configurations.
 */
import type { Finding } from './findings';
import { cv as cvOf, percentileOfSorted, summarize } from './stats';

/** Coefficient of variation above which numbers are called noisy. */
export const NOISY_CV = 0.05;
/** Fewer measured passes than this, or less measured time, and a mean is not worth acting on. */
export const MIN_SAMPLES = 30;
export const MIN_MEASURED_S = 10;
/** The first passes count as warm-up still in the window when their median is this much above the rest's. */
export const WARMUP_RATIO = 1.25;

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

export function noisyFinding(cv: number | null, what: string): Finding | null {
  if (cv === null || !(cv > NOISY_CV)) return null;
  return {
    code: 'noisy',
    severity: 'warning',
    message: `${what} vary by ${pct(cv)} (coefficient of variation, above ${pct(NOISY_CV)}): differences smaller than that are noise`,
    evidence: [{ source: 'coefficient of variation', value: cv.toFixed(4) }],
    fix: {
      label: 'Measure longer, repeat, and keep other work off the machine',
      command: 'aio-tuner sweep --until-stable 1 …',
    },
  };
}

/** `measuredS`: seconds of measurement the values cover (sum of pass times, or the run's span); null if unknown. */
export function tooFewFinding(n: number, measuredS: number | null): Finding | null {
  const fewPasses = n < MIN_SAMPLES;
  const short = measuredS !== null && measuredS < MIN_MEASURED_S;
  if (!fewPasses && !short) return null;
  const why = [
    ...(fewPasses ? [`${n} measured pass(es), fewer than ${MIN_SAMPLES}`] : []),
    ...(short ? [`${measuredS.toFixed(1)} s of measurement, under ${MIN_MEASURED_S} s`] : []),
  ].join(' and ');
  return {
    code: 'too-few-samples',
    severity: 'warning',
    message: `${why}: the mean and its interval rest on too little to act on`,
    evidence: [
      { source: 'measured passes', value: String(n) },
      ...(measuredS !== null ? [{ source: 'measured seconds', value: measuredS.toFixed(2) }] : []),
    ],
    fix: {
      label: `Run at least ${MIN_SAMPLES} passes and ${MIN_MEASURED_S} s (e.g. a larger --num_runs or --timeout)`,
    },
  };
}

/**
 * The first measured passes are still much slower than the rest: warm-up (JIT, caches, page faults) is being
 * counted. Looks at the first max(2, min(10, n/10)) passes; needs 10 passes to say anything.
 */
export function warmupFinding(passesMs: readonly number[]): Finding | null {
  const n = passesMs.length;
  if (n < 10) return null;
  const k = Math.max(2, Math.min(10, Math.floor(n / 10)));
  const head = [...passesMs.slice(0, k)].sort((a, b) => a - b);
  const rest = [...passesMs.slice(k)].sort((a, b) => a - b);
  const h = percentileOfSorted(head, 50)!;
  const r = percentileOfSorted(rest, 50)!;
  if (!(r > 0) || !(h > WARMUP_RATIO * r)) return null;
  return {
    code: 'warmup-in-window',
    severity: 'warning',
    message: `the first ${k} measured passes take ${(h / r).toFixed(2)}× the rest's median (${h.toFixed(2)} vs ${r.toFixed(2)} ms): warm-up is inside the measurement`,
    evidence: [
      { source: `median of the first ${k} passes (ms)`, value: h.toFixed(3) },
      { source: 'median of the other passes (ms)', value: r.toFixed(3) },
    ],
    fix: { label: 'Run more warm-up passes before measuring (e.g. --warmup)' },
  };
}

/** Every sample-based finding of one run's ordered per-pass latencies (ms). */
export function passFindings(passesMs: readonly number[], measuredS: number | null): Finding[] {
  const s = summarize(passesMs);
  if (!s) return [];
  const seconds = measuredS ?? passesMs.reduce((a, b) => a + b, 0) / 1000;
  return [
    noisyFinding(cvOf(s), 'per-pass latencies'),
    tooFewFinding(s.n, seconds),
    warmupFinding(passesMs),
  ].filter((f): f is Finding => f !== null);
}
