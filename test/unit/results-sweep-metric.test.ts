// A sweep ranked by an LLM metric (`--metric`, issue 17): the same statistics as latency (repetitions, or the
// spread the tool printed with its own repetitions), the same test and threshold, its own card.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSweep } from '../../app/shared/recommend';
import { isStable } from '../../app/sweep/repeat';
import { sweepMetric } from '../../app/shared/gates';
import type { SweepPoint, SweepRecord, SweepRow } from '../../app/shared/sweep';

function row(over: Partial<SweepRow>): SweepRow {
  return {
    i: 0,
    threads: 1,
    instances: 1,
    cores: 1,
    placement: 'compact',
    variant: 'fp32',
    batch: null,
    repeat: 1,
    latencyMs: null,
    latencyP90Ms: null,
    throughput: null,
    throughputUnit: null,
    exitCode: 0,
    logFile: '/x/output.log',
    runId: 'r',
    durationMs: 1,
    commands: ['cmd'],
    ...over,
  };
}

describe('sweep --metric', () => {
  test('one llama-bench JSON run per configuration: its ± over n repetitions is what is tested', () => {
    // 130.97 ± 1.24 over 5 against 120 ± 1.2 over 5: clearly apart; against 130.5 ± 1.2: tied.
    const rows = [
      row({ i: 0, threads: 1, tokensPerSecond: 120, spread: { tokensPerSecond: { sd: 1.2, n: 5 } } }),
      row({
        i: 1,
        threads: 2,
        tokensPerSecond: 130.965708,
        spread: { tokensPerSecond: { sd: 1.238924, n: 5 } },
      }),
    ];
    const a = analyzeSweep(rows, { metric: 'tokensPerSecond' });
    assert.equal(a.best.metricName, 'tokensPerSecond');
    assert.equal(a.best.metric!.threads, 2);
    assert.equal(a.best.metric!.significant, true);
    assert.equal(a.best.metric!.metricValue, 130.965708);
    const st = a.configs[1]!.metricStats!;
    assert.equal(st.n, 5);
    assert.equal(st.unit, 'tokens/s');
    // mean ± t(0.975, 4) × sd / √5
    assert.ok(Math.abs(st.ci95![0] - (130.965708 - (2.776445 * 1.238924) / Math.sqrt(5))) < 1e-4);
    const close = analyzeSweep(
      [
        rows[1]!,
        row({ i: 2, threads: 4, tokensPerSecond: 130.5, spread: { tokensPerSecond: { sd: 1.2, n: 5 } } }),
      ],
      {
        metric: 'tokensPerSecond',
      },
    );
    assert.equal(close.best.metric!.significant, false);
    assert.deepEqual(close.best.metric!.tiedWith, [1]);
    assert.ok(close.findings.some((f) => f.code === 'tied' && /best tokensPerSecond/.test(f.message)));
  });

  test('no n printed (markdown, llama-cli): one value, never called better; repetitions make it testable', () => {
    const one = analyzeSweep(
      [
        row({ threads: 1, tokensPerSecond: 10 }),
        row({ i: 1, threads: 2, tokensPerSecond: 20, spread: { tokensPerSecond: { sd: 0.1, n: null } } }),
      ],
      { metric: 'tokensPerSecond' },
    );
    assert.equal(one.best.metric!.significant, false);
    assert.equal(one.configs[1]!.metricStats!.ci95, null);
    const reps = [1, 2, 3].flatMap((rep) => [
      row({ i: rep * 2, repeat: rep, threads: 1, tokensPerSecond: 10 + rep * 0.1 }),
      row({ i: rep * 2 + 1, repeat: rep, threads: 2, tokensPerSecond: 20 + rep * 0.1 }),
    ]);
    const a = analyzeSweep(reps, { metric: 'tokensPerSecond' });
    assert.equal(a.configs[1]!.basis, 'repeats');
    assert.equal(a.configs[1]!.metricStats!.n, 3);
    assert.equal(a.best.metric!.threads, 2);
    assert.equal(a.best.metric!.significant, true);
  });

  test('ms metrics rank lowest first; without --metric there is no card', () => {
    const rows = [1, 2].flatMap((rep) => [
      row({ i: rep * 2, repeat: rep, threads: 1, msPerToken: 20 + rep * 0.01, ttftMs: 90 }),
      row({ i: rep * 2 + 1, repeat: rep, threads: 2, msPerToken: 12 + rep * 0.01, ttftMs: 95 }),
    ]);
    assert.equal(analyzeSweep(rows, { metric: 'msPerToken' }).best.metric!.threads, 2);
    assert.equal('metric' in analyzeSweep(rows).best, false);
    assert.equal(analyzeSweep(rows).configs[0]!.metricStats, undefined);
  });

  test('--until-stable compares the metric; a sweep gate reads the --metric card only', () => {
    const p = {
      threads: 1,
      instances: 1,
      placement: 'compact',
      variant: 'fp32',
      batch: null,
      repeat: 3,
    } as SweepPoint;
    const reps = [
      row({ repeat: 1, latencyMs: 10, tokensPerSecond: 40 }),
      row({ i: 1, repeat: 2, latencyMs: 10, tokensPerSecond: 44 }),
    ];
    assert.equal(isStable(reps, p, 1), true, 'latency agrees');
    assert.equal(isStable(reps, p, 1, 'tokensPerSecond'), false, 'tokens/s differ by 10 %');
    const rows = [1, 2].flatMap((rep) => [
      row({ i: rep * 2, repeat: rep, threads: 1, tokensPerSecond: 10 + rep * 0.1 }),
      row({ i: rep * 2 + 1, repeat: rep, threads: 2, tokensPerSecond: 20 + rep * 0.1 }),
    ]);
    const rec = {
      best: analyzeSweep(rows, { metric: 'tokensPerSecond' }).best,
      rows,
    } as unknown as SweepRecord;
    assert.ok(Math.abs(sweepMetric(rec, 'tokensPerSecond').value! - 20.15) < 1e-9);
    assert.match(sweepMetric(rec, 'ttftMs').reason!, /only when it ranks by it/);
  });
});
