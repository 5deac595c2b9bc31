// The host doctor's findings join runs and sweeps (issue 14), as users meet them through the built CLI: a
// threading variable in the shell the tool was started from leaks into every run (threads-env-inherited).
// The run shows it before the workload's first line and lists it in `run --json` findings and run.json; the
// command's own checks never include it; a run that sets the variable itself is not told; a sweep says it once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI } from '../helpers/serve';
import { need } from '../helpers/require';
import type { Finding } from '../../app/shared/findings';
import type { DoctorReport } from '../../app/shared/doctor';
import type { RunInfo } from '../../app/shared/run';

const dir = mkdtempSync(join(tmpdir(), 'aio-doctor-run-'));
const home = join(dir, 'home');
after(() => rmSync(dir, { recursive: true, force: true }));
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;

function cli(args: string[], env: Record<string, string>) {
  const base = { ...process.env };
  delete base.OMP_NUM_THREADS;
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...base, AIO_TUNER_HOME: home, ...env },
    timeout: 120_000,
  });
}

interface RunJson {
  runId: string;
  logFile: string;
  exitCode: number;
  findings: Finding[];
  checks: { code: string }[];
}

const ECHO = ['/bin/sh', '-c', 'echo workload-says-hello'];

test('OMP_NUM_THREADS in the shell: threads-env-inherited before the run, in run --json findings and in run.json', () => {
  const r = cli(['run', '--json', '--', ...ECHO], { OMP_NUM_THREADS: '3' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as RunJson;
  const f = j.findings.find((x) => x.code === 'threads-env-inherited');
  assert.ok(f, JSON.stringify(j.findings));
  assert.equal(f.severity, 'warning');
  assert.deepEqual(f.evidence, [{ source: 'environment of this machine', value: 'OMP_NUM_THREADS=3' }]);
  assert.equal(f.fix?.command, 'unset OMP_NUM_THREADS');
  // `checks` judge the command: the doctor's findings are never among them.
  assert.ok(!j.checks.some((c) => c.code === 'threads-env-inherited'));
  // Said once, before the workload's output.
  const said = r.stderr.indexOf('aio-tuner: warning: threads-env-inherited: ');
  assert.ok(said >= 0, r.stderr);
  assert.ok(said < r.stderr.indexOf('workload-says-hello'), r.stderr);
  assert.equal(r.stderr.split('threads-env-inherited').length, 2, r.stderr);
  // The record: known as it started (hostFindings) and among the outcome's findings.
  const rec = JSON.parse(readFileSync(join(dirname(j.logFile), 'run.json'), 'utf8')) as RunInfo;
  // Beside it, whatever else this host's own files justify (THP is `madvise` on the CI VM): the same set the
  // doctor finds here, errors and warnings only.
  const here = JSON.parse(cli(['doctor', '--json'], { OMP_NUM_THREADS: '3' }).stdout) as DoctorReport;
  assert.deepEqual(
    rec.hostFindings?.map((x) => x.code).sort(),
    here.checks
      .filter((c) => c.severity !== 'info')
      .map((c) => c.code)
      .sort(),
  );
  assert.ok(rec.outcome?.findings?.some((x) => x.code === 'threads-env-inherited'));
});

test('a clean shell, or a run that sets the variable itself: no threads-env-inherited', () => {
  const clean = cli(['run', '--json', '--', ...ECHO], {});
  assert.equal(clean.status, 0, clean.stderr);
  assert.ok(!(JSON.parse(clean.stdout) as RunJson).findings.some((x) => x.code === 'threads-env-inherited'));
  const own = cli(['run', '--json', '--threads', '2', '--', ...ECHO], { OMP_NUM_THREADS: '3' });
  assert.equal(own.status, 0, own.stderr);
  const j = JSON.parse(own.stdout) as RunJson & { env: Record<string, string> };
  assert.equal(j.env.OMP_NUM_THREADS, '2');
  assert.ok(!j.findings.some((x) => x.code === 'threads-env-inherited'), JSON.stringify(j.findings));
});

test('run --check: a doctor warning is reported and the run goes on', () => {
  // --threads: the command's own checks find nothing to refuse (no-threads is an error of theirs).
  const r = cli(['run', '--check', '--json', '--threads', '1', '--', ...ECHO], { MKL_NUM_THREADS: '4' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok((JSON.parse(r.stdout) as RunJson).findings.some((x) => x.code === 'threads-env-inherited'));
  assert.match(r.stderr, /aio-tuner: warning: threads-env-inherited: /);
});

test('a sweep says it once, in its top-level findings, not on each row', (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const fake = join(dir, 'bench.sh');
  writeFileSync(fake, '#!/bin/sh\necho "  LATENCY"\necho "      mean   $((10 + AIO_NUM_THREADS)).5 [ms]"\n');
  chmodSync(fake, 0o755);
  const r = cli(['sweep', '--threads', '1,2', '--json', '--', fake], { MKL_NUM_THREADS: '4' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { findings: Finding[]; rows: { findings?: Finding[] }[] };
  const f = out.findings.filter((x) => x.code === 'threads-env-inherited');
  assert.equal(f.length, 1, JSON.stringify(out.findings));
  assert.deepEqual(f[0]!.evidence, [{ source: 'environment of this machine', value: 'MKL_NUM_THREADS=4' }]);
  assert.equal(out.rows.length, 2);
  for (const row of out.rows)
    assert.ok(!(row.findings ?? []).some((x) => x.code === 'threads-env-inherited'));
});
