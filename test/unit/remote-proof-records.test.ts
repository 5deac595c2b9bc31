/**
 * The records a target's proof loop adds for frequency, its own cost and perf (app/remote/proof.ts), and how the
 * run engine folds them (app/run/proof/remote.ts): recorded streams through the parser and the tally, and the
 * real loop run on this machine (with its perf, and with a PATH without perf).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proofLoopArgv, ProofStreamParser, type RemoteProofSample } from '../../app/remote/proof';
import { RemoteProofTally, remoteCounters, type RemotePerf } from '../../app/run/proof/remote';
import { need } from '../helpers/require';

const perfFixture = readFileSync(join(__dirname, '..', 'fixtures', 'perf', 'vm-no-pmu.txt'), 'utf8');

/** A thread's stat line: state R, `ticks` of user time, last on `cpu`, started 10 s after boot. */
function stat(tid: number, ticks: number, cpu: number): string {
  const f: string[] = Array.from({ length: 42 }, (_, k) => (k === 0 ? 'R' : '0'));
  f[14 - 3] = String(ticks);
  f[22 - 3] = '1000';
  f[39 - 3] = String(cpu);
  return `${tid} (python3) ${f.join(' ')}`;
}

function parse(text: string): { samples: RemoteProofSample[]; ends: (RemotePerf | null)[] } {
  const samples: RemoteProofSample[] = [];
  const ends: (RemotePerf | null)[] = [];
  const p = new ProofStreamParser(
    (s) => samples.push(s),
    (e) => ends.push(e),
  );
  p.push(text);
  return { samples, ends };
}

// The shape of a stream from a target with cpufreq and x86 thermal throttle counts, bound to CPU 1. The T/C/E/K/P
// lines are this VM's (the P lines are test/fixtures/perf/vm-no-pmu.txt, real); the F and H lines are hand-made
// in the kernel's units (scaling_cur_freq in kHz, throttle counts since boot), since this VM has neither.
const STREAM = [
  `T 500 ${stat(500, 10, 1)}`,
  'A 500 1',
  'F 1 3000000',
  'H 1 5',
  'C 6 1990',
  'E 20.40',
  `T 500 ${stat(500, 60, 1)}`,
  'A 500 1',
  'C 9 1990',
  'E 20.90',
  `T 500 ${stat(500, 110, 1)}`,
  'A 500 1',
  'F 1 2400000',
  'H 1 7',
  'C 12 1990',
  'E 21.40',
  'E 21.90',
  'K 2',
  ...perfFixture.split('\n').map((l) => `P ${l}`),
  'Z',
  '',
].join('\n');

test('recorded stream: frequency per sample, throttle counts, the loop cost, then perf at the end', () => {
  const { samples, ends } = parse(STREAM);
  assert.equal(samples.length, 4);
  assert.deepEqual([...samples[0]!.freqKHz!], [[1, 3000000]]);
  assert.deepEqual([...samples[0]!.throttle!], [[1, 5]]);
  assert.deepEqual(samples[0]!.loop, { ticks: 6, startTicks: 1990 });
  assert.equal(samples[1]!.freqKHz, undefined, 'frequencies are read every freqEvery-th tick only');
  assert.deepEqual(samples[3]!.tasks, [], 'the group is gone: the last sample sees nothing');
  assert.equal(ends.length, 1);
  assert.equal(ends[0]!.state, 'ran');
  assert.equal(ends[0]!.state === 'ran' && ends[0]!.paranoid, 2);
});

test('the tally folds them as a local run does: cpuFreqMHz {mean, min}, throttle, samplerCpuPercent, counters', () => {
  const { samples, ends } = parse(STREAM);
  const tally = new RemoteProofTally({ cpus: [1] });
  for (const s of samples) tally.add(s);
  const proof = tally.result(1500, { perf: ends[0]!, complete: true, graceMs: 5000 });
  assert.deepEqual(proof.cpuFreqMHz, { '1': { mean: 2700, min: 2400 } });
  assert.deepEqual(proof.throttle, { '1': 2 }, 'throttled twice during the run (7 - 5)');
  // 12 ticks (0.12 s) of the loop's CPU over its life on the target: started at 19.90 s, last looked at 21.40 s.
  assert.equal(proof.samplerCpuPercent, 8);
  assert.equal(proof.samples, 3);
  // The same parser and judgement as a local run's perf: software counters are numbers, no PMU here.
  assert.equal(proof.counters!.taskClockMs, 373.46);
  assert.equal(proof.counters!.contextSwitches, 57);
  assert.deepEqual(
    proof.counters!.unavailable.map((u) => u.name),
    ['cycles', 'instructions'],
  );
  assert.equal(proof.counters!.error, undefined);
});

test('a target without cpufreq and throttle counts: cpuFreqMHz {}, no throttle', () => {
  const { samples } = parse(`T 500 ${stat(500, 10, 1)}\nC 3 1990\nE 20.4\n`);
  const tally = new RemoteProofTally({ cpus: [1] });
  for (const s of samples) tally.add(s);
  const proof = tally.result(500, null);
  assert.deepEqual(proof.cpuFreqMHz, {});
  assert.equal(proof.throttle, undefined);
  assert.equal(proof.counters, null, 'counters not asked of the target');
});

test('memory: each process as last seen with pages, so a look as the workload exits keeps its footprint', () => {
  // pid 90 is the launch wrapper (sh), pid 100 the workload; the last look lands as 100 exits: empty numa_maps.
  const { samples } = parse(
    [
      `T 100 ${stat(100, 10, 1)}`,
      'M 90 55d0 default file=/usr/bin/dash mapped=40 N0=40 kernelpagesize_kB=4',
      'M 100 7f00 default anon=16384 dirty=16384 N0=16384 kernelpagesize_kB=4',
      'E 20.4',
      'M 90 55d0 default file=/usr/bin/dash mapped=40 N0=40 kernelpagesize_kB=4',
      'M 100 7f00 default',
      'E 20.9',
      '',
    ].join('\n'),
  );
  assert.deepEqual([...samples[1]!.memoryByPid!.get(100)!], [], 'the exiting process had no pages left');
  const tally = new RemoteProofTally({ cpus: [1] });
  for (const s of samples) tally.add(s);
  assert.deepEqual(tally.result(500).memoryByNode, { '0': (16384 + 40) * 4096 });
});

test('perf missing, too late, or its counts lost: counters say why, never zeros', () => {
  const missing = parse(`X missing\nT 500 ${stat(500, 10, 1)}\nE 20.4\nE 20.9\nZ\n`).ends[0]!;
  const c = remoteCounters({ perf: missing, complete: true, graceMs: 5000 })!;
  assert.equal(c.error, 'perf is not installed on the target (Debian: linux-perf)');
  assert.equal(c.taskClockMs, null);
  assert.equal(c.contextSwitches, null);
  const late = remoteCounters({ perf: { state: 'late' }, complete: true, graceMs: 5000 })!;
  assert.match(late.error!, /ended on the target before perf could attach/);
  // The connection went before the loop's end: what perf counted never came back.
  const lost = remoteCounters({ perf: null, complete: false, graceMs: 5000 })!;
  assert.match(lost.error!, /did not come back from the target within 5000 ms/);
  assert.equal(lost.taskClockMs, null);
  // perf refused by the kernel: the local judgement (perf.ts), with the target's paranoid setting.
  const refused = remoteCounters({
    perf: {
      state: 'ran',
      text: '',
      stderr: 'Error:\nNo permission to enable task-clock event.',
      paranoid: 3,
    },
    complete: true,
    graceMs: 5000,
  })!;
  assert.match(refused.error!, /not allowed.*perf_event_paranoid is 3/);
});

/** Runs the real loop against a 1 s busy python bound to CPU 1, until the loop ends by itself. */
async function runLoop(
  env: NodeJS.ProcessEnv,
): Promise<{ samples: RemoteProofSample[]; end: RemotePerf | null; ended: boolean }> {
  const work = spawn(
    '/usr/bin/numactl',
    [
      '--physcpubind=1',
      '--',
      '/usr/bin/python3',
      '-c',
      'import time\nend = time.time() + 1\nwhile time.time() < end: pass',
    ],
    { detached: true, stdio: 'ignore' },
  );
  try {
    await new Promise((r) => setTimeout(r, 150));
    const [file, ...args] = proofLoopArgv(work.pid!, 0.2, {
      memoryEvery: 2,
      freqEvery: 2,
      cpus: [1],
      perf: true,
    });
    const loop = spawn(file!, args, { stdio: ['ignore', 'pipe', 'ignore'], env });
    const samples: RemoteProofSample[] = [];
    let end: RemotePerf | null = null;
    const parser = new ProofStreamParser(
      (s) => samples.push(s),
      (e) => (end = e),
    );
    loop.stdout!.setEncoding('utf8');
    loop.stdout!.on('data', (d: string) => parser.push(d));
    await new Promise((r) => loop.on('close', r));
    return { samples, end, ended: parser.ended };
  } finally {
    try {
      process.kill(-work.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

test('the real loop with perf: it ends by itself after the run, with perf counts and its own cost', async (t) => {
  if (!need(t, existsSync('/usr/bin/numactl'), 'numactl')) return;
  if (!need(t, existsSync('/usr/bin/perf'), 'perf (linux-perf)')) return;
  const { samples, end, ended } = await runLoop(process.env);
  assert.ok(ended, 'the loop ended by itself once the group was gone');
  assert.ok(
    samples.some((s) => s.tasks.length > 0),
    'the group was seen',
  );
  assert.deepEqual(samples.at(-1)!.tasks, [], 'its last look found the group gone');
  const tally = new RemoteProofTally({ cpus: [1] });
  for (const s of samples) tally.add(s);
  const proof = tally.result(1000, { perf: end, complete: ended, graceMs: 5000 });
  assert.equal(proof.counters!.error, undefined, JSON.stringify(proof.counters));
  // perf attached on the loop's first tick and counted the busy loop from then on: CPU time, never more than the
  // second the loop spins plus python's start (CPU 1 may be shared with other work on this small machine).
  const clock = proof.counters!.taskClockMs!;
  assert.ok(clock > 0 && clock <= 1500, `task clock ${clock} ms`);
  assert.equal(typeof proof.counters!.contextSwitches, 'number');
  assert.ok(proof.samplerCpuPercent !== null && proof.samplerCpuPercent > 0, `${proof.samplerCpuPercent}`);
  if (existsSync('/sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq'))
    assert.ok(proof.cpuFreqMHz['1']!.min > 0);
  else assert.deepEqual(proof.cpuFreqMHz, {}, 'this machine exposes no cpufreq');
});

test('the real loop on a target whose PATH has no perf: counters.error says so', async (t) => {
  if (!need(t, existsSync('/usr/bin/numactl'), 'numactl')) return;
  const bin = mkdtempSync(join(tmpdir(), 'aio-noperf-'));
  try {
    for (const p of ['sh', 'sleep', 'rm']) symlinkSync(join('/bin', p), join(bin, p));
    const { samples, end, ended } = await runLoop({ ...process.env, PATH: bin });
    assert.ok(ended);
    assert.ok(samples.some((s) => s.tasks.length > 0));
    const c = remoteCounters({ perf: end, complete: ended, graceMs: 5000 })!;
    assert.equal(c.error, 'perf is not installed on the target (Debian: linux-perf)');
    assert.equal(c.taskClockMs, null);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
