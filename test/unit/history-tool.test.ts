// History's pure parts (renderer/src/history: sort.ts, group.ts, compareMany.ts) from hand-built entries and
// runs: sorting is stable and keeps missing figures last in both directions, a stored sort is read back or
// falls back, sweeps gather only the runs whose sweep is listed, and N runs merge the engine's own pairwise
// comparisons into one row per setting and result. test/e2e/history-tool.test.ts checks them on screen.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { HistoryEntry } from '../../app/shared/history';
import type { RunInfo } from '../../app/shared/run';
import { defaultSettings } from '../../app/command';
import { compareRuns } from '../../app/history';
import {
  DEFAULT_SORT,
  nextSort,
  parseSort,
  sortEntries,
  type HistorySort,
} from '../../renderer/src/history/sort';
import { groupBySweep } from '../../renderer/src/history/group';
import { compareModel } from '../../renderer/src/history/compareMany';

function entry(id: string, over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    kind: 'run',
    id,
    time: '2026-01-01T00:00:00.000Z',
    state: 'exited',
    ok: true,
    workload: ['w'],
    command: `w ${id}`,
    cpus: [0],
    threads: 1,
    host: 'h',
    latencyMs: null,
    throughput: null,
    throughputUnit: null,
    exitCode: 0,
    durationMs: 1,
    logFile: null,
    sweepId: null,
    ...over,
  };
}

const ids = (es: HistoryEntry[]) => es.map((e) => e.id);

describe('sort', () => {
  const es = [
    entry('a', { time: '2026-01-03T00:00:00Z', latencyMs: 20, throughput: 5 }),
    entry('b', { time: '2026-01-02T00:00:00Z', latencyMs: null, ok: false, exitCode: 1 }),
    entry('c', { time: '2026-01-01T00:00:00Z', latencyMs: 10, throughput: 9 }),
    entry('d', { time: '2025-12-31T00:00:00Z', latencyMs: 20, state: 'running', ok: null }),
  ];
  test('latency ascending and descending: missing last both ways, equal values keep their order', () => {
    assert.deepEqual(ids(sortEntries(es, { key: 'latency', dir: 'asc' })), ['c', 'a', 'd', 'b']);
    assert.deepEqual(ids(sortEntries(es, { key: 'latency', dir: 'desc' })), ['a', 'd', 'c', 'b']);
  });
  test('outcome A→Z is failed, running, succeeded; time as given', () => {
    assert.deepEqual(ids(sortEntries(es, { key: 'outcome', dir: 'asc' })), ['b', 'd', 'a', 'c']);
    assert.deepEqual(ids(sortEntries(es, { key: 'time', dir: 'asc' })), ['d', 'c', 'b', 'a']);
  });
  test('"all CPUs" (an empty list) counts as more than any list', () => {
    const cs = [entry('x', { cpus: [0, 1] }), entry('all', { cpus: [] }), entry('y', { cpus: [3] })];
    assert.deepEqual(ids(sortEntries(cs, { key: 'cpus', dir: 'desc' })), ['all', 'x', 'y']);
  });
  test('a header click flips its column, another column starts in its own first direction', () => {
    let s: HistorySort = DEFAULT_SORT;
    s = nextSort(s, 'time');
    assert.deepEqual(s, { key: 'time', dir: 'asc' });
    assert.deepEqual(nextSort(s, 'throughput'), { key: 'throughput', dir: 'desc' });
    assert.deepEqual(nextSort(s, 'latency'), { key: 'latency', dir: 'asc' });
  });
  test('a stored sort is read back; anything else is the default', () => {
    assert.deepEqual(parseSort('{"key":"latency","dir":"asc"}'), { key: 'latency', dir: 'asc' });
    for (const bad of [null, '', 'nope', '{"key":"colour","dir":"asc"}', '{"key":"time","dir":"up"}'])
      assert.deepEqual(parseSort(bad), DEFAULT_SORT, String(bad));
  });
});

describe('groupBySweep', () => {
  test('runs of a listed sweep nest under it in list order; others stay at the top level', () => {
    const rows = groupBySweep([
      entry('r3', { sweepId: 's1' }),
      entry('loose'),
      entry('s1', { kind: 'sweep' }),
      entry('r1', { sweepId: 's1' }),
      entry('orphan', { sweepId: 'gone' }),
    ]);
    assert.deepEqual(
      rows.map((r) => [r.entry.id, ids(r.runs)]),
      [
        ['loose', []],
        ['s1', ['r3', 'r1']],
        ['orphan', []],
      ],
    );
  });
});

describe('compareModel', () => {
  const run = (
    id: string,
    cpus: number[],
    env: Record<string, string>,
    mean: number,
    ci: [number, number] | null,
  ) => {
    const settings = { ...defaultSettings(), cpus, workload: ['w'] };
    const info: RunInfo = {
      runId: id,
      logId: id,
      logFile: '/l',
      startedAt: '2026-01-01T00:00:00Z',
      argv: ['w'],
      env,
      settings,
      checks: [],
      state: 'exited',
      outcome: {
        exitCode: 0,
        signal: null,
        durationMs: 100,
        peakRssBytes: null,
        logFile: '/l',
        lines: 1,
        results: {
          latencyMs: { mean, median: mean, p90: mean, p99: mean, 'p99.9': mean },
          throughput: null,
          latencyStats: ci ? { meanMs: mean, medianMs: mean, p90Ms: mean, ci95Ms: ci, cv: 0.01 } : undefined,
        },
      },
    };
    return info;
  };
  const a = run('a', [0], { X: '1' }, 10, [9.5, 10.5]);
  const b = run('b', [1], { X: '1' }, 20, [19, 21]);
  const c = run('c', [0], { X: '1', Y: '2' }, 10.2, [9.8, 10.6]);
  const cols = [a, b, c].map((r) => ({ entry: entry(r.runId), run: r }));
  const model = compareModel(cols, [
    compareRuns(a, b, cols[0]!.entry, cols[1]!.entry),
    compareRuns(a, c, cols[0]!.entry, cols[2]!.entry),
  ]);
  test('one row per setting with every run’s value; differing rows first, changed cells marked', () => {
    const row = (f: string) => model.settings.find((s) => s.field === f)!;
    assert.deepEqual(row('CPUs').values, ['0', '1', '0']);
    assert.deepEqual(row('CPUs').changed, [false, true, false]);
    // Y is only in the a–c pair: b's value comes from its own environment (unset: "—").
    assert.deepEqual(row('$Y').values, ['—', '—', '2']);
    assert.equal(row('$X').same, true);
    const firstSame = model.settings.findIndex((s) => s.same);
    assert.ok(
      model.settings.slice(firstSame).every((s) => s.same),
      'differences first',
    );
  });
  test('results carry the interval; overlapping intervals are flagged', () => {
    const lat = model.metrics.find((m) => m.metric === 'latency mean')!;
    assert.deepEqual(
      lat.cells.map((c) => c.text),
      ['10.0 ms ± 0.500 (95 % CI)', '20.0 ms ± 1.00 (95 % CI)', '10.2 ms ± 0.400 (95 % CI)'],
    );
    assert.equal(lat.cells[0]!.delta, null);
    assert.equal(lat.cells[1]!.overlap, false);
    assert.equal(lat.cells[1]!.delta!.better, 'a');
    assert.equal(lat.cells[2]!.overlap, true);
  });
  test('fewer than two runs, or a missing comparison, is refused', () => {
    assert.throws(() => compareModel(cols.slice(0, 1), []), /two or more runs/);
    assert.throws(() => compareModel(cols, []), /one comparison per run/);
  });
});
