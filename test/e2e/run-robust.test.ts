// `aio-tuner run` when the world around it fails: its own stdout closed or full, a missing --log folder,
// the disk under AIO_TUNER_HOME full, hang-ups and SIGKILL of the tool, workloads that leave their session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, freshHome } from '../helpers/serve';

// Word-split by bash as in the reproductions (`$A run …`): neither path has spaces here.
const A = `${process.execPath} ${CLI}`;

function sh(script: string, home: string) {
  const r = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home, A },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runDirs(home: string): string[] {
  const dir = join(home, 'runs');
  return existsSync(dir) ? readdirSync(dir).map((d) => join(dir, d)) : [];
}

function lineCount(path: string): number {
  const buf = readFileSync(path);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

const PRINT_200K = `bash -c 'for i in $(seq 1 200000); do echo line $i; done; echo DONE'`;

test('stdout closed by `| head -1`: no crash, echo stops, the log has every line, the run finishes', () => {
  const home = freshHome();
  const r = sh(`$A run --threads 1 -- ${PRINT_200K} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`, home);
  assert.equal(r.stdout, 'line 1\n');
  assert.doesNotMatch(r.stderr, /at |Error:|EPIPE\b.*\n.*at /, 'no stack trace');
  assert.match(r.stderr, /status=0\n/);
  assert.match(r.stderr, /aio-tuner: stdout closed by its reader: no longer echoing there/);
  const [dir] = runDirs(home);
  assert.equal(lineCount(join(dir!, 'output.log')), 200_002, 'header + 200,000 lines + DONE');
  const info = JSON.parse(readFileSync(join(dir!, 'run.json'), 'utf8'));
  assert.equal(info.state, 'exited');
  assert.equal(info.outcome.exitCode, 0);
});

test('stdout on a full device (/dev/full): no crash, the log has every line, the outcome is recorded', (t) => {
  if (!existsSync('/dev/full')) return t.skip('/dev/full is missing');
  const home = freshHome();
  const r = sh(`$A run --threads 1 -- ${PRINT_200K} >/dev/full`, home);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /aio-tuner: stdout full: no longer echoing there/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const [dir] = runDirs(home);
  assert.equal(lineCount(join(dir!, 'output.log')), 200_002);
  assert.equal(JSON.parse(readFileSync(join(dir!, 'run.json'), 'utf8')).outcome.exitCode, 0);
});

test('run --log and bundle --out refuse a missing parent folder: exit 2, one line, nothing created', () => {
  const home = freshHome();
  const base = mkdtempSync(join(tmpdir(), 'aio-out-'));
  const missing = join(base, 'no', 'such');
  for (const [args, flag] of [
    [`run --log ${missing}/x.log -- true`, '--log'],
    [`bundle --out ${missing}/x.tgz -- true`, '--out'],
    [`bundle --out ${missing}/ -- true`, '--out'],
  ] as const) {
    const r = sh(`$A ${args}`, home);
    assert.equal(r.code, 2, args);
    assert.equal(
      r.stderr,
      `aio-tuner: ${flag} ${args.split(' ')[2]}: the folder ${missing} does not exist\n`,
    );
    assert.equal(existsSync(join(base, 'no')), false, `${args}: no folder was created`);
  }
  assert.deepEqual(runDirs(home), [], 'nothing ran');
  // An existing folder is still fine.
  const ok = sh(`$A run --quiet --log ${base}/x.log -- true`, home);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(existsSync(join(base, 'x.log')));
});
