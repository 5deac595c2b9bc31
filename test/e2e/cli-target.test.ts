// `--target` means the same in every CLI command: the machine runs go to. Against a REAL sshd whose sessions
// have a PATH without numactl (a directory of links to everything in /usr/bin but numactl), while this
// machine has it: a check judged here instead of on the target would say the binding works.
// Under CI=true a missing sshd fails the suite; elsewhere it is skipped with the reason.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';

const CI = process.env.CI === 'true';
const REPO = resolve(__dirname, '../..');
const unavailable = sshdUnavailable();
if (unavailable && CI) throw new Error(`${unavailable}: required when CI=true`);
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
// The point is a target that differs from this machine; without numactl here both would lack it.
const skip = unavailable ?? (!hasNumactl && 'needs numactl on this machine (the target is made to lack it)');

const dir = mkdtempSync(join(tmpdir(), 'aio-cli-target-'));
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

const WORKLOAD = ['--cores', '0', '--', 'sh', '-c', 'true'];

describe('--target: the checks judge the target, not this machine', { skip, concurrency: false }, () => {
  before(async () => {
    const bin = join(dir, 'bin-without-numactl');
    mkdirSync(bin);
    for (const f of readdirSync('/usr/bin'))
      if (f !== 'numactl') symlinkSync(join('/usr/bin', f), join(bin, f));
    sshd = await startSshd({ env: { PATH: bin } });
  });
  after(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('command --check --target: numactl-missing (exit 3), where plain command --check finds none', () => {
    const here = cli(['command', '--check', ...WORKLOAD]);
    assert.equal(here.status, 0, here.stderr);
    assert.doesNotMatch(here.stderr, /numactl-missing/);

    const there = cli(['command', '--check', '--target', sshd.url, ...WORKLOAD]);
    assert.equal(there.status, 3, there.stderr);
    assert.match(there.stderr, /^error: numactl-missing: numactl is not installed/m);
    // stdout is still the command, bound as asked: the finding says it cannot work there.
    assert.match(there.stdout, /numactl --physcpubind=0 .*sh -c true$/m);
  });

  test('command --format json --target and run --check --target name the same finding', () => {
    const json = cli(['command', '--format', 'json', '--target', sshd.url, ...WORKLOAD]);
    assert.equal(json.status, 0, json.stderr);
    const codes = (JSON.parse(json.stdout) as { checks: { code: string }[] }).checks.map((c) => c.code);
    assert.ok(codes.includes('numactl-missing'), codes.join(', '));

    const run = cli(['run', '--check', '--target', sshd.url, ...WORKLOAD]);
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stderr, /^aio-tuner: error: numactl-missing: /m);
  });
});
