// Proof of placement of a run on a docker:// target, against a REAL Docker engine (test/helpers/docker.ts): a
// container from the registry-free skeleton image with this machine's /usr and /etc mounted read-only, so it
// has its sh, numactl, python3 and perf. The proof loop runs inside the container (docker exec) and reports
// what the container honestly gives: its threads, memory per node, the loop's cost, and perf's counters (in a
// container given CAP_SYS_ADMIN) or why the engine refused them (a default container: its seccomp profile). Under CI=true a missing engine fails; elsewhere it skips with the reason.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dockerUnavailable, startDocker, type DockerEngine } from '../helpers/docker';
import '../helpers/dist';
import type { RunProof } from '../../app/shared/proof';
import { CONTAINER_REFUSED } from '../../app/run/proof/remote';
import { need } from '../helpers/require';

const CI = process.env.CI === 'true';
const REPO = resolve(__dirname, '../..');
const CLI = join(REPO, 'bin/aio-tuner.cjs');
const PY = '/usr/bin/python3';
const unavailable = dockerUnavailable();
if (unavailable && CI) throw new Error(`${unavailable}: required when CI=true`);
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasPerf = spawnSync('perf', ['--version']).status === 0;
const hasCpufreq = existsSync('/sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq');

const dir = mkdtempSync(join(tmpdir(), 'aio-docker-proof-'));
const NAME = `aio-tt-proof-${process.pid}`;
const ADMIN = `aio-tt-proof-admin-${process.pid}`;
let engine: DockerEngine;

// Two threads that each spin for 4 s, and 64 MB touched: enough CPU time and memory to be seen in the container.
const SPIN = [
  'import threading, time',
  'buf = bytearray(64 << 20)',
  'for i in range(0, len(buf), 4096): buf[i] = 1',
  'def spin():',
  '    end = time.time() + 4',
  '    while time.time() < end: pass',
  't = threading.Thread(target=spin); t.start(); spin(); t.join()',
].join('\n');

describe(
  'proof of placement of a run on a docker:// target',
  { skip: unavailable ?? (!hasNumactl && 'needs numactl'), concurrency: false },
  () => {
    before(async () => {
      engine = await startDocker();
      engine.container(NAME, { capAdd: ['SYS_NICE'] });
      engine.container(ADMIN, { capAdd: ['SYS_NICE', 'SYS_ADMIN'] });
    });
    after(async () => {
      await engine?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    /** `run --target docker://NAME --cores 1 --json` of SPIN; its proof after the checks every run shares. */
    async function proofIn(name: string, t: { diagnostic(m: string): void }): Promise<RunProof> {
      const r = spawnSync(
        process.execPath,
        [CLI, 'run', '--target', `docker://${name}`, '--cores', '1', '--json', '--', PY, '-c', SPIN],
        {
          cwd: REPO,
          env: { ...process.env, AIO_TUNER_HOME: join(dir, 'home') },
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { target: string; proof: RunProof | null };
      assert.equal(out.target, `docker://${name}`);
      const proof = out.proof;
      assert.ok(proof, 'a run in a container records its proof');
      t.diagnostic(
        `samples ${proof.samples}, samplerCpuPercent ${proof.samplerCpuPercent}, counters ${JSON.stringify(proof.counters)}`,
      );
      assert.ok(proof.samples >= 2, `samples: ${proof.samples}`);
      const workload = proof.threads.filter((th) => /python/.test(th.name));
      assert.ok(workload.length >= 2, JSON.stringify(proof.threads));
      for (const th of proof.threads)
        assert.deepEqual(
          Object.keys(th.cpus).filter((c) => c !== '1'),
          [],
          `thread ${th.tid} ${th.name} ran on the bound CPU only`,
        );
      for (const th of workload) assert.deepEqual(th.allowed, [1]);
      const total = workload.reduce((s, th) => s + th.cpuTimeMs, 0);
      // Seconds of spinning on a CPU shared with whatever else this small machine runs: a good part of a second at least.
      assert.ok(total >= 500, `cpu ${total} ms`);
      // This one-node machine: the 64 MB touched are resident on node 0.
      assert.deepEqual(Object.keys(proof.memoryByNode), ['0']);
      assert.ok(proof.memoryByNode['0']! >= 64 << 20, `memory: ${proof.memoryByNode['0']}`);
      assert.ok(
        typeof proof.samplerCpuPercent === 'number' &&
          proof.samplerCpuPercent > 0 &&
          proof.samplerCpuPercent < 50,
        `samplerCpuPercent: ${proof.samplerCpuPercent}`,
      );
      if (hasCpufreq) assert.deepEqual(Object.keys(proof.cpuFreqMHz), ['1']);
      else assert.deepEqual(proof.cpuFreqMHz, {}, 'this VM has no cpufreq, inside a container or out');
      assert.ok(proof.counters, 'counters are asked of every target');
      if (!hasPerf)
        assert.equal(proof.counters.error, 'perf is not installed on the target (Debian: linux-perf)');
      // Neither the loop nor perf stays behind in the container.
      const end = Date.now() + 20_000;
      let left = engine.leftovers(name);
      while (left.length > 0 && Date.now() < end) {
        await new Promise((res) => setTimeout(res, 200));
        left = engine.leftovers(name);
      }
      assert.deepEqual(left, [], `left running in ${name}`);
      return proof;
    }

    test("a default container: threads on CPU 1, memory on node 0, perf refused by the engine's seccomp, said so", async (t) => {
      const c = (await proofIn(NAME, t)).counters!;
      if (!hasPerf) return;
      // Docker's default seccomp profile refuses perf_event_open without CAP_SYS_ADMIN: the reason, never zeros.
      assert.equal(c.error, CONTAINER_REFUSED);
      assert.equal(c.taskClockMs, null);
      assert.equal(c.contextSwitches, null);
      assert.equal(c.cpuMigrations, null);
      assert.equal(c.pageFaults, null);
    });

    test('a container with CAP_SYS_ADMIN: perf counts the run in the container, software counters are numbers', async (t) => {
      if (!need(t, hasPerf, 'perf (linux-perf)')) return;
      const c = (await proofIn(ADMIN, t)).counters!;
      assert.equal(c.error, undefined, JSON.stringify(c));
      // Two spinners sharing CPU 1 for 4 s, counted from the loop's first look (CPU 1 shared with this small
      // machine's other work).
      assert.ok(c.taskClockMs! >= 300, `task clock ${c.taskClockMs}`);
      for (const k of ['contextSwitches', 'cpuMigrations', 'pageFaults'] as const)
        assert.equal(typeof c[k], 'number', k);
    });
  },
);
