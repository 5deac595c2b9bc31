// `aio-tuner run` when the world around it fails: its own stdout closed or full, a missing --log folder,
// the disk under AIO_TUNER_HOME full, hang-ups and SIGKILL of the tool, workloads that leave their session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { CLI, freshHome, startServe } from '../helpers/serve';
import { defaultSettings } from '../../app/shared/command';
import { need } from '../helpers/require';

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

test('run --log, bundle --out, sweep --csv and profiles export --out refuse a missing parent folder: exit 2, one line, nothing created', () => {
  const home = freshHome();
  const base = mkdtempSync(join(tmpdir(), 'aio-out-'));
  const missing = join(base, 'no', 'such');
  for (const [args, flag] of [
    [`run --log ${missing}/x.log -- true`, '--log'],
    [`bundle --out ${missing}/x.tgz -- true`, '--out'],
    [`bundle --out ${missing}/ -- true`, '--out'],
    [`sweep --csv ${missing}/x.csv --threads 1 -- true`, '--csv'],
    [`profiles export --out ${missing}/p.json`, '--out'],
  ] as const) {
    const r = sh(`$A ${args}`, home);
    const words = args.split(' ');
    assert.equal(r.code, 2, args);
    assert.equal(
      r.stderr,
      `aio-tuner: ${flag} ${words[words.indexOf(flag) + 1]}: the folder ${missing} does not exist\n`,
    );
    assert.equal(existsSync(join(base, 'no')), false, `${args}: no folder was created`);
  }
  assert.deepEqual(runDirs(home), [], 'nothing ran');
  // An existing folder is still fine.
  const ok = sh(`$A run --quiet --log ${base}/x.log -- true`, home);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(existsSync(join(base, 'x.log')));
});

// Sleep durations unique to this test run: sleeps that anything else left on the machine are never counted.
const uniq = () =>
  `${1000 + Math.floor(Math.random() * 9000)}.${process.pid}${Math.floor(Math.random() * 100)}`;

/** Live processes running exactly `sleep SECONDS`, for one of the given durations. */
function sleepers(...durations: string[]): string[] {
  const want = new Set(durations.map((d) => `sleep\x00${d}\x00`));
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return want.has(readFileSync(`/proc/${p}/cmdline`, 'latin1'));
      } catch {
        return false;
      }
    });
}

/** Wait for a state, not for a time: polls until `ok()`; the deadline only turns a hang into a clear failure. */
async function until(ok: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    assert.ok(Date.now() - t0 < deadlineMs, `still waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startCli(args: string[], home: string) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, AIO_TUNER_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, out: () => out, err: () => err };
}

test('SIGHUP to run stops the whole tree, records signal SIGHUP and exits 129', async () => {
  const home = freshHome();
  const [a, b] = [uniq(), uniq()];
  const c = startCli(['run', '--', 'sh', '-c', `sleep ${a} & sleep ${b} & echo started; wait`], home);
  await until(() => c.out().includes('started'), 'the workload started');
  assert.equal(sleepers(a, b).length, 2);
  c.child.kill('SIGHUP');
  const { code } = await c.exit;
  assert.equal(code, 129, c.err());
  assert.deepEqual(sleepers(a, b), [], 'nothing of the run is left');
  const [dir] = runDirs(home);
  const info = JSON.parse(readFileSync(join(dir!, 'run.json'), 'utf8'));
  assert.equal(info.state, 'exited');
  assert.equal(info.outcome.signal, 'SIGHUP');
  assert.equal(info.outcome.stopped, true);
});

test('SIGHUP to sweep stops its current run and exits 129', async () => {
  const home = freshHome();
  const a = uniq();
  const c = startCli(['sweep', '--threads', '1,2', '--', 'sh', '-c', `echo started; sleep ${a}`], home);
  await until(() => sleepers(a).length === 1, 'the first row started');
  c.child.kill('SIGHUP');
  const { code } = await c.exit;
  assert.equal(code, 129, c.err());
  assert.deepEqual(sleepers(a), [], 'nothing of the run is left');
});

test('SIGKILL of run leaves nothing running: the watcher ends the tree, setsid children included', async () => {
  const home = freshHome();
  const [a, b, d] = [uniq(), uniq(), uniq()];
  const c = startCli(
    ['run', '--', 'sh', '-c', `sleep ${a} & sleep ${b} & setsid sleep ${d} & echo started; wait`],
    home,
  );
  await until(() => c.out().includes('started') && sleepers(a, b, d).length === 3, 'the workload started');
  c.child.kill('SIGKILL');
  await c.exit;
  // The watcher sends SIGTERM at once (sleep dies of it); SIGKILL would follow after the grace time.
  await until(() => sleepers(a, b, d).length === 0, 'every process of the run ended');
});

test('a child that calls setsid is ended by Stop and at the normal end, and does not lengthen the run', async () => {
  const home = freshHome();
  // Normal end: the workload starts a daemon that keeps our output pipe, works a little, and exits.
  const a = uniq();
  const r = sh(`$A run --json -- sh -c 'setsid sleep ${a} & sleep 0.5; echo done'`, home);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.exitCode, 0);
  assert.deepEqual(sleepers(a), [], 'the daemon was ended with the run');
  // Before, the run waited ~4 s for the daemon's pipe (grace + 1 s) and counted that time.
  assert.ok(j.durationMs < 3000, `durationMs ${j.durationMs} is the workload's own time`);

  // Stop (Ctrl-C): the daemon that left the session goes too.
  const [b, d] = [uniq(), uniq()];
  const c = startCli(['run', '--', 'sh', '-c', `setsid sleep ${b} & sleep ${d} & echo started; wait`], home);
  await until(() => c.out().includes('started') && sleepers(b, d).length === 2, 'the workload started');
  c.child.kill('SIGINT');
  await c.exit;
  assert.deepEqual(sleepers(b, d), [], 'nothing of the run is left after Stop');
});

test('a full disk under AIO_TUNER_HOME: one line, the workload stopped, the outcome recorded, --json printed', (t) => {
  const home = mkdtempSync(join(tmpdir(), 'aio-full-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', home]).status === 0;
  if (!need(t, mounted, 'mount -t tmpfs (root)')) return;
  try {
    // An endless printer: only the tool can end it once the log is full.
    const r = sh(`$A run --json -- sh -c 'yes "a line of output that fills the disk"'`, home);
    assert.equal(r.code, 1, 'a runtime failure of the tool');
    // The tool's own lines about this failure: not the command check (no-threads) nor the host doctor's
    // findings it prints before the workload starts (this host's THP setting, say).
    const own = r.stderr
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('aio-tuner: ') && !/: error: no-threads/.test(l) && !/^aio-tuner: warning: /.test(l),
      );
    assert.equal(own.length, 1, r.stderr.slice(-2000));
    assert.match(own[0]!, /^aio-tuner: log write failed: disk full after \d+ lines$/);
    assert.doesNotMatch(r.stderr, /\n\s+at |RunController/, 'no stack trace');
    const j = JSON.parse(r.stdout);
    assert.equal(j.signal, 'SIGTERM', 'the workload was stopped');
    assert.match(j.logError, /^log write failed: disk full after \d+ lines$/);
    const n = Number(/after (\d+) lines/.exec(j.logError)![1]);
    const [dir] = runDirs(home);
    assert.equal(lineCount(join(dir!, 'output.log')), n + 1, 'header + every line counted, no half record');
    const info = JSON.parse(readFileSync(join(dir!, 'run.json'), 'utf8'));
    assert.equal(info.state, 'exited');
    assert.equal(info.outcome.logError, j.logError);
  } finally {
    spawnSync('umount', [home]);
  }
});

test('SIGHUP to serve stops its runs with SIGHUP (recorded) and exits 129', async () => {
  const s = await startServe();
  const a = uniq();
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, {
    headers: { Origin: s.origin },
  });
  await new Promise((r) => ws.on('open', r));
  const reply = new Promise<{ ok: boolean; result?: { runId: string } }>((resolve) =>
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.id === 1) resolve(m);
    }),
  );
  // No CPUs and no memory policy: no numactl, so this runs wherever the test does.
  const settings = { ...defaultSettings(), memPolicy: 'none', workload: ['sleep', a] };
  ws.send(JSON.stringify({ type: 'req', id: 1, method: 'run.start', params: { settings } }));
  const r = await reply;
  assert.ok(r.ok, JSON.stringify(r));
  await until(() => sleepers(a).length === 1, 'the run started');
  ws.close();
  const exit = new Promise<number | null>((resolve) => s.proc.once('exit', (code) => resolve(code)));
  s.proc.kill('SIGHUP');
  assert.equal(await exit, 129, s.output());
  assert.deepEqual(sleepers(a), [], 'nothing of the run is left');
  const info = JSON.parse(readFileSync(join(s.home, 'runs', r.result!.runId, 'run.json'), 'utf8'));
  assert.equal(info.state, 'exited');
  assert.equal(info.outcome.signal, 'SIGHUP');
});
