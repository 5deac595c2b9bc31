/**
 * The thread tally's lives and per-interval oversubscription (app/run/proof/threads.ts), fed the stat and
 * schedstat readings a sampler takes: 4 threads sharing one CPU are found, 2 threads on their own CPUs and
 * threads that ran one after another are not, and a thread's life is measured from its own start.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskStat } from '../../app/run/proof/procfs';
import { parseTaskStat, parseUptime } from '../../app/run/proof/procfs';
import { ThreadTally } from '../../app/run/proof/threads';

const st = (tid: number, ticks: number, processor: number, startTicks: number | null = 1000): TaskStat => ({
  tid,
  name: 'python3',
  state: 'R',
  ticks,
  processor,
  startTicks,
});

/** `n` intervals of `ms`: each thread's [cpu, tickStep, waitStepMs] per interval, on the given uptime clock. */
function drive(
  tally: ThreadTally,
  threads: {
    tid: number;
    cpu: number;
    ticks: number;
    waitMs: number;
    from?: number;
    to?: number;
    /** Its affinity; default: pinned to `cpu`. */
    allowed?: number[];
  }[],
  n: number,
  ms = 250,
  up0 = 10,
): void {
  const acc = new Map<number, { ticks: number; wait: number }>();
  for (let i = 0; i <= n; i++) {
    for (const t of threads) {
      if (i < (t.from ?? 0) || i > (t.to ?? n)) continue;
      const a = acc.get(t.tid) ?? { ticks: 0, wait: 0 };
      if (i > (t.from ?? 0)) {
        a.ticks += t.ticks;
        a.wait += t.waitMs;
      }
      acc.set(t.tid, a);
      tally.observe(1, st(t.tid, a.ticks, t.cpu), up0 + (i * ms) / 1000);
      tally.setAllowed(t.tid, t.allowed ?? [t.cpu]);
      tally.setWait(t.tid, a.wait);
    }
    tally.closeInterval(i === 0 ? 0 : ms);
  }
}

test('4 threads taking turns on CPU 1: every interval oversubscribed, with its peak demand and threads', () => {
  const tally = new ThreadTally();
  // Each runs a quarter of each 250 ms interval (6 ticks ≈ 60 ms) and waits the rest: 4 × 250 = 4 CPUs wanted.
  drive(
    tally,
    [1, 2, 3, 4].map((tid) => ({ tid, cpu: 1, ticks: 6, waitMs: 190 })),
    8,
  );
  const c = tally.contentionResult();
  assert.deepEqual(Object.keys(c ?? {}), ['1']);
  assert.equal(c!['1']!.ms, 8 * 250);
  assert.deepEqual(c!['1']!.tids, [1, 2, 3, 4]);
  assert.ok(c!['1']!.peakDemand > 3.9 && c!['1']!.peakDemand < 4.1, String(c!['1']!.peakDemand));
});

test('2 threads, each alone on its CPU and never waiting: nothing oversubscribed', () => {
  const tally = new ThreadTally();
  drive(
    tally,
    [
      { tid: 1, cpu: 0, ticks: 25, waitMs: 0 },
      { tid: 2, cpu: 1, ticks: 24, waitMs: 2 },
    ],
    8,
  );
  assert.deepEqual(tally.contentionResult(), {});
});

test('one busy thread and a light helper on one CPU: demand under 1.5 CPUs is no oversubscription', () => {
  const tally = new ThreadTally();
  drive(
    tally,
    [
      { tid: 1, cpu: 0, ticks: 22, waitMs: 30 }, // a foreign process made it wait a little
      { tid: 2, cpu: 0, ticks: 3, waitMs: 20 },
    ],
    8,
  );
  assert.deepEqual(tally.contentionResult(), {});
});

test('two threads queued behind OTHER work on one CPU (each runs 10 %, waits 90 %): busy machine, not oversubscription', () => {
  const tally = new ThreadTally();
  drive(
    tally,
    [1, 2].map((tid) => ({ tid, cpu: 0, ticks: 2, waitMs: 225 })),
    8,
  );
  assert.deepEqual(tally.contentionResult(), {});
});

test("two threads allowed on CPUs 0-1 that met on CPU 1 for a while: the scheduler's to spread, not pinned sharing", () => {
  const tally = new ThreadTally();
  drive(
    tally,
    [1, 2].map((tid) => ({ tid, cpu: 1, ticks: 12, waitMs: 125, allowed: [0, 1] })),
    4,
  );
  assert.deepEqual(tally.contentionResult(), {});
});

test('two busy threads one after the other on CPU 1: never in the same interval, never sharing', () => {
  const tally = new ThreadTally();
  drive(
    tally,
    [
      { tid: 1, cpu: 1, ticks: 25, waitMs: 0, from: 0, to: 4 },
      { tid: 2, cpu: 1, ticks: 25, waitMs: 0, from: 4, to: 8 },
    ],
    8,
  );
  assert.deepEqual(tally.contentionResult(), {});
});

test('intervals under 100 ms (the first pass, the last at stop) are not judged', () => {
  const tally = new ThreadTally();
  drive(
    tally,
    [1, 2].map((tid) => ({ tid, cpu: 1, ticks: 2, waitMs: 40 })),
    4,
    50,
  );
  assert.deepEqual(tally.contentionResult(), {});
});

test('no run-queue wait ever read: contention is undefined, not "none found"', () => {
  const tally = new ThreadTally();
  tally.observe(1, st(1, 10, 0), 10);
  tally.closeInterval(250);
  assert.equal(tally.contentionResult(), undefined);
});

test("a thread's life runs from its own start (stat field 22) to the last look; startMs is relative to the first look", () => {
  const tally = new ThreadTally();
  tally.observe(1, st(1, 100, 0, 900), 10); // the main thread: started at 9 s, first look at 10 s
  tally.observe(1, st(2, 0, 0, 1050), 10.5); // a worker started at 10.5 s
  tally.observe(1, st(1, 150, 0, 900), 12);
  tally.observe(1, st(2, 40, 0, 1050), 11.5); // last seen at 11.5 s
  const [main, worker] = [1, 2].map((tid) => tally.result().find((t) => t.tid === tid)!);
  assert.equal(main!.lifeMs, 3000);
  assert.equal(main!.startMs, -1000);
  assert.equal(worker!.lifeMs, 1000);
  assert.equal(worker!.startMs, 500);
  // Without a start time (a kernel line cut short) there is no life.
  const t2 = new ThreadTally();
  t2.observe(1, st(3, 10, 0, null), 10);
  assert.equal(t2.result()[0]!.lifeMs, undefined);
  assert.equal(t2.result()[0]!.startMs, undefined);
});

test('a tid reused by a new thread (another start time) starts a new record', () => {
  const tally = new ThreadTally();
  tally.observe(1, st(7, 50, 0, 900), 10);
  tally.observe(1, st(7, 60, 0, 1100), 12); // more ticks, but a different start: not the same thread
  const rows = tally.result().filter((t) => t.tid === 7);
  assert.equal(rows.length, 2);
  assert.deepEqual(
    rows.map((r) => r.cpuTimeMs).sort((a, b) => a - b),
    [500, 600],
  );
});

test('parseTaskStat reads the start time; parseUptime reads /proc/uptime', () => {
  const fields: string[] = Array.from({ length: 50 }, (_, k) => (k === 0 ? 'S' : '0'));
  fields[22 - 3] = '123456';
  assert.equal(parseTaskStat(`5 (w) ${fields.join(' ')}`)!.startTicks, 123456);
  assert.equal(parseUptime('35000.12 69000.50\n'), 35000.12);
  assert.equal(parseUptime('garbage'), null);
});
