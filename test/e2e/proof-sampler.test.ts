// Proof of placement as a CLI run records it (issue 13): real PyTorch runs bound with numactl, their threads
// sampled from /proc while they run, kept in run.json as outcome.proof.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { need } from '../helpers/require';
import type { RunProof } from '../../app/shared/proof';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0;
const home = mkdtempSync(join(tmpdir(), 'aio-proof-'));
after(() => rmSync(home, { recursive: true, force: true }));
const BENCH = ['/usr/bin/python3', 'examples/bench.py', '--num_runs', '40', '--warmup', '2'];

function proofOf(args: string[]): RunProof {
  const r = spawnSync(process.execPath, [CLI, 'run', '--json', ...args, '--', ...BENCH], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const { runId } = JSON.parse(r.stdout) as { runId: string };
  const rec = JSON.parse(readFileSync(join(home, 'runs', runId, 'run.json'), 'utf8')) as {
    outcome: { proof: RunProof | null };
  };
  assert.ok(rec.outcome.proof, 'outcome.proof recorded');
  return rec.outcome.proof;
}

test('2 threads on CPUs 0-1: threads with time on both CPUs, samples, sampler cost, memory on node 0', (t) => {
  if (!need(t, hasNumactl && hasTorch, 'numactl and /usr/bin/python3 with torch')) return;
  const p = proofOf(['--cores', '0-1', '--threads', '2']);
  assert.ok(p.samples > 0);
  assert.equal(typeof p.samplerCpuPercent, 'number');
  const on = (cpu: string) => p.threads.filter((th) => (th.cpus[cpu] ?? 0) > 0);
  assert.ok(on('0').length >= 1 && on('1').length >= 1, JSON.stringify(p.threads));
  assert.ok(p.threads.filter((th) => th.cpuTimeMs > 0).length >= 2, JSON.stringify(p.threads));
  for (const th of p.threads) assert.deepEqual(th.allowed, [0, 1]);
  assert.ok((p.memoryByNode['0'] ?? 0) > 0, JSON.stringify(p.memoryByNode));
});

test('4 threads on CPU 1: every thread that used CPU did so on CPU 1 only', (t) => {
  if (!need(t, hasNumactl && hasTorch, 'numactl and /usr/bin/python3 with torch')) return;
  const p = proofOf(['--cores', '1', '--threads', '4']);
  const busy = p.threads.filter((th) => th.cpuTimeMs > 0);
  assert.ok(busy.length >= 1);
  for (const th of busy) assert.deepEqual(Object.keys(th.cpus), ['1'], JSON.stringify(th));
  assert.ok(p.threads.length >= 4, `torch's 4 threads seen: ${p.threads.length}`);
});
