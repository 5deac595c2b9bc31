// `aio-tuner bundle` end to end: the built CLI as users run it, a real bench.py run, the archive read back with
// the system tar.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { need } from '../helpers/require';
import { CLI } from '../helpers/serve';

const PY = '/usr/bin/python3';
const SECRET = 'hf_secret123';
const hasNumactl = ['/usr/bin/numactl', '/bin/numactl', '/usr/local/bin/numactl'].some((p) => existsSync(p));
const hasTorch = existsSync(PY) && spawnSync(PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

const tmp = mkdtempSync(join(os.tmpdir(), 'aio-bundle-cli-'));
const home = join(tmp, 'home');
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, 'bundle', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home, ...env },
    timeout: 180_000,
  });
}

describe('aio-tuner bundle', () => {
  test('a bench.py bundle: path and size printed, archive complete and secret-free', (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, hasTorch, 'torch for /usr/bin/python3')) return;
    const out = join(tmp, 'support.tar.gz');
    const r = cli(
      [
        '--out',
        out,
        '--cores',
        '0',
        '--set',
        `HF_TOKEN=${SECRET}`,
        '--redact',
        'MYCORP',
        '--',
        PY,
        'examples/bench.py',
        '-m',
        'cnn',
        '--num_runs',
        '10',
        '--timeout',
        '20',
      ],
      { HF_TOKEN: SECRET, MYCORP_URL: 'https://internal.example/secret-path' },
    );
    assert.equal(r.status, 0, r.stderr);
    const [path, size] = r.stdout.trim().split('\n');
    assert.equal(path, out);
    // 22: the replayable dump under system/sysfs/ counts as one.
    assert.match(size!, new RegExp(`\\(${statSync(out).size} bytes\\), 22 files$`));
    assert.match(r.stderr, /\[run\] .*AIO_DEBUG_MODE=4/);

    const listing = execFileSync('tar', ['tzf', out], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(
      listing.every((f) => f.startsWith('support/')),
      listing.join(),
    );
    for (const f of [
      'README.txt',
      'run/command.sh',
      'run/env.txt',
      'run/output.log',
      'run/result.json',
      'system/lscpu.txt',
      'python/pip-list.txt',
      'MANIFEST.json',
    ]) {
      assert.ok(listing.includes(`support/${f}`), f);
    }
    const dir = mkdtempSync(join(tmp, 'x-'));
    execFileSync('tar', ['xzf', out, '-C', dir]);
    const g = spawnSync('grep', ['-r', '-l', '-e', SECRET, '-e', 'secret-path', dir], { encoding: 'utf8' });
    assert.equal(g.status, 1, `secrets found in ${g.stdout}`);
    // Every JSON record a bundle holds says which shape it is (issue 11 item 7), like the tool's other records.
    const records = listing.filter((f) => f.endsWith('.json'));
    assert.deepEqual(records.sort(), [
      'support/MANIFEST.json',
      'support/run/result.json',
      'support/system/doctor.json',
      'support/system/os.json',
      'support/system/topology.json',
    ]);
    for (const f of records) assert.equal(JSON.parse(readFileSync(join(dir, f), 'utf8')).schemaVersion, 1, f);
    const env = readFileSync(join(dir, 'support/run/env.txt'), 'utf8');
    assert.match(env, /^AIO_DEBUG_MODE=4$/m);
    assert.match(env, /^AIO_NUM_THREADS=1$/m);
    assert.match(env, /^OMP_NUM_THREADS=1$/m);
  });

  test('--json prints BundleInfo; a failing workload still exits 0 and says so', (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, existsSync(PY), PY)) return;
    const r = cli(['--json', '--cores', '0', '--', PY, '-c', 'import sys; sys.exit(5)']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { path: string; sizeBytes: number; note: string; files: string[] };
    assert.ok(info.path.startsWith(join(home, 'bundles', 'aio-tuner-bundle-')), info.path);
    assert.equal(info.sizeBytes, statSync(info.path).size);
    assert.ok(info.files.includes('run/output.log') && info.files.includes('MANIFEST.json'));
    assert.match(info.note, /Outcome: failed with exit code 5/);
    assert.match(r.stderr, /the workload failed with exit code 5; the bundle was written/);
  });

  // A saved run as `aio-tuner run` leaves it: runs/<id>/output.log with run.json next to it.
  const ECHO = 'import json,os,sys; print(json.dumps([sys.argv[1:], os.environ.get("AIO_DEBUG_MODE")]))';
  interface SavedRun {
    runId: string;
    logFile: string;
    argv: string[];
    printed: string;
  }
  function savedRun(debug: string): SavedRun {
    const r = spawnSync(
      process.execPath,
      [CLI, 'run', '--json', '--cores', '0', '--debug', debug, '--', PY, '-c', ECHO, 'a', 'b c'],
      { encoding: 'utf8', env: { ...process.env, AIO_TUNER_HOME: home }, timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { runId: string; logFile: string; argv: string[] };
    // With --json the workload's output goes to stderr: the line it printed is what a replay must print.
    const printed = r.stderr.split('\n').find((l) => l.startsWith('[['));
    assert.ok(printed, r.stderr);
    return { ...j, printed };
  }
  function extracted(path: string): string {
    const dir = mkdtempSync(join(tmp, 'x-'));
    execFileSync('tar', ['xzf', path, '-C', dir]);
    return join(dir, readdirSync(dir)[0]!);
  }

  for (const level of ['4', '2'] as const) {
    test(`--from-run bundles a saved level-${level} run from its run.json, nothing re-run or retyped`, (t) => {
      if (!need(t, hasNumactl, 'numactl') || !need(t, existsSync(PY), PY)) return;
      const saved = savedRun(level);
      const runsBefore = readdirSync(join(home, 'runs')).length;
      const out = join(tmp, `saved-${level}.tar.gz`);
      // No workload after --; a --debug typed now must not relabel the run.
      const r = cli(['--from-run', saved.logFile, '--out', out, '--debug', level === '4' ? '2' : '4']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(readdirSync(join(home, 'runs')).length, runsBefore, 'nothing was run');
      assert.match(r.stderr, /--from-run uses the saved run's settings and command .*; ignored: --debug/);
      assert.match(r.stderr, new RegExp(`made from saved run ${saved.runId}, not re-run`));
      const dir = extracted(out);

      const result = JSON.parse(readFileSync(join(dir, 'run/result.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      assert.equal(result.madeFrom, 'saved run (not re-run)');
      assert.equal(result.runId, saved.runId);
      assert.deepEqual(result.argv, saved.argv);
      assert.equal(result.debugMode, Number(level));
      assert.equal(result.exitCode, 0);
      assert.equal(result.outcome, 'finished successfully (exit code 0)');
      const runJson = JSON.parse(readFileSync(join(saved.logFile, '..', 'run.json'), 'utf8')) as {
        startedAt: string;
      };
      assert.equal(result.startedAt, runJson.startedAt);

      const readme = readFileSync(join(dir, 'README.txt'), 'utf8');
      assert.match(readme, new RegExp(`made from a saved run, not re-run: run ${saved.runId}, `));
      assert.match(readme, /^Outcome: {2}finished successfully \(exit code 0\)$/m);
      assert.match(
        readme,
        new RegExp(`^  .*AIO_DEBUG_MODE=${level} .*numactl --physcpubind=0 .*'b c'$`, 'm'),
      );
      if (level === '4') {
        assert.match(readme, /That run was at AIO_DEBUG_MODE=4/);
        assert.doesNotMatch(readme, /NOT at AIO_DEBUG_MODE=4/);
      } else {
        assert.match(readme, /That run was NOT at AIO_DEBUG_MODE=4: its level was 2/);
      }

      // command.sh replays that run: same arguments, same level, same line printed.
      const replay = spawnSync('bash', [join(dir, 'run/command.sh')], { encoding: 'utf8' });
      assert.equal(replay.status, 0, replay.stderr);
      assert.equal(replay.stdout.trim(), saved.printed);
      assert.deepEqual(JSON.parse(saved.printed), [['a', 'b c'], level]);
    });
  }

  test('--from-run with a plain log (no run.json): the workload typed after -- describes it', (t) => {
    if (!need(t, hasNumactl, 'numactl') || !need(t, existsSync(PY), PY)) return;
    const saved = savedRun('4');
    // As sent by a colleague: the log alone, in a folder of its own.
    const plain = mkdtempSync(join(tmp, 'colleague-'));
    const log = join(plain, 'their-run.log');
    copyFileSync(saved.logFile, log);

    const missing = cli(['--from-run', log]);
    assert.equal(missing.status, 2, missing.stderr);
    assert.match(
      missing.stderr,
      /^aio-tuner: missing workload: no run\.json next to .*their-run\.log says what ran; put the command/,
    );

    const out = join(tmp, 'plain.tar.gz');
    const r = cli(['--from-run', log, '--out', out, '--cores', '0', '--debug', '2', '--', PY, '-c', 'pass']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /made from the saved log, not re-run; its outcome is not recorded/);
    const dir = extracted(out);
    const readme = readFileSync(join(dir, 'README.txt'), 'utf8');
    assert.match(readme, /made from a saved run, not re-run: log .*their-run\.log/);
    assert.match(readme, /NOT at AIO_DEBUG_MODE=4: its level was 2/);
    assert.match(readme, /^Outcome: {2}unknown/m);
    // The log itself is the saved one, whatever was typed.
    assert.match(readFileSync(join(dir, 'run/output.log'), 'utf8'), /\[\["a", "b c"\], "4"\]/);
  });

  test('usage errors exit 2 with one line', () => {
    for (const args of [
      [],
      ['--cores', '0'],
      ['--redact', '/([/', '--', 'python3'],
      ['--cores', 'x', '--', 'python3'],
      ['--bogus', '--', 'x'],
      ['--from-run', join(tmp, 'no-such.log')],
      ['--from-run', ''],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^aio-tuner: [^\n]+\n$/);
    }
  });
});

test('bundle shows that a long, quiet workload is alive: lines captured and elapsed time on stderr', (t) => {
  if (!need(t, hasNumactl, 'numactl')) return;
  // Prints two lines, then stays quiet for longer than one progress interval (5 s).
  const r = cli(['--out', join(tmp, 'alive.tar.gz'), '--', 'sh', '-c', 'echo one; echo two; sleep 6']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('[run] '));
  const tick = lines.findIndex((l) => /^\[run\] 2 lines captured, \d+ s elapsed$/.test(l));
  assert.ok(start !== -1 && tick > start, `a progress line after [run] …:\n${r.stderr}`);
  assert.ok(lines.findIndex((l) => l.startsWith('[system]')) > tick, 'progress stops when the run has ended');
});
