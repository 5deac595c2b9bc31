// Bundles carry the host doctor's report (system/doctor.json) and name its findings and the known failures of
// the run's output in README.txt: the built CLI, a real run, the archive read back with the system tar.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI } from '../helpers/serve';
import type { DoctorReport } from '../../app/shared/doctor';

const tmp = mkdtempSync(join(os.tmpdir(), 'aio-bundle-doctor-'));
const home = join(tmp, 'home');
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    // Inherited by every run: the doctor's threads-env-inherited finding.
    env: { ...process.env, AIO_TUNER_HOME: home, OMP_NUM_THREADS: '3' },
    timeout: 180_000,
  });
}

function extracted(path: string): string {
  const dir = mkdtempSync(join(tmp, 'x-'));
  execFileSync('tar', ['xzf', path, '-C', dir]);
  return join(dir, readdirSync(dir)[0]!);
}

const FAILING = ['/bin/sh', '-c', 'echo "set_mempolicy: Operation not permitted" >&2; exit 1'];

function doctorOf(dir: string): DoctorReport {
  const report = JSON.parse(readFileSync(join(dir, 'system/doctor.json'), 'utf8')) as DoctorReport & {
    schemaVersion: number;
  };
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.source.kind, 'host');
  assert.ok(!Number.isNaN(Date.parse(report.checkedAt)));
  assert.ok(Array.isArray(report.checks) && Array.isArray(report.passed) && Array.isArray(report.skipped));
  for (const c of report.checks) assert.ok(c.evidence?.length, c.code);
  return report;
}

test('a new bundle: system/doctor.json is a DoctorReport of this machine; README names its findings and the known failures', () => {
  const out = join(tmp, 'new.tar.gz');
  const r = cli(['bundle', '--out', out, '--', ...FAILING]);
  assert.equal(r.status, 0, r.stderr);
  const dir = extracted(out);
  const report = doctorOf(dir);
  const threads = report.checks.find((c) => c.code === 'threads-env-inherited');
  assert.ok(threads, JSON.stringify(report.checks));
  assert.deepEqual(threads.evidence, [{ source: 'environment of this machine', value: 'OMP_NUM_THREADS=3' }]);
  const readme = readFileSync(join(dir, 'README.txt'), 'utf8');
  assert.match(readme, /^Host doctor: \d+ findings?, \d+ passed, \d+ skipped \(system\/doctor\.json\):$/m);
  assert.match(readme, /^ {2}warning: threads-env-inherited: .* Fix: unset OMP_NUM_THREADS$/m);
  assert.doesNotMatch(readme, /bundling time/);
  assert.match(readme, /^Known failures found in the run's output:$/m);
  assert.match(readme, /^ {2}error: mempolicy-not-permitted: .*--cap-add SYS_NICE/m);
  assert.match(readme, /system\/doctor\.json +the host doctor's full report/);
});

test('a bundle from a saved run: the doctor runs now, and the README says it is the state at bundling time', () => {
  const run = cli(['run', '--json', '--', '/bin/sh', '-c', 'echo fine']);
  assert.equal(run.status, 0, run.stderr);
  const saved = JSON.parse(run.stdout) as { logFile: string };
  const out = join(tmp, 'saved.tar.gz');
  const r = cli(['bundle', '--from-run', saved.logFile, '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const dir = extracted(out);
  doctorOf(dir);
  const readme = readFileSync(join(dir, 'README.txt'), 'utf8');
  assert.match(readme, /^Host doctor \(run when this bundle was made: the machine's state at bundling time/m);
  assert.match(readme, /^Known failures in the run's output: none recognised\.$/m);
});
