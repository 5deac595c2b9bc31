// Proof of placement of a run on a target, against a REAL OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts):
// the target is this machine seen through ssh, so its threads, memory, perf and cpufreq are this machine's.
// Nothing is mocked.
// Under CI=true a missing sshd fails the suite; elsewhere it is skipped with the reason.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';
import type { RunProof } from '../../app/shared/proof';

const CI = process.env.CI === 'true';
const REPO = resolve(__dirname, '../..');
const PY = '/usr/bin/python3';
const unavailable = sshdUnavailable();
if (unavailable && CI) throw new Error(`${unavailable}: required when CI=true`);
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasPerf = spawnSync('perf', ['--version']).status === 0;
const skip = unavailable ?? ((!hasNumactl || !hasPerf) && 'needs numactl and perf (linux-perf)');
const hasCpufreq = existsSync('/sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq');
// A hardware PMU (perf counts cycles): none in this project's VMs.
const hasPmu = spawnSync('perf', ['stat', '-x,', '-e', 'cycles', 'true'], { encoding: 'utf8' }).stderr?.match(
  /^\d+,/m,
);

const dir = mkdtempSync(join(tmpdir(), 'aio-remote-proof-'));
let sshd: Sshd;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'app/cli/main.ts'), ...args], {
    cwd: REPO,
    env: { ...process.env, AIO_TUNER_HOME: join(dir, 'home') },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Two PROCESSES that each touch 64 MB and spin for 6 s: enough CPU time and memory to be seen on the target.
// Processes, not two threads of one Python: the GIL lets only one of those run at a time, the other sleeping on
// it rather than waiting in the run queue, so they would never both want the CPU.
const SPIN = [
  'import time',
  'buf = bytearray(64 << 20)',
  'for i in range(0, len(buf), 4096): buf[i] = 1',
  'end = time.time() + 6',
  'while time.time() < end: pass',
].join('\n');
const spinnerArgv = (): string[] => {
  const file = join(dir, 'spin.py');
  writeFileSync(file, SPIN);
  return ['/bin/sh', '-c', `${PY} ${file} & ${PY} ${file}; wait`];
};

describe('proof of placement of a run on an ssh target', { skip, concurrency: false }, () => {
  before(async () => {
    sshd = await startSshd({ env: { AIO_TUNER_TEST_SESSION: `remote-proof-${process.pid}` } });
  });
  after(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("run --target --cores 1: proof of the target's threads on CPU 1, memory on node 0", () => {
    const r = cli(['run', '--target', sshd.url, '--cores', '1', '--json', '--', ...spinnerArgv()]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      target: string;
      proof: RunProof | null;
      findings: { code: string }[];
    };
    assert.equal(out.target, sshd.url);
    const proof = out.proof;
    assert.ok(proof, 'a run on a target records its proof');
    assert.ok(proof.samples >= 2, `samples: ${proof.samples}`);
    // The loop's own CPU time on the target over its life there: a cost, and a small one.
    assert.ok(
      typeof proof.samplerCpuPercent === 'number' &&
        proof.samplerCpuPercent > 0 &&
        proof.samplerCpuPercent < 50,
      `samplerCpuPercent: ${proof.samplerCpuPercent}`,
    );
    // The target (this machine) has perf: its software counters came back from the target as numbers, and this
    // VM's missing PMU is said, not zeroed.
    const c = proof.counters;
    assert.ok(c, 'counters of the target');
    assert.equal(c.error, undefined, JSON.stringify(c));
    assert.ok(c.taskClockMs! >= 300, `task clock: ${c.taskClockMs} ms`);
    for (const k of ['contextSwitches', 'cpuMigrations', 'pageFaults'] as const)
      assert.equal(typeof c[k], 'number', k);
    if (hasPmu) assert.equal(typeof c.cycles, 'number');
    else
      assert.deepEqual(
        c.unavailable.map((u) => u.name),
        ['cycles', 'instructions'],
      );
    // Frequency of the bound CPU as the target's kernel gives it; this VM has no cpufreq driver: {}.
    if (hasCpufreq) assert.deepEqual(Object.keys(proof.cpuFreqMHz), ['1']);
    else assert.deepEqual(proof.cpuFreqMHz, {});
    // The two spinners are python3 processes of the workload; every ms of theirs was on the bound CPU 1.
    const spinners = proof.threads.filter((t) => t.cpuTimeMs >= 500);
    assert.ok(spinners.length >= 1, JSON.stringify(proof.threads));
    // The group on the target also holds the launch wrapper (sh, not bound, nearly idle): the workload is python3.
    const workload = proof.threads.filter((t) => /python/.test(t.name));
    assert.ok(workload.length >= 2, JSON.stringify(proof.threads));
    for (const t of proof.threads)
      assert.deepEqual(
        Object.keys(t.cpus).filter((c) => c !== '1'),
        [],
        `thread ${t.tid} ${t.name}`,
      );
    for (const t of workload) assert.deepEqual(t.allowed, [1], `thread ${t.tid} ${t.name}`);
    const total = proof.threads.reduce((s, t) => s + t.cpuTimeMs, 0);
    const wanted = proof.threads.reduce((s, t) => s + t.cpuTimeMs + (t.waitMs ?? 0), 0);
    // Two spinners sharing one CPU for 6 s: never more CPU time than the wall time (one CPU), and together they
    // wanted it (ran or waited) for longer than the run lasted — however busy the rest of the machine kept CPU 1.
    assert.ok(total <= (proof.durationMs ?? 0) + 100, `cpu ${total} ms over ${proof.durationMs} ms`);
    assert.ok(
      wanted > (proof.durationMs ?? Infinity),
      `wanted ${wanted} ms (cpu ${total} ms) over ${proof.durationMs} ms`,
    );
    // This one-node machine: the resident memory (64 MB touched by each spinner) is all on node 0.
    assert.deepEqual(Object.keys(proof.memoryByNode), ['0']);
    assert.ok(proof.memoryByNode['0']! >= 64 << 20, `memory: ${proof.memoryByNode['0']}`);
    // Each spinner wanted CPU 1 (ran or waited in its run queue, schedstat) most of the run: judged against the
    // target's map, the oversubscription is found as on a local run.
    const share = out.findings.filter((f) => f.code === 'threads-share-cpu');
    assert.equal(share.length, 1, JSON.stringify(out.findings));
    assert.ok(
      workload.every((t) => typeof t.waitMs === 'number'),
      'run-queue wait read on the target',
    );
    // Nothing ran outside the selection.
    assert.ok(!out.findings.some((f) => f.code === 'thread-outside-selection'), JSON.stringify(out.findings));
  });
});
