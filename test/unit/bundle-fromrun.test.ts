// Bundles of saved runs: a real run through the engine writes run.json; the bundle preview and the bundle then
// describe that run (its argv, environment, level, outcome), not the settings in front of the user.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../app/api/engine';
import type { BundleInfo, BundlePreview, RunInfo } from '../../app/api/contract';
import { fromRunInfo, readSavedRun, SavedRunError } from '../../app/bundle';
import { defaultSettings } from '../../app/command';
import { need } from '../helpers/require';

const PY = '/usr/bin/python3';

const tmp = mkdtempSync(join(os.tmpdir(), 'aio-bundle-fromrun-'));
let engine: Engine;
let run: RunInfo;

before(async () => {
  engine = new Engine({ shell: 'browser', dataDir: join(tmp, 'home') });
  if (!existsSync(PY)) return;
  const s = defaultSettings();
  // No CPU binding and no memory policy: no numactl needed, the run is the workload alone.
  s.memPolicy = 'none';
  s.debugMode = 2;
  s.workload = [PY, '-c', 'import os; print("level", os.environ["AIO_DEBUG_MODE"])'];
  const started = await engine.handle('run.start', { settings: s });
  run = await engine.runs.waitFor((started as RunInfo).runId);
});
after(async () => {
  await engine.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

const readme = (path: string) =>
  execFileSync('tar', ['xzOf', path, '--wildcards', '*/README.txt'], { encoding: 'utf8' });
const resultJson = (path: string) =>
  JSON.parse(
    execFileSync('tar', ['xzOf', path, '--wildcards', '*/run/result.json'], { encoding: 'utf8' }),
  ) as {
    argv: string[];
    runId?: string;
    debugMode: number | null;
    exitCode: number | null;
    startedAt: string;
  };

describe('a saved run read back by its log', () => {
  test('run.json next to the log is found, by the log or by its folder', async (t) => {
    if (!need(t, existsSync(PY), PY)) return;
    const byLog = await readSavedRun(run.logFile);
    assert.equal(byLog.run?.runId, run.runId);
    const byDir = await readSavedRun(join(run.logFile, '..'));
    assert.equal(byDir.logFile, run.logFile);
    assert.equal(byDir.run?.runId, run.runId);
    const f = fromRunInfo(byLog.run!, byLog.logFile);
    assert.deepEqual(f.argv, run.argv);
    assert.equal(f.debugMode, 2);
    assert.equal(f.result?.exitCode, 0);
    assert.equal(f.startedAt, run.startedAt);
    // The run chose no directory: the one it really ran in is kept, so the bundle reproduces it from there.
    assert.equal(run.cwd, process.cwd());
    assert.equal(f.settings.cwd, process.cwd());
  });

  test('a plain log has no run; a run.json about another log is not used, and says why', async (t) => {
    if (!need(t, existsSync(PY), PY)) return;
    const plain = join(tmp, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'colleague.log'), 'some output\n');
    assert.deepEqual(await readSavedRun(join(plain, 'colleague.log')), {
      logFile: join(plain, 'colleague.log'),
      run: null,
    });
    cpSync(join(run.logFile, '..', 'run.json'), join(plain, 'run.json'));
    const other = await readSavedRun(join(plain, 'colleague.log'));
    assert.equal(other.run, null);
    assert.match(other.ignored ?? '', /run\.json is about .*output\.log, not this log/);
  });

  test('a missing path, a folder without a log, a broken run.json: clear errors', async () => {
    await assert.rejects(readSavedRun(join(tmp, 'nope.log')), (e: Error) => {
      assert.ok(e instanceof SavedRunError);
      assert.match(e.message, /cannot read .*nope\.log: ENOENT/);
      return true;
    });
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await assert.rejects(readSavedRun(empty), /is a folder without an output\.log/);
    const broken = join(tmp, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'output.log'), 'x\n');
    writeFileSync(join(broken, 'run.json'), '{"runId": "r1"');
    await assert.rejects(readSavedRun(join(broken, 'output.log')), /run\.json is not valid JSON/);
    writeFileSync(join(broken, 'run.json'), JSON.stringify({ runId: 'r1', argv: 'python3' }));
    await assert.rejects(
      readSavedRun(join(broken, 'output.log')),
      /run\.json has unexpected contents: .*argv/,
    );
  });
});

describe('bundle.preview and bundle.create with fromRunId', () => {
  test("the preview shows the run's own command and level, marked as a saved run", async (t) => {
    if (!need(t, existsSync(PY), PY)) return;
    const p = (await engine.handle('bundle.preview', { fromRunId: run.runId })) as BundlePreview;
    assert.equal(p.debugMode, 2);
    assert.equal(p.fromRun?.runId, run.runId);
    assert.equal(p.env.AIO_DEBUG_MODE, '2');
    assert.match(p.command, /AIO_DEBUG_MODE=2 /);
    assert.doesNotMatch(p.command, /AIO_DEBUG_MODE=4/);
    assert.ok(p.command.endsWith(`print("level", os.environ["AIO_DEBUG_MODE"])'`), p.command);

    // The same settings as a new bundle: a level-4 run, not marked as saved.
    const fresh = (await engine.handle('bundle.preview', { settings: run.settings })) as BundlePreview;
    assert.equal(fresh.debugMode, 4);
    assert.equal(fresh.fromRun, undefined);
    assert.match(fresh.command, /AIO_DEBUG_MODE=4 /);
  });

  test('bad previews are refused with a reason', async () => {
    await assert.rejects(engine.handle('bundle.preview', {}), /needs the settings to run or a finished run/);
    await assert.rejects(engine.handle('bundle.preview', { fromRunId: 'no-such-run' }), /no-such-run/);
  });

  test('a run on disk that this engine never saw is bundled from its run.json', async (t) => {
    if (!need(t, existsSync(PY), PY)) return;
    // A second engine on the same data directory: as the CLI and the UI server are.
    const other = new Engine({ shell: 'browser', dataDir: join(tmp, 'home') });
    const s = defaultSettings();
    s.memPolicy = 'none';
    s.debugMode = 4;
    s.workload = [PY, '-c', 'import sys; print("at four"); sys.exit(3)'];
    const started = (await other.handle('run.start', { settings: s })) as RunInfo;
    const done = await other.runs.waitFor(started.runId);
    await other.dispose();

    const info = (await engine.handle('bundle.create', {
      fromRunId: done.runId,
      out: join(tmp, 'other.tar.gz'),
    })) as BundleInfo;
    const text = readme(info.path);
    assert.match(text, new RegExp(`made from a saved run, not re-run: run ${done.runId}, `));
    assert.match(text, /That run was at AIO_DEBUG_MODE=4/);
    assert.match(text, /Outcome: {2}failed with exit code 3/);
    const r = resultJson(info.path);
    assert.deepEqual(r.argv, done.argv);
    assert.equal(r.runId, done.runId);
    assert.equal(r.debugMode, 4);
    assert.equal(r.exitCode, 3);
    assert.equal(r.startedAt, done.startedAt);
    const script = execFileSync('tar', ['xzOf', info.path, '--wildcards', '*/run/command.sh'], {
      encoding: 'utf8',
    });
    assert.ok(script.includes(`cd -- ${process.cwd()}`), 'command.sh starts where the run ran');
    assert.match(info.note, /Made from a saved run \(not re-run\)\.\n/);
    assert.ok(readFileSync(info.path).length > 0);
  });
});
