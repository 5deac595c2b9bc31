// `run --json` results statistics and `--gate`/`--baseline` as a CI pipeline uses them: the built CLI, a real
// Python workload that sleeps and prints per-step latency lines then a closing summary, real exit codes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { need } from '../helpers/require';

const dir = mkdtempSync(join(tmpdir(), 'aio-gates-cli-'));
const home = join(dir, 'home');
const printer = join(dir, 'printer.py');
const PY = '/usr/bin/python3';
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;

// STEPS passes of ~SLEEP_MS each, one `step i latency: X ms` line per pass, then the workload's own summary
// (mean, and a throughput); EXIT_CODE ends it as a crash would. With RESULTS_DIR it also dumps the pass times
// as AML does (<pid>.json).
before(() => {
  writeFileSync(
    printer,
    `import json, os, sys, time
steps = int(os.environ.get("STEPS", "40"))
sleep_s = float(os.environ.get("SLEEP_MS", "5")) / 1000
starts, finishes, lat = [], [], []
for i in range(steps):
    t0 = time.time()
    time.sleep(sleep_s)
    t1 = time.time()
    starts.append(t0); finishes.append(t1); lat.append((t1 - t0) * 1000)
    print(f"step {i} latency: {lat[-1]:.3f} ms", flush=True)
print(f"mean latency: {sum(lat) / len(lat):.3f} ms")
print(f"throughput: {1000 * len(lat) / sum(lat):.1f} samples/s")
if os.environ.get("RESULTS_DIR"):
    with open(os.path.join(os.environ["RESULTS_DIR"], f"{os.getpid()}.json"), "w") as f:
        json.dump({"start_times": starts, "finish_times": finishes, "workload_size": [1] * steps}, f)
sys.exit(int(os.environ.get("EXIT_CODE", "0")))
`,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home, ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('run: per-step samples and the summary', () => {
  test('--json: results.source, samples, latencyStats; findings; the summary line shows the interval', () => {
    // Without the tool's own RESULTS_DIR the printed per-step values are the samples.
    const r = cli(['run', '--json', '--unset', 'RESULTS_DIR', '--', PY, printer]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.measurementEnv, undefined, '--unset RESULTS_DIR: no folder of the tool');
    assert.equal(j.results.source, 'generic');
    assert.equal(j.results.samples, 40);
    assert.equal(j.results.samplesFrom, 'output');
    const st = j.results.latencyStats;
    // Each pass sleeps 5 ms: the mean is above that, and the summary the workload printed is the result.
    assert.ok(st.meanMs >= 5 && st.meanMs < 50, `mean ${st.meanMs}`);
    assert.ok(st.ci95Ms[0] < st.meanMs && st.meanMs < st.ci95Ms[1], `CI ${st.ci95Ms}`);
    assert.ok(st.medianMs >= 5 && st.p90Ms >= st.medianMs);
    assert.ok(st.cv >= 0);
    assert.ok(
      Math.abs(j.results.latencyMs.mean - st.meanMs) < 0.01,
      'the printed mean (3 decimals) is the result',
    );
    assert.equal(j.results.throughput.unit, 'samples/s');
    assert.equal(j.results.throughputStats, null, 'one throughput line is a summary, not samples');
    // 40 passes of ~5 ms are well under 10 s of measurement.
    assert.ok(
      j.findings.some((f: { code: string }) => f.code === 'too-few-samples'),
      JSON.stringify(j.findings),
    );
    assert.equal(j.gates, undefined, 'no --gate, no gates field');

    // The summary line follows the echoed output (--quiet leaves both out).
    const human = cli(['run', '--threads', '1', '--', PY, printer]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stderr,
      /latency mean [\d.]+ ms, median [\d.]+, p90 [\d.]+ \(95 % CI [\d.]+–[\d.]+, n=40, CV [\d.]+ %\)/,
    );
  });

  test('a run that names no RESULTS_DIR gets its own: the dumps are the samples, the command is unchanged', () => {
    const r = cli(['run', '--json', '--', PY, printer], { STEPS: '33' });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const own = j.measurementEnv?.RESULTS_DIR as string;
    assert.equal(own, join(home, 'runs', j.runId, 'passes'));
    assert.ok(existsSync(own), 'the folder is kept with the run');
    assert.equal(j.env.RESULTS_DIR, undefined, 'a measurement variable, not part of the command');
    assert.equal(j.results.samplesFrom, 'results-dir');
    assert.equal(j.results.samples, 33);
    assert.ok(j.results.latencyStats.ci95Ms[0] < j.results.latencyStats.ci95Ms[1]);
  });

  test("the user's RESULTS_DIR: the dumps' exact pass times are the samples", () => {
    const rd = join(dir, 'rd');
    mkdirSync(rd, { recursive: true });
    const r = cli(['run', '--json', '--set', `RESULTS_DIR=${rd}`, '--', PY, printer], { STEPS: '35' });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.results.source, 'generic', "the output's format stays the source");
    assert.equal(j.results.samplesFrom, 'results-dir');
    assert.equal(j.results.samples, 35);
    assert.equal(j.results.throughputStats.unit, 'samples/s');
  });
});

describe('run --gate', () => {
  test('gates pass: exit 0, each gate on stderr and in JSON', () => {
    const r = cli([
      'run',
      '--json',
      '--gate',
      'latency.p90<1000',
      '--gate',
      'samples >= 40',
      '--',
      PY,
      printer,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.gates.map((g: { expr: string; pass: boolean }) => [g.expr, g.pass]),
      [
        ['latency.p90<1000', true],
        ['samples>=40', true],
      ],
    );
    assert.ok(j.gates[0].value >= 5);
    assert.equal(j.gates[1].value, 40);
    assert.match(r.stderr, /aio-tuner: gate latency\.p90<1000: [\d.]+ — pass\n/);
  });

  test('a gate fails: exit 4; a metric the run did not produce fails as not measured', () => {
    const r = cli([
      'run',
      '--quiet',
      '--gate',
      'latency.mean<1',
      '--gate',
      'throughput>1',
      '--',
      PY,
      printer,
    ]);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /gate latency\.mean<1: [\d.]+ — FAIL\n/);
    assert.match(r.stderr, /gate throughput>1: [\d.]+ — pass\n/);
    const nm = cli(['run', '--json', '--gate', 'latency.p99.9<1e9', '--', PY, printer], { STEPS: '1' });
    assert.equal(nm.code, 4, nm.stderr);
    const g = JSON.parse(nm.stdout).gates[0];
    assert.deepEqual([g.value, g.pass, g.reason], [null, false, 'not measured']);
  });

  test('bad gates are usage errors (exit 2) and nothing runs', () => {
    const marker = join(dir, 'ran');
    for (const [gate, re] of [
      ['latency.p95<12', /--gate: gate "latency.p95<12": unknown metric "latency.p95"/],
      ['latency.p90=12', /operator "=" is not one of <, <=, >, >=/],
      ['throughput>fast', /"fast" is not a number/],
      ['latency.mean<baseline*1.5', /add --baseline RUNID/],
    ] as const) {
      const r = cli(['run', '--gate', gate, '--', 'touch', marker]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    }
    const missing = cli([
      'run',
      '--gate',
      'latency.mean<baseline*2',
      '--baseline',
      'no-such-run',
      '--',
      'touch',
      marker,
    ]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--baseline no-such-run: no saved run with that id/);
    assert.ok(!existsSync(marker), 'nothing was started');
  });

  test('a failed workload keeps its own exit code; its gates are not evaluated', () => {
    const r = cli(['run', '--json', '--gate', 'latency.mean<1', '--', PY, printer], { EXIT_CODE: '3' });
    assert.equal(r.code, 3, r.stderr);
    const g = JSON.parse(r.stdout).gates[0];
    assert.deepEqual([g.value, g.pass, g.reason], [null, null, 'the workload failed (status 3)']);
    assert.match(r.stderr, /gate latency\.mean<1: - — not evaluated \(the workload failed \(status 3\)\)/);
  });

  test('--baseline RUNID: baseline*F against a saved run', () => {
    const first = cli(['run', '--json', '--', PY, printer]);
    assert.equal(first.code, 0, first.stderr);
    const base = JSON.parse(first.stdout);
    const r = cli([
      'run',
      '--json',
      '--baseline',
      base.runId,
      '--gate',
      'latency.mean<=baseline*1.5',
      '--gate',
      'latency.mean<baseline*0.5',
      '--',
      PY,
      printer,
    ]);
    assert.equal(r.code, 4, r.stderr);
    const [ok, tooFast] = JSON.parse(r.stdout).gates;
    assert.ok(Math.abs(ok.threshold - base.results.latencyMs.mean * 1.5) < 1e-9);
    assert.equal(ok.pass, true, JSON.stringify(ok));
    assert.equal(tooFast.pass, false, 'half the baseline latency is out of reach of the same workload');
    assert.match(r.stderr, /gate latency\.mean<=baseline\*1\.5: [\d.]+ vs [\d.]+ — pass/);
  });
});

describe('sweep --gate', () => {
  test('latency gates read the best-latency configuration; a failing gate is exit 4', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const r = cli([
      'sweep',
      '--cores',
      '0',
      '--threads',
      '1',
      '--json',
      '--gate',
      'latency.mean<1000',
      '--gate',
      'throughput>1e9',
      '--',
      PY,
      printer,
    ]);
    assert.equal(r.code, 4, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(
      j.gates.map((g: { expr: string; pass: boolean }) => [g.expr, g.pass]),
      [
        ['latency.mean<1000', true],
        ['throughput>1e9', false],
      ],
    );
    assert.ok(j.gates[0].value >= 5, JSON.stringify(j.gates[0]));
    assert.match(r.stderr, /gate throughput>1e9: [\d.]+ — FAIL/);
    const bad = cli(['sweep', '--threads', '1', '--gate', 'latency.p95<1', '--', PY, printer]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /unknown metric "latency.p95"/);
  });
});
