// `aio-tuner doctor --target URL` (issue 14) against a REAL OpenSSH server (test/helpers/sshd.ts) whose sessions
// have OMP_NUM_THREADS, which this process does not: the report names the target and its environment. An
// unreachable target exits 1 with one line; nothing of the connection is left running after the command.
// Under CI=true a missing sshd fails the suite; elsewhere it is skipped with the reason.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';
import { masterPid, parseTarget, remoteContext, type RemoteTarget } from '../../app/remote';
import type { DoctorReport } from '../../app/shared/doctor';

const CI = process.env.CI === 'true';
const REPO = resolve(__dirname, '../..');
const unavailable = sshdUnavailable();
if (unavailable && CI) throw new Error(`${unavailable}: required when CI=true`);

const THREADS = '3';
const dir = mkdtempSync(join(tmpdir(), 'aio-doctor-remote-cli-'));
const HOME = join(dir, 'home');
let sshd: Sshd;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, AIO_TUNER_HOME: HOME };
  // Found in the report, the value can only come from the target.
  if (env.OMP_NUM_THREADS === THREADS) delete env.OMP_NUM_THREADS;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'app/cli/main.ts'), ...args], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('aio-tuner doctor --target', { skip: unavailable ?? false, concurrency: false }, () => {
  before(async () => {
    sshd = await startSshd({ env: { OMP_NUM_THREADS: THREADS } });
  });
  after(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("--json: the target's report, its environment named; no connection left behind", async () => {
    const r = cli(['doctor', '--target', sshd.url, '--json']);
    assert.ok(r.status === 0 || r.status === 3, `exit ${r.status}: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as DoctorReport;
    assert.deepEqual(report.source, { kind: 'target', url: sshd.url });
    const f = report.checks.find((c) => c.code === 'threads-env-inherited');
    assert.ok(f, JSON.stringify(report.checks.map((c) => c.code)));
    assert.deepEqual(f.evidence, [
      {
        source: `environment of ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
        value: `OMP_NUM_THREADS=${THREADS}`,
      },
    ]);
    // Exit 3 exactly when an error is among the findings.
    assert.equal(
      r.status === 3,
      report.checks.some((c) => c.severity === 'error'),
    );
    // A one-shot command closes the shared ssh connection instead of leaving it up for ControlPersist.
    const t = parseTarget(sshd.url) as RemoteTarget;
    assert.equal(await masterPid(t, remoteContext(HOME)), null);
  });

  test('an unreachable target: exit 1, one line saying why', () => {
    const r = cli(['doctor', '--target', 'ssh://nobody@127.0.0.1:1', '--json']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /ssh:\/\/nobody@127\.0\.0\.1:1: connection refused on port 1/);
  });
});
