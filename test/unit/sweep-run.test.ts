// Sweeps against real processes on this machine: real numactl, real PyTorch (examples/bench.py), real process
// groups and /proc. Nothing is mocked. Kept short: small --num_runs, one two-instance point.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Engine } from '../../app/api/engine';
import { defaultSettings } from '../../app/command';
import { groupMembers, processAffinity, readResultsDir } from '../../app/run';
import type { SweepProgress, SweepRecord, SweepSpec } from '../../app/sweep';
import { need } from '../helpers/require';

const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const BENCH = resolve(__dirname, '../../examples/bench.py');
const CI = process.env.CI === 'true';
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasTorch = spawnSync(PY, ['-c', 'import torch']).status === 0;
const usableCpus = (() => {
  const m = /^Cpus_allowed_list:\s*(.*)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? m[1]! : '';
})();

/** Missing prerequisites fail under CI (the pipeline must provide them) and skip locally with the reason. */

const home = mkdtempSync(join(tmpdir(), 'aio-sweep-test-'));
/** A stand-in workload printing AML-style results after a second: for what needs no real measurement. */
const fake = join(home, 'fake.sh');
writeFileSync(
  fake,
  '#!/bin/sh\nsleep 1\necho "  LATENCY"\necho "      mean   $((10 + AIO_NUM_THREADS)).5 [ms]"\n' +
    'echo "  THROUGHPUT"\necho "      observed   $((100 * AIO_NUM_THREADS)).0 [samples/s]"\n',
);
chmodSync(fake, 0o755);
let engine: Engine;
const progress: SweepProgress[] = [];
before(() => {
  engine = new Engine({ shell: 'browser', dataDir: home });
  engine.subscribe((e, d) => {
    if (e === 'sweep.progress') progress.push(d as SweepProgress);
  });
});
after(async () => {
  await engine.dispose();
  rmSync(home, { recursive: true, force: true });
});

function spec(workload: string[], over: Partial<SweepSpec> = {}): SweepSpec {
  return {
    settings: { ...defaultSettings(), workload },
    threads: [1, 2],
    placement: 'compact',
    variants: ['fp32'],
    customVariants: [],
    instances: [1],
    batches: null,
    repeat: 1,
    ...over,
  };
}

describe('sweep on this machine', () => {
  test('bench.py over threads 1,2 × fp32, off: four rows with numbers, each a run in history', async (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, hasTorch, `PyTorch for ${PY}`)) return;
    const workload = [PY, BENCH, '-m', 'cnn', '--num_runs', '15', '--timeout', '20'];
    const rec = await engine.sweeps.start(spec(workload, { variants: ['fp32', 'off'] }));
    assert.equal(rec.state, 'running');
    assert.equal(rec.planned, 4);
    const fin = await engine.sweeps.wait(rec.sweepId);
    assert.equal(fin.state, 'done', fin.error);
    assert.equal(fin.rows.length, 4);
    assert.deepEqual(
      fin.rows.map((r) => `${r.threads}/${r.variant}`),
      ['1/fp32', '1/off', '2/fp32', '2/off'],
    );
    for (const r of fin.rows) {
      assert.equal(r.exitCode, 0, `${r.threads}/${r.variant}: ${r.error}`);
      assert.ok(r.latencyMs! > 0 && r.throughput! > 0, `numbers for ${r.threads}/${r.variant}`);
      assert.equal(r.throughputUnit, 'samples/s');
      assert.equal(r.cores, r.threads);
      assert.ok(existsSync(r.logFile), 'every run keeps its log');
      const run = engine.runs.get(r.runId);
      assert.equal(run.settings.cpus.length, r.threads);
      assert.equal(run.env.AIO_NUM_THREADS, String(r.threads));
      assert.equal(run.env.AIO_PROCESS_MODE, r.variant === 'off' ? '0' : undefined);
      assert.match(r.commands[0]!, new RegExp(`AIO_NUM_THREADS=${r.threads} OMP_NUM_THREADS=${r.threads} `));
    }
    // Live progress: one event per finished row, counting up, and an estimate once something finished.
    const mine = progress.filter((p) => p.sweepId === rec.sweepId);
    const withRows = mine.filter((p) => p.row);
    assert.deepEqual(
      withRows.map((p) => p.i),
      [1, 2, 3, 4],
    );
    assert.ok(withRows.every((p) => p.n === 4 && p.etaMs !== null && p.elapsedMs > 0));
    assert.equal(withRows.at(-1)!.etaMs, 0);
    // Recommendations and the saved record.
    assert.ok(fin.best.latency && fin.best.throughput && fin.best.perCore);
    assert.match(fin.best.latency.command, /numactl --physcpubind=/);
    const saved = JSON.parse(readFileSync(join(home, 'sweeps', `${rec.sweepId}.json`), 'utf8'));
    assert.equal(saved.rows.length, 4);
    const hist = await engine.history.list({ sweepId: rec.sweepId });
    assert.equal(hist.entries.filter((e) => e.kind === 'run').length, 4);
  });

  test('two instances: each bound to its own CPU (seen on the processes), throughput summed over the overlap', async (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, hasTorch, `PyTorch for ${PY}`)) return;
    if (!/^0-1$|^0,1$/.test(usableCpus) && !CI)
      return t.skip(`needs CPUs 0 and 1 usable (have ${usableCpus})`);
    // Time-bounded passes so the two instances measure long enough to overlap despite different start-up times.
    const workload = [PY, BENCH, '-m', 'cnn', '--timeout', '6'];
    const rec = await engine.sweeps.start(
      spec(workload, { threads: [1], instances: [2], variants: ['fp32'] }),
    );
    const dir = join(home, 'sweeps', rec.sweepId, 'p0');

    // Watch the real processes: whoever carries this RESULTS_DIR, once numactl has exec'd the workload.
    const seen = new Map<number, { allowed: number[]; group: number[] }>();
    let ended = false;
    const watching = (async () => {
      while (!ended) {
        for (const name of readdirSync('/proc')) {
          if (!/^\d+$/.test(name)) continue;
          let env: string;
          let comm: string;
          try {
            env = readFileSync(`/proc/${name}/environ`, 'utf8');
            comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
          } catch {
            continue; // another user's process, or gone
          }
          if (!env.split('\0').includes(`RESULTS_DIR=${dir}`) || comm === 'numactl') continue;
          const aff = processAffinity(Number(name));
          if (aff && aff.threads.length > 0)
            seen.set(Number(name), {
              allowed: aff.allowed,
              group: groupMembers(Number(name)).map((p) => p.pid),
            });
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const fin = await engine.sweeps.wait(rec.sweepId);
    ended = true;
    await watching;

    assert.equal(fin.state, 'done', fin.error);
    const row = fin.rows[0]!;
    assert.equal(row.exitCode, 0, row.error);
    assert.equal(row.instances, 2);
    assert.equal(row.cores, 2);

    // From the processes themselves: two, each allowed on exactly one CPU, different ones, each its own group.
    const bindings = [...seen.values()].map((s) => s.allowed.join(',')).sort();
    assert.deepEqual(
      bindings,
      ['0', '1'],
      `Cpus_allowed_list of the instances: ${JSON.stringify([...seen])}`,
    );
    for (const [pid, s] of seen)
      assert.ok(s.group.includes(pid), 'each instance leads its own process group');
    // The row records the same proof per instance.
    const inst = row.instanceRuns!;
    assert.equal(inst.length, 2);
    for (const i of inst) {
      assert.deepEqual(i.boundCpus, i.cpus);
      assert.equal(i.exitCode, 0);
      assert.ok(i.latencyMs! > 0 && i.throughput! > 0 && i.passes! > 0);
      const run = engine.runs.get(i.runId);
      assert.equal(run.env.AIO_SKIP_MASTER_THREAD, '1');
      assert.equal(run.env.RESULTS_DIR, dir);
      assert.equal(run.env.AIO_NUMA_CPUS, i.cpus.join(' '));
    }

    // Total throughput counts only the passes inside the window where both instances were measuring.
    const dumps = await readResultsDir(dir);
    assert.equal(dumps.instances.length, 2);
    const raw = readdirSync(dir)
      .filter((n) => /^\d+\.json$/.test(n))
      .map(
        (n) =>
          JSON.parse(readFileSync(join(dir, n), 'utf8')) as {
            start_times: number[];
            finish_times: number[];
            workload_size: number[];
          },
      );
    const ws = Math.max(...raw.map((d) => d.start_times[0]!));
    const we = Math.min(...raw.map((d) => d.finish_times.at(-1)!));
    assert.ok(we > ws, 'the instances overlapped');
    let samples = 0;
    for (const d of raw)
      d.start_times.forEach((s, k) => {
        if (s >= ws - 1e-6 && d.finish_times[k]! <= we + 1e-6) samples += d.workload_size[k]!;
      });
    assert.ok(row.overlap, 'overlap recorded');
    assert.ok(Math.abs(row.throughput! - samples / (we - ws)) < 1e-6 * row.throughput!);
    assert.ok(Math.abs(row.overlap.windowS - (we - ws)) < 1e-6);
    // Per-instance latency is reported, and the row's latency is their mean.
    assert.ok(Math.abs(row.latencyMs! - (inst[0]!.latencyMs! + inst[1]!.latencyMs!) / 2) < 1e-9);
  });

  test('cancel stops the current run and keeps the finished rows', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    {
      const rec = await engine.sweeps.start(spec([fake], { threads: [1, 2], variants: ['fp32', 'off'] }));
      // Cancel once the first row is in and the second run is going.
      const deadline = Date.now() + 30_000;
      while (!progress.some((p) => p.sweepId === rec.sweepId && p.i === 1 && !p.row && p.current)) {
        assert.ok(Date.now() < deadline, 'first row in time');
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 200));
      const fin = await engine.sweeps.cancel(rec.sweepId);
      assert.equal(fin.state, 'cancelled');
      assert.equal(fin.rows.length, 1);
      assert.equal(fin.rows[0]!.latencyMs, 11.5);
      assert.ok(!engine.sweeps.isRunning());
      // The interrupted run was stopped, not left behind; it is in history as a stopped run, not as a row.
      const runs = (await engine.history.list({ kind: 'run' })).entries.filter((e) =>
        e.command.includes(fake),
      );
      assert.equal(runs.length, 2);
      const stopped = runs.find((e) => e.id !== fin.rows[0]!.runId)!;
      assert.equal(engine.runs.get(stopped.id).outcome?.signal, 'SIGTERM');
      const saved = JSON.parse(readFileSync(join(home, 'sweeps', `${rec.sweepId}.json`), 'utf8'));
      assert.equal(saved.state, 'cancelled');
      assert.equal(saved.rows.length, 1);
    }
  });

  test('sweep.resume: a record left "running" by a process that died continues with its missing points', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const rec = await engine.sweeps.start(spec([fake], { threads: [1, 2] }));
    const deadline = Date.now() + 30_000;
    while (!progress.some((p) => p.sweepId === rec.sweepId && p.i === 1 && !p.row && p.current)) {
      assert.ok(Date.now() < deadline, 'first row in time');
      await new Promise((r) => setTimeout(r, 50));
    }
    await engine.sweeps.cancel(rec.sweepId);
    // What `kill -9` leaves behind: the record as written after the last row, still "running".
    const file = join(home, 'sweeps', `${rec.sweepId}.json`);
    const died = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...died, state: 'running', finishedAt: null }));

    const resumed = (await engine.handle('sweep.resume', { sweepId: rec.sweepId })) as SweepRecord;
    assert.equal(resumed.state, 'running');
    await assert.rejects(engine.handle('sweep.resume', { sweepId: rec.sweepId }), /is running/);
    const fin = await engine.sweeps.wait(rec.sweepId);
    assert.equal(fin.state, 'done', fin.error);
    assert.deepEqual(
      fin.rows.map((r) => r.threads),
      [1, 2],
    );
    assert.equal(fin.rows[0]!.runId, died.rows[0].runId, 'the finished row was kept, not run again');
    assert.equal(fin.resumedAt?.length, 1);
    assert.equal(fin.configs?.length, 2);
    await assert.rejects(engine.handle('sweep.resume', { sweepId: rec.sweepId }), /nothing to resume/);
    await assert.rejects(engine.handle('sweep.resume', { sweepId: 'no-such-sweep' }), /no-such-sweep/);
  });

  test('a second sweep is refused while one runs; bad plans are refused up front', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const first = await engine.sweeps.start(spec([fake], { threads: [1] }));
    await assert.rejects(engine.sweeps.start(spec([fake])), /still running/);
    await engine.sweeps.cancel(first.sweepId);
    await assert.rejects(
      engine.sweeps.start(spec(['true'], { threads: [64] })),
      /nothing to run: .*needs 64 CPUs/,
    );
    await assert.rejects(
      engine.sweeps.start(spec(['true'], { variants: ['fp64'] })),
      /unknown variant "fp64"/,
    );
  });

  test('a workload that cannot start ends the sweep at once, with the reason, not with N failed rows', async () => {
    const rec = await engine.sweeps.start(
      spec(['/nonexistent/python3', 'x.py'], { variants: ['fp32', 'off'] }),
    );
    const fin = await engine.sweeps.wait(rec.sweepId);
    assert.equal(fin.state, 'failed');
    assert.match(fin.error ?? '', /`\/nonexistent\/python3` does not exist/);
    assert.equal(fin.rows.length, 0);
  });
});
