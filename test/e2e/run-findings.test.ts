// Run-level findings as users meet them (the built CLI, real processes): the engine probe of the workload's
// Python (engine-absent), another run of the tool holding the selected CPUs (cpus-in-use, through the
// cross-process registry) and other work on the rest of the machine (busy-machine). The UI side: the map marks
// CPUs held by a CLI run, and the result card shows the findings and the probe.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CLI, launchBrowser, startServe, type Served } from '../helpers/serve';
import { openApp, pickCpus, setWorkload } from '../helpers/ui';
import { need } from '../helpers/require';
import { screenshotPath } from '../helpers/screenshot';
import type { Finding } from '../../app/shared/findings';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch']).status === 0;
const hasTaskset = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'aio-run-findings-'));
const home = join(dir, 'home');
const heldDir = join(home, 'held');
const BENCH = ['/usr/bin/python3', 'examples/bench.py', '--num_runs', '40', '--warmup', '2'];

after(() => rmSync(dir, { recursive: true, force: true }));

interface RunJson {
  runId: string;
  exitCode: number | null;
  engine: { present: boolean; version: string | null; python: string | null; torch: string | null } | null;
  findings: Finding[];
}

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 120_000,
  });
}

function runJson(args: string[]): RunJson {
  const r = cli(['run', '--json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}

const codes = (j: { findings: Finding[] }) => j.findings.map((f) => f.code);

/** A long run from another CLI process, bound to `cpus`; resolves once it is registered as holding them. */
async function holdingRun(cpus: string, seconds: number): Promise<{ proc: ChildProcess; runId: string }> {
  const before = new Set(existsSync(heldDir) ? readdirSync(heldDir) : []);
  const proc = spawn(
    process.execPath,
    [CLI, 'run', '--quiet', '--cores', cpus, '--', 'sleep', String(seconds)],
    {
      env: { ...process.env, AIO_TUNER_HOME: home },
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const added = (existsSync(heldDir) ? readdirSync(heldDir) : []).filter(
      (n) => n.endsWith('.json') && !before.has(n),
    );
    if (added.length) return { proc, runId: added[0]!.replace(/\.json$/, '') };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error('the holding run never registered');
}

const exited = (p: ChildProcess) =>
  new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

describe('run findings (CLI)', () => {
  test('bench.py on a PyTorch without the engine: engine probed, engine-absent, kept in run.json', (t) => {
    if (!need(t, hasTorch, '/usr/bin/python3 with PyTorch')) return;
    if (!need(t, hasNumactl, 'numactl')) return;
    const j = runJson(['--cores', '0', '--', ...BENCH]);
    assert.equal(j.exitCode, 0);
    assert.equal(j.engine?.present, false);
    assert.match(j.engine?.torch ?? '', /^1\.13/);
    assert.match(j.engine?.python ?? '', /^3\.\d+/);
    assert.equal(j.engine?.version, null);
    const f = j.findings.find((x) => x.code === 'engine-absent');
    assert.ok(f, `engine-absent in ${JSON.stringify(j.findings)}`);
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /AIO_PROCESS_MODE/);
    // --cores sets the engine's thread and binding variables: the finding says they do nothing here.
    assert.match(f.message, /This run sets AIO_NUMA_CPUS, AIO_NUM_THREADS, which do nothing here/);
    assert.deepEqual(f.evidence?.[0], { source: 'interpreter', value: '/usr/bin/python3' });
    assert.equal(f.fix?.label, 'Run with the Ampere Optimized PyTorch image/interpreter');
    const saved = JSON.parse(readFileSync(join(home, 'runs', j.runId, 'run.json'), 'utf8'));
    assert.deepEqual(saved.outcome.engine, j.engine);
    assert.ok(saved.outcome.findings.some((x: Finding) => x.code === 'engine-absent'));

    // A support bundle of that run carries the probe made before it, where its reader looks first.
    const out = join(dir, 'bench-bundle.tar.gz');
    const b = cli(['bundle', '--from-run', join(home, 'runs', j.runId), '--out', out]);
    assert.equal(b.status, 0, b.stderr);
    const x = mkdtempSync(join(dir, 'x-'));
    execFileSync('tar', ['xzf', out, '-C', x]);
    const root = join(x, readdirSync(x)[0]!);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'run', 'result.json'), 'utf8')).engine, j.engine);
    assert.match(readFileSync(join(root, 'README.txt'), 'utf8'), /^Engine: {3}not detected \(torch 1\.13/m);
  });

  test('a non-Python workload is not probed: engine null, no engine-absent', () => {
    const j = runJson(['--', 'sh', '-c', 'echo "latency: 2.5 ms"']);
    assert.equal(j.engine, null);
    assert.ok(!codes(j).includes('engine-absent'));
  });

  test('without --json the findings are said on stderr', (t) => {
    if (!need(t, hasTorch, '/usr/bin/python3 with PyTorch')) return;
    const r = cli(['run', '--quiet', '--', '/usr/bin/python3', '-c', 'import time; time.sleep(0.1)']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /aio-tuner: warning: engine-absent: .* \(Run with the Ampere Optimized PyTorch image\/interpreter\)/,
    );
  });

  test('cpus-in-use: another CLI process holds CPU 0; gone once it ends; a dead entry is ignored', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const a = await holdingRun('0', 30);
    try {
      const held = JSON.parse(readFileSync(join(heldDir, `${a.runId}.json`), 'utf8'));
      assert.deepEqual(held.cpus, [0]);
      assert.equal(held.pid, a.proc.pid, 'the pid is the tool process that started the run');
      // CPU 1 is not held: no finding.
      assert.ok(!codes(runJson(['--cores', '1', '--', 'true'])).includes('cpus-in-use'));
      const b = runJson(['--cores', '0', '--', 'true']);
      const f = b.findings.find((x) => x.code === 'cpus-in-use');
      assert.ok(f, `cpus-in-use in ${JSON.stringify(b.findings)}`);
      assert.equal(f.severity, 'warning');
      assert.match(f.message, new RegExp(`run ${a.runId} \\(pid ${a.proc.pid}\\)`));
      assert.deepEqual(f.evidence, [{ source: `run ${a.runId} (pid ${a.proc.pid})`, value: 'CPUs 0' }]);
      // The second run's own entry is gone once it ended; the first one's is still there.
      assert.deepEqual(readdirSync(heldDir), [`${a.runId}.json`]);
    } finally {
      a.proc.kill('SIGINT'); // the CLI stops its run and releases the CPUs
      await exited(a.proc);
    }
    assert.deepEqual(readdirSync(heldDir), []);
    assert.ok(!codes(runJson(['--cores', '0', '--', 'true'])).includes('cpus-in-use'));

    // A tool process killed outright leaves its file behind: its pid is dead, so the entry is stale.
    mkdirSync(heldDir, { recursive: true });
    const stale = join(heldDir, 'STALE-RUN.json');
    writeFileSync(
      stale,
      JSON.stringify({
        runId: 'STALE-RUN',
        pid: 2 ** 22 + 4321,
        pidStart: null,
        cpus: [0],
        startedAt: '',
        target: 'local',
      }),
    );
    assert.ok(!codes(runJson(['--cores', '0', '--', 'true'])).includes('cpus-in-use'));
    assert.ok(!existsSync(stale), 'the stale entry is removed');
  });

  test("a support bundle's run holds its CPUs too", async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const out = join(dir, 'sleep-bundle.tar.gz');
    const bundle = spawn(
      process.execPath,
      [CLI, 'bundle', '--out', out, '--cores', '0', '--', 'sleep', '4'],
      {
        env: { ...process.env, AIO_TUNER_HOME: home },
        stdio: 'ignore',
      },
    );
    try {
      let name: string | undefined;
      const deadline = Date.now() + 20_000;
      while (!name && Date.now() < deadline) {
        name = (existsSync(heldDir) ? readdirSync(heldDir) : []).find((n) => /^bundle-.*\.json$/.test(n));
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(name, 'the bundle run registered');
      const f = runJson(['--cores', '0', '--', 'true']).findings.find((x) => x.code === 'cpus-in-use');
      assert.match(
        f?.message ?? '',
        new RegExp(`run ${name.replace(/\.json$/, '')} \\(pid ${bundle.pid}\\)`),
      );
      await exited(bundle);
      assert.equal(bundle.exitCode, 0);
      assert.ok(!existsSync(join(heldDir, name)), 'released when the bundle run ended');
    } finally {
      bundle.kill('SIGKILL');
    }
  });

  test('busy-machine: a busy loop pinned to CPU 1 while the run is bound to CPU 0', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    if (!need(t, hasTaskset, 'taskset (util-linux) and a second CPU')) return;
    const loop = spawn('taskset', ['-c', '1', '/usr/bin/python3', '-c', 'while True: pass'], {
      stdio: 'ignore',
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const j = runJson(['--cores', '0', '--', 'sleep', '2']);
      const f = j.findings.find((x) => x.code === 'busy-machine');
      assert.ok(f, `busy-machine in ${JSON.stringify(j.findings)}`);
      assert.equal(f.severity, 'warning');
      assert.match(f.message, /CPUs outside this run's selection were \d+ % busy on average/);
      assert.ok(f.evidence?.some((e) => e.source === 'CPU 1 mean busy'));
      // Without a selection nothing is "outside": no finding whatever the load.
      assert.ok(!codes(runJson(['--', 'sleep', '1'])).includes('busy-machine'));
    } finally {
      loop.kill('SIGKILL');
      await exited(loop);
    }
  });
});

describe('run findings (UI)', () => {
  let served: Served;
  let browser: Browser;

  before(async () => {
    // The same data home as the CLI runs: the server sees what they hold.
    [browser, served] = await Promise.all([launchBrowser(), startServe([], { home })]);
  });
  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  test('the map marks CPUs held by a CLI run; the result card shows findings and the engine probe', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    if (!need(t, hasTorch, '/usr/bin/python3 with PyTorch')) return;
    const page = await openApp(browser, served.url);
    try {
      const a = await holdingRun('1', 60);
      try {
        const cell = page.locator('.cpu-cell[data-cpu="1"]');
        await page.waitForSelector('.cpu-cell[data-cpu="1"].held', { timeout: 15_000 });
        assert.match(
          (await cell.getAttribute('title')) ?? '',
          new RegExp(`in use by run ${a.runId} \\(pid ${a.proc.pid}\\)`),
        );
        assert.equal(await page.locator('.cpu-cell[data-cpu="0"].held').count(), 0);
        assert.match(
          (await page.textContent('[data-testid=map-legend-held]')) ?? '',
          /in use by another run of AIO Tuner/,
        );
        await page.screenshot({ path: screenshotPath('map-held-cpus.png') });
      } finally {
        a.proc.kill('SIGINT');
        await exited(a.proc);
      }
      // Released: the mark goes at the next refresh.
      await page.waitForSelector('.cpu-cell[data-cpu="1"].held', { state: 'detached', timeout: 15_000 });
      assert.equal(await page.locator('[data-testid=map-legend-held]').count(), 0);

      await pickCpus(page, '0');
      await setWorkload(page, BENCH.join(' '));
      await page.click('[data-testid=run-start]');
      await page.waitForSelector('[data-testid=run-status][data-state=exited]', { timeout: 90_000 });
      await page.waitForSelector('[data-testid=result-card] .finding[data-code=engine-absent]');
      const text = await page.innerText('[data-testid=result-card]');
      assert.match(text, /Ampere engine: not detected \(torch 1\.13[^,]*, Python 3\./);
      assert.match(text, /engine-absent/);
      assert.match(text, /Fix: Run with the Ampere Optimized PyTorch image\/interpreter/);
      await page
        .locator('[data-testid=result-card]')
        .screenshot({ path: screenshotPath('run-findings-card.png') });
    } finally {
      await page.close();
    }
  });
});
