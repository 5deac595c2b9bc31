// The held-CPU registry (one file per live run, shared by every front of the tool), the run-level findings built
// on it and on the load record, and the engine probe of a real interpreter.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { need } from '../helpers/require';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeldRegistry, processStart, sharedCpus } from '../../app/run/held';
import { busyMachineFinding, cpusInUseFinding, engineAbsentFinding } from '../../app/run/runfindings';
import {
  probeInterpreter,
  pythonInterpreterOf,
  releaseVersion,
  shebangInterpreter,
} from '../../app/system/engineprobe';
import { engineLine } from '../../app/shared/engineline';

const dir = mkdtempSync(join(tmpdir(), 'aio-held-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A process that stays alive until killed: stands for another front of the tool holding CPUs. */
function otherProcess() {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

describe('HeldRegistry', () => {
  test('a run holds its CPUs until released; another process sees the file', () => {
    const reg = new HeldRegistry(join(dir, 'a', 'held'));
    assert.deepEqual(reg.list(), []); // no folder yet
    reg.hold({ runId: 'r1', cpus: [0, 1], startedAt: '2026-01-01T00:00:00Z', target: 'local' });
    const [e] = reg.list();
    assert.equal(e?.runId, 'r1');
    assert.equal(e?.pid, process.pid);
    assert.deepEqual(e?.cpus, [0, 1]);
    assert.equal(e?.pidStart, processStart(process.pid));
    // Written atomically: no temporary file is left beside it.
    assert.deepEqual(readdirSync(join(dir, 'a', 'held')), ['r1.json']);
    reg.release('r1');
    assert.deepEqual(reg.list(), []);
    reg.release('r1'); // twice is harmless
  });

  test("entries of a dead tool process, or of a pid now someone else's, are stale: ignored and removed", async () => {
    const d = join(dir, 'b');
    mkdirSync(d, { recursive: true });
    const other = otherProcess();
    try {
      const start = processStart(other.pid);
      assert.notEqual(start, null);
      const write = (runId: string, pid: number, pidStart: number | null) =>
        writeFileSync(
          join(d, `${runId}.json`),
          JSON.stringify({
            runId,
            pid,
            pidStart,
            cpus: [1],
            startedAt: `2026-01-01T00:00:0${runId.length}Z`,
            target: 'local',
          }),
        );
      write('live', other.pid, start);
      write('dead', 2 ** 22 + 12345, null); // above pid_max: never a live process
      write('reused', other.pid, start! + 1); // same pid, started at another time: not the tool that wrote it
      writeFileSync(join(d, 'junk.json'), 'not json');
      const reg = new HeldRegistry(d);
      assert.deepEqual(
        reg.list().map((e) => e.runId),
        ['live'],
      );
      assert.ok(!existsSync(join(d, 'dead.json')), 'the stale file is removed');
      assert.ok(!existsSync(join(d, 'reused.json')));
      other.stop();
      // Once that process is gone its entry goes too.
      const deadline = Date.now() + 5000;
      while (reg.list().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(reg.list(), []);
    } finally {
      other.stop();
    }
  });

  test('shared CPUs: the common ones; an unbound run shares all of the other', () => {
    assert.deepEqual(sharedCpus([0, 1, 2], [2, 3]), [2]);
    assert.equal(sharedCpus([0, 1], [2, 3]), null);
    assert.deepEqual(sharedCpus([], [4, 5]), [4, 5]);
    assert.deepEqual(sharedCpus([1], []), [1]);
  });
});

describe('run findings', () => {
  const entry = { runId: 'R1', pid: 42, cpus: [0], startedAt: '', target: 'local', pidStart: null };

  test('cpus-in-use names the other runs and the CPUs they share', () => {
    assert.equal(cpusInUseFinding([]), null);
    const f = cpusInUseFinding([
      { entry, shared: [0] },
      { entry: { ...entry, runId: 'R2', pid: 7, sweepId: 'S9' }, shared: [] },
    ])!;
    assert.equal(f.code, 'cpus-in-use');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /run R1 \(pid 42\)/);
    assert.match(f.message, /sweep S9 run R2 \(pid 7\)/);
    assert.deepEqual(
      f.evidence!.map((e) => e.value),
      ['CPUs 0', 'not bound (any CPU)'],
    );
  });

  test('busy-machine: the mean of the CPUs outside the selection above 20 %', () => {
    const load = (outside: number[]) => [
      { cpu: 0, mean: 1, peak: 1 },
      ...outside.map((m, i) => ({ cpu: i + 1, mean: m, peak: m })),
    ];
    assert.equal(busyMachineFinding(load([0.2, 0.2]), [0]), null, 'exactly 20 % is not over');
    assert.equal(busyMachineFinding(load([0.9, 0.9]), []), null, 'no selection: nothing is outside');
    assert.equal(busyMachineFinding(null, [0]), null, 'no load record');
    assert.equal(busyMachineFinding([{ cpu: 0, mean: 1, peak: 1 }], [0]), null, 'nothing outside');
    const f = busyMachineFinding(load([0.05, 0.9, 0.4]), [0])!;
    assert.equal(f.code, 'busy-machine');
    assert.match(f.message, /45 % busy on average/);
    // The busiest outside CPUs first; the run's own CPU is not among them.
    assert.deepEqual(
      f.evidence!.slice(1).map((e) => e.source),
      ['CPU 2 mean busy', 'CPU 3 mean busy', 'CPU 1 mean busy'],
    );
  });

  test('engine-absent only when torch imports without the engine; names the AIO_* variables set', () => {
    const absent = { present: false, version: null, python: '3.11.2', torch: '1.13.0' };
    const f = engineAbsentFinding(absent, '/usr/bin/python3', {
      AIO_NUM_THREADS: '2',
      OMP_NUM_THREADS: '2',
    })!;
    assert.equal(f.code, 'engine-absent');
    assert.match(f.message, /AIO_PROCESS_MODE/);
    assert.match(f.message, /This run sets AIO_NUM_THREADS, which does nothing here/);
    assert.equal(f.fix?.label, 'Run with the Ampere Optimized PyTorch image/interpreter');
    assert.match(engineAbsentFinding(absent, null, {})!.message, /sets no AIO_\* variable/);
    assert.equal(engineAbsentFinding({ ...absent, present: true }, null, {}), null);
    assert.equal(engineAbsentFinding({ ...absent, torch: null, error: 'no torch' }, null, {}), null);
    assert.equal(engineAbsentFinding(null, null, {}), null);
  });
});

describe('engine probe', () => {
  test('a shebang names the interpreter of a .py script', async () => {
    assert.equal(shebangInterpreter('#!/usr/bin/python3'), '/usr/bin/python3');
    assert.equal(shebangInterpreter('#!/usr/bin/env python3.11 -u'), 'python3.11');
    assert.equal(shebangInterpreter('#!/usr/bin/env -S python3 -u'), 'python3');
    assert.equal(shebangInterpreter('#!/bin/sh'), null);
    assert.equal(shebangInterpreter('import torch'), null);
    const script = join(dir, 'bench.py');
    writeFileSync(script, '#!/usr/bin/python3\nprint(1)\n');
    assert.equal(await pythonInterpreterOf([script], { env: {}, cwd: null }), '/usr/bin/python3');
    assert.equal(await pythonInterpreterOf(['./bench.py'], { env: {}, cwd: dir }), '/usr/bin/python3');
    assert.equal(await pythonInterpreterOf(['sh', '-c', 'true'], { env: {}, cwd: null }), null);
    assert.equal(await pythonInterpreterOf(['python3', 'x.py'], { env: {}, cwd: null }), 'python3');
  });

  test("Debian's python3 with PyTorch 1.13: torch, no engine", async () => {
    const e = await probeInterpreter('/usr/bin/python3', { env: { AIO_DEBUG_MODE: '4' }, cwd: null });
    assert.equal(e.present, false);
    assert.match(e.torch ?? '', /^1\.13/);
    assert.match(e.python ?? '', /^3\.\d+\.\d+$/);
    assert.equal(e.version, null);
    assert.equal(e.error, undefined);
    assert.match(engineLine(e), /^Ampere engine: not detected \(torch 1\.13.*, Python 3\./);
  });

  test("the run's environment decides: a PYTHONPATH hiding torch makes torch unimportable", async () => {
    const fake = join(dir, 'faketorch');
    mkdirSync(join(fake, 'torch'), { recursive: true });
    writeFileSync(join(fake, 'torch', '__init__.py'), 'raise ImportError("shadowed for the test")\n');
    const e = await probeInterpreter('/usr/bin/python3', { env: { PYTHONPATH: fake }, cwd: null });
    assert.equal(e.torch, null);
    assert.match(e.error ?? '', /torch cannot be imported: ImportError: shadowed for the test/);
    // Inherited, then removed the way the run removes it: the real torch is back.
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = fake;
    try {
      const inherited = await probeInterpreter('/usr/bin/python3', { env: {}, cwd: null });
      assert.equal(inherited.torch, null);
      const unset = await probeInterpreter('/usr/bin/python3', { env: {}, unset: ['PYTHONPATH'], cwd: null });
      assert.match(unset.torch ?? '', /^1\.13/);
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
  });

  test('a missing interpreter, a silent one and a hung one become errors, never throws', async () => {
    const missing = await probeInterpreter('/nonexistent/python3', { env: {}, cwd: null });
    assert.deepEqual(
      { present: missing.present, torch: missing.torch, python: missing.python },
      { present: false, torch: null, python: null },
    );
    assert.match(missing.error ?? '', /not found/);
    const silent = join(dir, 'python-silent');
    writeFileSync(silent, '#!/bin/sh\necho "boom: bad install" >&2\nexit 3\n', { mode: 0o755 });
    const s = await probeInterpreter(silent, { env: {}, cwd: null });
    assert.match(s.error ?? '', /exited with code 3 before answering: boom: bad install/);
    const hung = join(dir, 'python-hung');
    writeFileSync(hung, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const t0 = Date.now();
    const h = await probeInterpreter(hung, { env: {}, cwd: null, timeoutMs: 500 });
    assert.ok(Date.now() - t0 < 5000);
    assert.match(h.error ?? '', /did not answer within 1 s/);
  });

  test('/.release: its first non-empty line', () => {
    assert.equal(releaseVersion('\n  1.11.0 \nbuild 7\n'), '1.11.0');
    assert.equal(releaseVersion(null), null);
    assert.equal(releaseVersion('\n\n'), null);
  });
});

describe('run findings from a real engine', () => {
  const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
  // Two seconds of a busy shell loop: a real load on the CPU the run is bound to.
  const BUSY = ['sh', '-c', 'end=$(($(date +%s) + 2)); while [ "$(date +%s)" -lt "$end" ]; do :; done'];

  test('instances of one sweep point load each other by design: no busy-machine between them', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const { Engine } = await import('../../app/api/engine');
    const { defaultSettings } = await import('../../app/command');
    const e = new Engine({ shell: 'browser', dataDir: join(dir, 'engine') });
    try {
      const start = async (cpu: number, sweepId?: string) => {
        const settings = { ...defaultSettings(), cpus: [cpu], workload: BUSY };
        return e.runs.start(settings, await e.buildFor(settings), sweepId ? { sweepId } : {});
      };
      const codesOf = async (id: string) =>
        ((await e.runs.waitFor(id)).outcome?.findings ?? []).map((f) => f.code);
      const [a, b] = [await start(0, 'S1'), await start(1, 'S1')];
      assert.ok(!(await codesOf(a.runId)).includes('busy-machine'));
      assert.ok(!(await codesOf(b.runId)).includes('busy-machine'));
      // The same two runs outside a sweep: each one's neighbour is other work on the machine.
      const [c, d] = [await start(0), await start(1)];
      assert.ok((await codesOf(c.runId)).includes('busy-machine'));
      assert.ok((await codesOf(d.runId)).includes('busy-machine'));
    } finally {
      await e.dispose();
    }
  });
});
