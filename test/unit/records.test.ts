// Versioned records (app/util/records.ts) for runs and sweeps: files written before schemaVersion existed still
// read, every writer stamps it, and a record a newer AIO Tuner wrote is reported and left exactly as it is.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../app/api/engine';
import type { ApiMethod, ApiParamsOf, ApiResults } from '../../app/api/contract';
import { defaultSettings } from '../../app/command';
import { readSavedRun, SavedRunError } from '../../app/bundle';
import { SweepFiles } from '../../app/sweep/store';
import { readJsonFile, JsonFileError } from '../../app/util/atomic';
import { NewerRecordError, readRecord, recordText, stampOutput } from '../../app/util/records';

const tmp = mkdtempSync(join(tmpdir(), 'aio-records-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const home = () => mkdtempSync(join(tmp, `h${n++}-`));

async function api<M extends ApiMethod>(
  e: Engine,
  method: M,
  params: ApiParamsOf<M>,
): Promise<ApiResults[M]> {
  return (await e.handle(method, params)) as ApiResults[M];
}

/** A run.json as AIO Tuner wrote it before records were versioned. */
function oldRunJson(id: string, logFile: string): string {
  return (
    JSON.stringify(
      {
        runId: id,
        logId: 'run-x',
        logFile,
        startedAt: '2026-11-27T09:51:47.000Z',
        argv: ['sh', '-c', 'echo hi'],
        env: {},
        settings: { ...defaultSettings(), memPolicy: 'none', workload: ['sh', '-c', 'echo hi'] },
        checks: [],
        state: 'exited',
        outcome: {
          exitCode: 0,
          signal: null,
          durationMs: 12,
          peakRssBytes: null,
          logFile,
          lines: 1,
          timedOut: false,
          stopped: false,
          results: null,
          cpuLoad: null,
        },
        cwd: '/',
      },
      null,
      2,
    ) + '\n'
  );
}

/** A sweep record as written before records were versioned. */
function oldSweep(id: string) {
  return {
    sweepId: id,
    createdAt: '2026-11-27T10:00:00.000Z',
    finishedAt: '2026-11-27T10:01:00.000Z',
    state: 'done',
    spec: {
      settings: { ...defaultSettings(), workload: ['true'] },
      threads: [1],
      placement: 'compact',
      variants: ['fp32'],
      customVariants: [],
      instances: [1],
      batches: null,
      repeat: 1,
    },
    host: { hostname: 'old-host', model: 'x', arch: 'aarch64', cpus: 2, nodes: 1 },
    planned: 1,
    skipped: [],
    rows: [],
    best: { latency: null, throughput: null, perCore: null, withinBudget: null, budgetMs: null },
  };
}

describe('the rule', () => {
  test('a record without schemaVersion is version 0 and reads as it is; the stamp is written first', () => {
    const body = { a: 1, b: [2] };
    assert.deepEqual(readRecord('run', body), body);
    assert.deepEqual(readRecord('run', { schemaVersion: 1, ...body }), body);
    assert.deepEqual(Object.keys(JSON.parse(recordText('run', body))), ['schemaVersion', 'a', 'b']);
    assert.equal(JSON.parse(recordText('sweep', { schemaVersion: 0, x: 1 })).schemaVersion, 1);
  });

  test('a newer version is refused by name; a malformed one is an error', () => {
    assert.throws(
      () => readRecord('sweep', { schemaVersion: 2 }),
      (e: unknown) => e instanceof NewerRecordError && /written by a newer AIO Tuner/.test(e.message),
    );
    for (const v of [-1, 1.5, '1', null])
      assert.throws(() => readRecord('run', { schemaVersion: v }), /schemaVersion must be a whole number/);
  });

  test('a file a newer version wrote is a JsonFileError of its own kind, naming the file', async () => {
    const f = join(home(), 'x.json');
    writeFileSync(f, '{"schemaVersion": 7}');
    await assert.rejects(
      readJsonFile(f, (d) => readRecord('draft', d)),
      (e: unknown) =>
        e instanceof JsonFileError &&
        e.kind === 'newer' &&
        e.message.startsWith(`${f} was written by a newer AIO Tuner: schemaVersion 7`),
    );
  });

  test('an array output carries the version in each entry, an object output at its top', () => {
    assert.deepEqual(stampOutput('profiles-list', [{ name: 'a' }]), [{ schemaVersion: 1, name: 'a' }]);
    assert.deepEqual(stampOutput('topology', { cpus: [] }), { schemaVersion: 1, cpus: [] });
  });
});

describe('run records', () => {
  test('a run.json from before schemaVersion still lists, opens and bundles; new runs are stamped', async () => {
    const dir = home();
    const id = '20261127T095147-a63cf0';
    const runDir = join(dir, 'runs', id);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'output.log'), '# aio-tuner log v2 2026-11-27T09:51:47.000Z\n0\tO\thi\n');
    writeFileSync(join(runDir, 'run.json'), oldRunJson(id, join(runDir, 'output.log')));

    const e = new Engine({ shell: 'browser', dataDir: dir });
    try {
      const list = await api(e, 'history.list', {});
      assert.deepEqual(list.problems, []);
      assert.ok(list.entries.some((x) => x.id === id));
      const got = await api(e, 'history.get', { kind: 'run', id });
      assert.equal(got.kind === 'run' && got.run.outcome?.exitCode, 0);
      assert.ok(!('schemaVersion' in (got.kind === 'run' ? got.run : {})), 'the version describes the file');
      assert.ok((await api(e, 'run.list', {})).some((r) => r.runId === id));
      assert.equal((await readSavedRun(runDir)).run?.runId, id);

      const settings = { ...defaultSettings(), memPolicy: 'none' as const, workload: ['true'] };
      const fresh = await e.runs.waitFor((await api(e, 'run.start', { settings })).runId);
      const text = readFileSync(join(dir, 'runs', fresh.runId, 'run.json'), 'utf8');
      assert.match(text, /^\{\n {2}"schemaVersion": 1,\n {2}"runId": /);
      assert.equal(JSON.parse(text).state, 'exited');
    } finally {
      await e.dispose();
    }
  });

  test('a run.json a newer AIO Tuner wrote is reported by history and by bundle, and left untouched', async () => {
    const dir = home();
    const id = '20300101T000000-abcdef';
    const runDir = join(dir, 'runs', id);
    mkdirSync(runDir, { recursive: true });
    writeFileSync(join(runDir, 'output.log'), 'plain\n');
    const text = JSON.stringify({ schemaVersion: 2, runId: id, somethingNew: { a: 1 } });
    writeFileSync(join(runDir, 'run.json'), text);

    const e = new Engine({ shell: 'browser', dataDir: dir });
    try {
      const list = await api(e, 'history.list', {});
      assert.equal(list.problems.length, 1);
      assert.match(list.problems[0]!.message, /run\.json was written by a newer AIO Tuner: schemaVersion 2/);
      await assert.rejects(api(e, 'history.get', { kind: 'run', id }), /written by a newer AIO Tuner/);
      await assert.rejects(
        readSavedRun(runDir),
        (x: unknown) => x instanceof SavedRunError && /written by a newer AIO Tuner/.test(x.message),
      );
    } finally {
      await e.dispose();
    }
    assert.equal(readFileSync(join(runDir, 'run.json'), 'utf8'), text);
  });
});

describe('sweep records', () => {
  test('a sweep record from before schemaVersion still lists and opens; saving stamps it', async () => {
    const dir = home();
    const id = '20261127T100000-0ld5we';
    mkdirSync(join(dir, 'sweeps'));
    writeFileSync(join(dir, 'sweeps', `${id}.json`), JSON.stringify(oldSweep(id), null, 2) + '\n');
    const e = new Engine({ shell: 'browser', dataDir: dir });
    try {
      const list = await api(e, 'history.list', { filter: { kind: 'sweep' } });
      assert.deepEqual(list.problems, []);
      assert.deepEqual(
        list.entries.map((x) => x.id),
        [id],
      );
      const got = await api(e, 'sweep.get', { sweepId: id });
      assert.equal(got.host.hostname, 'old-host');
      assert.ok(!('schemaVersion' in got));
      // The app's export of a sweep is its record as the file holds it.
      const exported = await api(e, 'history.export', { format: 'json', sweepId: id });
      assert.equal(JSON.parse(exported.text).schemaVersion, 1);
      assert.equal(
        JSON.parse((await api(e, 'history.export', { format: 'json', ids: [id] })).text).schemaVersion,
        1,
      );
    } finally {
      await e.dispose();
    }
    const files = new SweepFiles(join(dir, 'sweeps'));
    await files.save(await files.load(id));
    const saved = JSON.parse(readFileSync(join(dir, 'sweeps', `${id}.json`), 'utf8'));
    assert.deepEqual(saved, { schemaVersion: 1, ...oldSweep(id) });
  });

  test('a sweep record a newer AIO Tuner wrote is reported and left untouched', async () => {
    const dir = home();
    const id = '20300101T000000-new5we';
    mkdirSync(join(dir, 'sweeps'));
    const text = JSON.stringify({ schemaVersion: 3, ...oldSweep(id) });
    writeFileSync(join(dir, 'sweeps', `${id}.json`), text);
    const e = new Engine({ shell: 'browser', dataDir: dir });
    try {
      const list = await api(e, 'history.list', {});
      assert.equal(list.problems.length, 1);
      assert.match(list.problems[0]!.message, /was written by a newer AIO Tuner: schemaVersion 3/);
      await assert.rejects(api(e, 'sweep.get', { sweepId: id }), /written by a newer AIO Tuner/);
    } finally {
      await e.dispose();
    }
    assert.equal(readFileSync(join(dir, 'sweeps', `${id}.json`), 'utf8'), text);
  });
});
