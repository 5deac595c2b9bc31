// `run --check` exits 3 on a host doctor error of the machine the run goes to (issue 14): a memory binding this
// machine's numactl cannot make (node 1 of a two-node dump's map; this machine has one node) is refused by the
// doctor's dry run (`numactl-cannot-bind`) before anything starts. Needs the doctor's numactl checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';
import { need } from '../helpers/require';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;

test('run --check: a binding the doctor cannot make here exits 3, nothing started', (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  const home = mkdtempSync(join(tmpdir(), 'aio-doctor-run-check-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const twoNodes = fixtureRoot('arm64-altra-2p-160c-2node');
  const r = spawnSync(
    process.execPath,
    [
      CLI,
      'run',
      '--check',
      '--sysroot',
      twoNodes,
      '--threads',
      '1',
      '--mem',
      'bind',
      '--mem-nodes',
      '1',
      '--',
      'true',
    ],
    { encoding: 'utf8', env: { ...process.env, AIO_TUNER_HOME: home }, timeout: 60_000 },
  );
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /^aio-tuner: error: numactl-cannot-bind: /m);
  assert.doesNotMatch(r.stderr, /exit code \d+ after/, 'nothing ran');
});
