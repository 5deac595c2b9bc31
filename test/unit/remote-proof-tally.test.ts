/**
 * A target's samples become the run's proof (app/run/proof/remote.ts): the same tally as a local run, live
 * events measured on the TARGET's clock (its uptime), not on when the samples arrived here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LivePlacement } from '../../app/shared/proof';
import { RemoteProofTally, type RemoteTask } from '../../app/run/proof/remote';

const task = (tid: number, ticks: number, processor: number, waitMs?: number): RemoteTask => ({
  tid,
  name: 'python3',
  state: 'R',
  ticks,
  processor,
  startTicks: null,
  pid: 100,
  allowed: [1],
  ...(waitMs !== undefined ? { waitMs } : {}),
});

test('samples of a target: threads per CPU, the outside CPU, the last memory, live busy on the target clock', () => {
  const live: Omit<LivePlacement, 'runId'>[] = [];
  const tally = new RemoteProofTally({ cpus: [1], onLive: (l) => live.push(l) });
  tally.add({ uptime: 100, tasks: [task(100, 10, 1), task(101, 0, 1)], memoryByNode: new Map([[0, 4096]]) });
  tally.add({ uptime: 100.5, tasks: [task(100, 60, 1), task(101, 20, 0)] });
  assert.equal(live.length, 0, 'less than a second of the target clock: no event yet');
  // Two seconds after the first sample on the target (however late it arrived here): thread 100 has 160 ticks,
  // 1.6 s of those 2 (what it had when first seen included, as a local run's first live event).
  tally.add({
    uptime: 102,
    tasks: [task(100, 160, 1, 900), task(101, 20, 1)],
    memoryByNode: new Map([[0, 8192]]),
  });
  assert.equal(live.length, 1);
  assert.equal(live[0]!.cpus['1']!.threads.find((t) => t.tid === 100)!.busy, 1600 / 2000);
  assert.deepEqual(live[0]!.outside, [101], 'seen on CPU 0, outside the selection');
  assert.deepEqual(live[0]!.memoryByNode, { '0': 8192 });
  tally.add({ uptime: 102.5, tasks: [] }); // the group has exited: nothing read, nothing lost
  const proof = tally.result(2600);
  assert.equal(proof.samples, 3);
  assert.equal(proof.durationMs, 2600);
  assert.equal(proof.samplerCpuPercent, null);
  assert.equal(proof.counters, null);
  assert.deepEqual(proof.memoryByNode, { '0': 8192 });
  assert.deepEqual(proof.threads[0], {
    tid: 100, name: 'python3', pid: 100, cpuTimeMs: 1600, cpus: { '1': 1600 }, allowed: [1], waitMs: 900,
  }); // prettier-ignore
  assert.deepEqual(proof.threads[1]!.cpus, { '0': 200 });
});

test('a look that reads a process part-way through its exit does not shrink its footprint', () => {
  const tally = new RemoteProofTally({ cpus: [1] });
  const mb = 1 << 20;
  const look = (uptime: number, bytes: number): void =>
    tally.add({
      uptime,
      tasks: [task(100, uptime * 100, 1)],
      memoryByPid: new Map([[100, new Map([[0, bytes]])]]),
      memoryByNode: new Map([[0, bytes]]),
    });
  look(100, 8 * mb); // interpreter loaded
  look(101, 71 * mb); // 64 MB touched
  look(102, 7 * mb); // the map being torn down as the process exits, read cut short
  const proof = tally.result(3000);
  assert.deepEqual(proof.memoryByNode, { '0': 71 * mb });
});
