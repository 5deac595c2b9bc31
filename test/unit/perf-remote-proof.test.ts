/**
 * The remote proof loop (app/remote/proof.ts) run for real: the same sh script a target runs, here against a
 * real process group on this machine (the ssh/docker transport around it is the one the load sampler uses).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { proofLoopArgv, ProofStreamParser, type RemoteProofSample } from '../../app/remote/proof';
import { need } from '../helpers/require';

test('a group of a 3-thread python bound to CPU 1: its threads, their affinity and its memory per node', async (t) => {
  if (!need(t, existsSync('/usr/bin/numactl'), 'numactl')) return;
  const code =
    'import threading,time\nfor _ in range(2): threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\ntime.sleep(5)';
  const work = spawn('/usr/bin/numactl', ['--physcpubind=1', '--', '/usr/bin/python3', '-c', code], {
    detached: true,
    stdio: 'ignore',
  });
  try {
    await new Promise((r) => setTimeout(r, 400));
    const [file, ...args] = proofLoopArgv(work.pid!, 0.2, { memoryEvery: 2 });
    const loop = spawn(file!, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const samples: RemoteProofSample[] = [];
    await new Promise<void>((resolve) => {
      const parser = new ProofStreamParser((s) => {
        samples.push(s);
        if (samples.length === 3) {
          loop.kill();
          resolve();
        }
      });
      loop.stdout!.setEncoding('utf8');
      loop.stdout!.on('data', (d: string) => parser.push(d));
    });
    const first = samples[0]!;
    assert.deepEqual(
      [...new Set(first.tasks.map((x) => x.pid))],
      [work.pid],
      'only the run group is sampled (numactl exec()s python in place)',
    );
    assert.equal(first.tasks.length, 3, 'main thread and two sleepers');
    for (const task of first.tasks) {
      assert.equal(task.name, 'python3');
      assert.deepEqual(task.allowed, [1]);
      assert.equal(task.processor, 1);
      assert.equal(typeof task.waitMs, 'number', 'its run-queue wait (schedstat)');
    }
    assert.ok((first.memoryByNode?.get(0) ?? 0) > 1_000_000, 'numa_maps read on the first sample');
    assert.equal(samples[1]!.memoryByNode, undefined, 'and not on the next (every 2nd sample)');
    assert.ok(samples[2]!.memoryByNode, 'read again on the third');
    assert.ok(samples[1]!.uptime > first.uptime);
  } finally {
    process.kill(-work.pid!, 'SIGKILL');
  }
});

test('stream parser: records split across chunks, a comm with spaces and ")" in it', () => {
  const got: RemoteProofSample[] = [];
  const p = new ProofStreamParser((s) => got.push(s));
  // Fields 3..44 of a stat line: state R, utime 7, stime 3 (fields 14, 15), last CPU 3 (field 39).
  const fields: string[] = Array.from({ length: 42 }, (_, k) => (k === 0 ? 'R' : '0'));
  fields[14 - 3] = '7';
  fields[15 - 3] = '3';
  fields[39 - 3] = '3';
  fields[22 - 3] = '1150'; // started 11.5 s after boot
  const stat = `42 (my ) thread) ${fields.join(' ')}`;
  p.push(`T 40 ${stat}\nA 4`);
  p.push('2 0-2,5\nS 42 12500000\nM 40 7f00 default anon=3 dirty=3 N1=3 kernelpagesize_kB=4\nE 12.5');
  assert.equal(got.length, 0, 'no sample before its end line');
  p.push('0\n');
  assert.equal(got.length, 1);
  assert.deepEqual(got[0]!.tasks, [
    {
      tid: 42,
      name: 'my ) thread',
      state: 'R',
      ticks: 10,
      processor: 3,
      startTicks: 1150,
      pid: 40,
      allowed: [0, 1, 2, 5],
      waitMs: 12.5,
    },
  ]);
  assert.deepEqual([...got[0]!.memoryByNode!], [[1, 3 * 4096]]);
  assert.equal(got[0]!.uptime, 12.5);
});
