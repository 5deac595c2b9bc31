// What the Tune panel draws and says about a sweep's statistics (renderer/src/sweep: chart.ts, view.ts, form.ts),
// from hand-built records: error bars from each configuration's 95 % interval, no bar without one, cards that
// name one configuration shown once, "tied with" naming the configurations, and the builder's two new fields.
// Pure functions, checked here case by case; test/e2e/sweep-stats-ui.test.ts checks them on screen.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigStats, Recommendation, SweepBest, SweepRow } from '../../app/shared/sweep';
import { defaultSettings } from '../../app/command';
import {
  buildConfigSeries,
  buildSeries,
  configTooltip,
  errorBar,
  scale,
  seriesMax,
} from '../../renderer/src/sweep/chart';
import {
  cardFigures,
  ciText,
  configName,
  engineText,
  hasEngineStats,
  isTied,
  mergeCards,
  mergedTitle,
  tieLines,
} from '../../renderer/src/sweep/view';
import { buildSpec, DEFAULT_FORM, restoreForm } from '../../renderer/src/sweep/form';

function config(p: Partial<ConfigStats> & Pick<ConfigStats, 'threads' | 'variant'>): ConfigStats {
  return {
    instances: 1,
    cores: p.threads,
    placement: 'compact',
    batch: null,
    runs: 3,
    runIds: [],
    basis: 'repeats',
    latencyStats: { meanMs: 10, medianMs: 10, p90Ms: 11, ci95Ms: [9.5, 10.5], cv: 0.02 },
    throughputStats: { value: 100, unit: 'samples/s', ci95: [95, 105], cv: 0.02 },
    ...p,
  };
}

function rec(c: ConfigStats, index: number, p: Partial<Recommendation> = {}): Recommendation {
  return {
    threads: c.threads,
    instances: c.instances,
    cores: c.cores,
    placement: c.placement,
    variant: c.variant,
    batch: c.batch,
    latencyMs: c.latencyStats.meanMs,
    throughput: c.throughputStats.value,
    perCore: c.throughputStats.value === null ? null : c.throughputStats.value / c.cores,
    repeats: c.runs,
    command: `AIO_NUM_THREADS=${c.threads} bench ${c.variant}`,
    commands: [`AIO_NUM_THREADS=${c.threads} bench ${c.variant}`],
    runIds: c.runIds,
    config: index,
    significant: true,
    tiedWith: [],
    ...p,
  };
}

function row(i: number, c: ConfigStats, latencyMs: number, throughput: number, runId: string): SweepRow {
  return {
    i,
    threads: c.threads,
    instances: c.instances,
    cores: c.cores,
    placement: c.placement,
    variant: c.variant,
    batch: c.batch,
    repeat: 1,
    latencyMs,
    latencyP90Ms: null,
    throughput,
    throughputUnit: 'samples/s',
    exitCode: 0,
    logFile: `/h/runs/${runId}/output.log`,
    runId,
    durationMs: 100,
    commands: [],
  };
}

// The case: fp32 and off ran the same program (no engine), so 1-thread fp32 and off are tied.
const fp32x1 = config({
  threads: 1,
  variant: 'fp32',
  runIds: ['a', 'b', 'c'],
  latencyStats: { meanMs: 24.9, medianMs: 24.7, p90Ms: 26.1, ci95Ms: [23.1, 26.7], cv: 0.03 },
  throughputStats: { value: 40.2, unit: 'samples/s', ci95: [37.4, 43], cv: 0.03 },
});
const offx1 = config({
  threads: 1,
  variant: 'off',
  runIds: ['d'],
  runs: 1,
  basis: 'samples',
  latencyStats: { meanMs: 24.1, medianMs: 24, p90Ms: 25, ci95Ms: null, cv: null },
  throughputStats: { value: 41.5, unit: 'samples/s', ci95: null, cv: null },
});
const fp32x2 = config({
  threads: 2,
  variant: 'fp32',
  latencyStats: { meanMs: 13.2, medianMs: 13.1, p90Ms: 14, ci95Ms: [12.8, 13.6], cv: 0.01 },
  throughputStats: { value: 75.8, unit: 'samples/s', ci95: [-2, 153.6], cv: 0.4 },
});
const configs = [fp32x1, offx1, fp32x2];

describe('chart: one point per configuration with its 95 % interval', () => {
  test('error bars span the interval in pixels; a point without an interval has no bar', () => {
    const [fp32, off] = buildConfigSeries(configs, [], 'latencyMs', ['fp32', 'off']);
    assert.equal(fp32!.key, 'fp32');
    assert.deepEqual(
      fp32!.points.map((p) => [p.x, p.y, p.ci]),
      [
        [1, 24.9, [23.1, 26.7]],
        [2, 13.2, [12.8, 13.6]],
      ],
    );
    // 0..40 ms onto 200..0 px: 5 px per ms.
    const yOf = scale(0, 40, 200, 0);
    const bar = errorBar(fp32!.points[0]!, 100, yOf)!;
    assert.equal(bar.x, 100);
    assert.ok(Math.abs(bar.yHi - (200 - 26.7 * 5)) < 1e-9, `top at 26.7 ms: ${bar.yHi}`);
    assert.ok(Math.abs(bar.yLo - (200 - 23.1 * 5)) < 1e-9, `bottom at 23.1 ms: ${bar.yLo}`);
    assert.equal(bar.clipped, false);
    assert.equal(off!.points[0]!.ci, null);
    assert.equal(errorBar(off!.points[0]!, 100, yOf), null);
  });

  test('an interval reaching below zero stops at the axis, without its lower cap', () => {
    const [fp32] = buildConfigSeries(configs, [], 'throughput', ['fp32', 'off']);
    const p = fp32!.points.find((x) => x.x === 2)!;
    const bar = errorBar(p, 10, scale(0, 200, 200, 0))!;
    assert.equal(bar.yLo, 200, 'the axis');
    assert.equal(bar.clipped, true);
  });

  test('the axis reaches the top of the highest interval, not only the highest mean', () => {
    const s = buildConfigSeries(configs, [], 'throughput', ['fp32', 'off']);
    assert.equal(seriesMax(s), 153.6);
  });

  test('single repetitions of a configuration are drawn behind its mean; only its own rows', () => {
    const rows = [row(0, fp32x1, 24, 41, 'a'), row(1, offx1, 24.1, 41.5, 'd'), row(2, fp32x1, 26, 39, 'b')];
    const [fp32, off] = buildConfigSeries(configs, rows, 'latencyMs', ['fp32', 'off']);
    assert.deepEqual(
      fp32!.reps.map((r) => r.y),
      [24, 26],
    );
    assert.deepEqual(off!.reps, [], 'one run: its point is the run');
  });

  test('the tooltip says mean, median, p90, CI, CV, basis and runs', () => {
    assert.equal(
      configTooltip(fp32x1),
      [
        '1 thread · fp32 (1 core)',
        'latency: mean 24.9 ms, median 24.7 ms, p90 26.1 ms',
        '  95 % CI [23.1, 26.7] ms, CV 3.0 %',
        'throughput: 40.2 samples/s',
        '  95 % CI [37.4, 43.0], CV 3.0 %',
        'basis: the means of 3 repeats',
        'runs: 3',
      ].join('\n'),
    );
    const off = configTooltip({
      ...offx1,
      findings: [{ code: 'too-few-samples', severity: 'warning', message: '12 passes, fewer than 30' }],
    });
    assert.match(off, /95 % CI no interval: one value ms, CV —/);
    assert.match(off, /basis: per-pass samples of one run/);
    assert.match(off, /warning: 12 passes, fewer than 30$/);
  });

  test('rows of an older record (no configs) still make one point per row, without bars', () => {
    const rows = [row(0, fp32x1, 24, 41, 'a'), row(1, fp32x1, 26, 39, 'b')];
    const [s] = buildSeries(rows, 'latencyMs', ['fp32']);
    assert.deepEqual(
      s!.points.map((p) => [p.id, p.y, p.ci]),
      [
        ['0', 24, null],
        ['1', 26, null],
      ],
    );
    assert.deepEqual(s!.line, [{ x: 1, y: 25 }]);
  });
});

describe('recommendation cards', () => {
  test('three answers naming one configuration make one card that says so', () => {
    const r = rec(fp32x2, 2);
    const cards = mergeCards({ latency: r, throughput: { ...r }, perCore: { ...r } });
    assert.equal(cards.length, 1);
    assert.equal(cards[0]!.title, 'Lowest latency, highest throughput and best per core');
    assert.equal(cards[0]!.testId, 'rec-latency');
    assert.deepEqual(cards[0]!.keys, ['latency', 'throughput', 'perCore']);
  });

  test('two of three: the odd one keeps its own card', () => {
    const cards = mergeCards({
      latency: rec(fp32x2, 2),
      throughput: rec(fp32x1, 0),
      perCore: rec(fp32x1, 0),
    });
    assert.deepEqual(
      cards.map((c) => [c.title, c.testId]),
      [
        ['Lowest latency', 'rec-latency'],
        ['Highest throughput and best per core', 'rec-throughput'],
      ],
    );
    assert.equal(mergedTitle(['latency', 'perCore']), 'Lowest latency and best per core');
  });

  test('older recommendations (no config index) fold by their settings; no answer yet keeps three cards', () => {
    const { config: _c, ...old } = rec(fp32x2, 2);
    const a = old as Recommendation;
    assert.equal(mergeCards({ latency: a, throughput: { ...a }, perCore: { ...a } }).length, 1);
    assert.equal(mergeCards({ latency: null, throughput: null, perCore: null }).length, 3);
  });

  test('tied: the badge condition and "tied with" naming the configurations', () => {
    const latency = rec(fp32x1, 0, { significant: false, tiedWith: [1] });
    const throughput = rec(offx1, 1, { significant: false, tiedWith: [0] });
    const perCore = rec(offx1, 1, { significant: false, tiedWith: [0] });
    const best: Pick<SweepBest, 'latency' | 'throughput' | 'perCore'> = { latency, throughput, perCore };
    assert.equal(isTied(latency), true);
    assert.equal(isTied(rec(fp32x2, 2)), false, 'significant');
    assert.equal(isTied(rec(fp32x2, 2, { significant: false })), false, 'nothing to be tied with');
    const cards = mergeCards(best);
    assert.equal(cards.length, 2);
    assert.deepEqual(tieLines(cards[0]!, best, configs), [{ about: null, names: ['1 thread · off'] }]);
    assert.deepEqual(tieLines(cards[1]!, best, configs), [{ about: null, names: ['1 thread · fp32'] }]);
  });

  test('one card, answers tied with different configurations: a line per answer', () => {
    const r = rec(fp32x1, 0);
    const best = {
      latency: { ...r, significant: false, tiedWith: [1] },
      throughput: { ...r, significant: false, tiedWith: [1, 2] },
      perCore: { ...r },
    };
    const [card] = mergeCards(best);
    assert.deepEqual(tieLines(card!, best, configs), [
      { about: 'latency', names: ['1 thread · off'] },
      { about: 'throughput', names: ['1 thread · off', '2 threads · fp32'] },
    ]);
  });

  test('configuration names: instances, placement when it varies, batch, variant', () => {
    assert.equal(
      configName({ ...fp32x2, instances: 2, batch: 8, placement: 'spread' }, true),
      '2 × 2 threads · spread · batch 8 · fp32',
    );
    assert.equal(configName(offx1), '1 thread · off');
  });

  test('figures with their interval; without one, said so; without statistics, as before', () => {
    assert.equal(ciText(12.3, [11.9, 12.7], 'ms'), '12.3 ms ± 0.400 (95 % CI)');
    assert.equal(ciText(0.98, null, 'ms'), '0.980 ms (no interval: one value)');
    assert.equal(ciText(null, null, 'ms'), '—');
    assert.deepEqual(cardFigures(rec(fp32x2, 2), fp32x2), {
      latency: '13.2 ms ± 0.400 (95 % CI)',
      throughput: '75.8 samples/s ± 77.8 (95 % CI)',
      perCore: '37.9 samples/s per core ± 38.9 (95 % CI)',
    });
    assert.deepEqual(cardFigures(rec(fp32x2, 2), null), {
      latency: '13.20 ms',
      throughput: '75.8/s',
      perCore: '37.9/s per core',
    });
  });

  test("the engine's recommendations are shown for a finished record with configs only", () => {
    const base = { configs, best: {} } as never;
    assert.equal(hasEngineStats(base, false), true);
    assert.equal(hasEngineStats(base, true), false, 'running: worked out from the rows');
    assert.equal(hasEngineStats({ best: {} } as never, false), false, 'older record');
    assert.equal(hasEngineStats(null, false), false);
  });
});

test('the engine probe in a line', () => {
  assert.equal(
    engineText({ present: false, version: null, python: '3.11.2', torch: '1.13.1' }),
    'No Ampere engine · Python 3.11.2 · PyTorch 1.13.1',
  );
  assert.equal(
    engineText({ present: true, version: '3.1.0', python: '3.10.12', torch: '2.1.0' }),
    'Ampere engine present (3.1.0) · Python 3.10.12 · PyTorch 2.1.0',
  );
  assert.equal(
    engineText({ present: false, version: null, python: null, torch: null, error: 'python3: not found' }),
    'No Ampere engine · probe: python3: not found',
  );
});

describe('builder: repeat until stable, minimum difference', () => {
  const settings = { ...defaultSettings(), workload: ['/usr/bin/python3', 'bench.py'] };

  test('both go into the spec as numbers; empty until-stable leaves it out', () => {
    const on = buildSpec({ ...DEFAULT_FORM, repeat: 10, untilStablePct: '1', practicalPct: '5 %' }, settings);
    assert.deepEqual(on.errors, []);
    assert.equal(on.spec!.untilStablePct, 1);
    assert.equal(on.spec!.practicalPct, 5);
    assert.equal(on.spec!.repeat, 10);
    const off = buildSpec(DEFAULT_FORM, settings);
    assert.equal('untilStablePct' in off.spec!, false);
    assert.equal(off.spec!.practicalPct, 2, 'the default, explicit');
    assert.equal(buildSpec({ ...DEFAULT_FORM, practicalPct: '0' }, settings).spec!.practicalPct, 0);
  });

  test('bad values are readable errors, and no spec', () => {
    const cases: [Partial<typeof DEFAULT_FORM>, RegExp][] = [
      [{ repeat: 5, untilStablePct: 'x' }, /Repeat until stable: a percentage above 0 to 100/],
      [{ repeat: 5, untilStablePct: '0' }, /Repeat until stable: a percentage above 0/],
      [{ repeat: 5, untilStablePct: '150' }, /Repeat until stable: a percentage/],
      [{ repeat: 1, untilStablePct: '1' }, /set Repetitions to the most runs it may take \(2 or more\)/],
      [{ practicalPct: '-1' }, /Minimum difference: a percentage from 0 to 100/],
      [{ practicalPct: 'two' }, /Minimum difference/],
    ];
    for (const [patch, re] of cases) {
      const r = buildSpec({ ...DEFAULT_FORM, ...patch }, settings);
      assert.equal(r.spec, null, JSON.stringify(patch));
      assert.match(r.errors.join('\n'), re);
    }
  });

  test('a form saved before these fields gets their defaults', () => {
    const f = restoreForm({ threads: '1,2', repeat: 3 } as never);
    assert.equal(f.untilStablePct, '');
    assert.equal(f.practicalPct, '2');
  });
});
