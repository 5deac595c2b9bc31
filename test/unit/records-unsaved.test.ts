// Nothing lost silently: when a run's or a sweep's record cannot be written, the engine says so (record.unsaved),
// keeps the record in memory (lists, history, sweep.get) and writes it once a later write can. The failures are
// real: the record's folder (or file) is replaced by something a record cannot be written to.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../app/api/engine';
import type { ApiMethod, ApiParamsOf, ApiResults, RecordSaveNotice, RunInfo } from '../../app/api/contract';
import { defaultSettings } from '../../app/command';
import type { SweepRecord, SweepSpec } from '../../app/sweep';
import { need } from '../helpers/require';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'aio-unsaved-'));
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

function notices(e: Engine): RecordSaveNotice[] {
  const seen: RecordSaveNotice[] = [];
  e.subscribe((event, data) => {
    if (event === 'record.unsaved') seen.push(data as RecordSaveNotice);
  });
  return seen;
}

const settings = (workload: string[]) => ({ ...defaultSettings(), memPolicy: 'none' as const, workload });

describe('run records', () => {
  test('a run.json that cannot be written is reported, kept in memory and written by a later run', async () => {
    const dir = home();
    const e = new Engine({ shell: 'browser', dataDir: dir });
    const seen = notices(e);
    // The run's folder becomes a file as soon as the run is announced: none of its writes can land.
    e.subscribe((event, data) => {
      if (event !== 'run.started' || seen.length > 0) return;
      const runDir = join(dir, 'runs', (data as RunInfo).runId);
      rmSync(runDir, { recursive: true, force: true });
      writeFileSync(runDir, 'in the way');
    });
    try {
      const started = await api(e, 'run.start', { settings: settings(['sleep', '60']) });
      const id = started.runId;
      await e.runs.stop(id);
      const ended = await e.runs.waitFor(id);
      assert.equal(ended.outcome?.stopped, true);

      const problem = e.runs.saveProblem(id);
      assert.match(problem ?? '', new RegExp(`runs/${id}/run\\.json could not be saved: `));
      assert.ok(
        seen.some((s) => s.kind === 'run' && s.id === id && s.problem === problem),
        'the UI was told',
      );
      // Kept: the lists and history still have it, as it ended.
      assert.equal((await api(e, 'run.list', {})).find((r) => r.runId === id)?.state, 'exited');
      const entry = (await api(e, 'history.list', {})).entries.find((x) => x.id === id);
      assert.ok(entry, 'history shows it from memory');
      const detail = await api(e, 'history.get', { kind: 'run', id });
      assert.equal(detail.kind === 'run' && detail.run.outcome?.stopped, true);

      // The obstacle goes; the next run's start writes the kept record.
      rmSync(join(dir, 'runs', id));
      const next = await api(e, 'run.start', { settings: settings(['true']) });
      await e.runs.waitFor(next.runId);
      await e.runs.flush();
      assert.equal(e.runs.saveProblem(id), null);
      assert.deepEqual(seen.at(-1), { kind: 'run', id, problem: null });
      const saved = JSON.parse(readFileSync(join(dir, 'runs', id, 'run.json'), 'utf8'));
      assert.equal(saved.schemaVersion, 1);
      assert.equal(saved.state, 'exited');
      assert.equal(saved.outcome.stopped, true);
    } finally {
      await e.dispose();
    }
  });
});

describe('sweep records', () => {
  const fake = join(tmp, 'fake.sh');
  writeFileSync(
    fake,
    '#!/bin/sh\necho "  LATENCY"\necho "      mean   $((10 + AIO_NUM_THREADS)).5 [ms]"\n' +
      'echo "  THROUGHPUT"\necho "      observed   $((100 * AIO_NUM_THREADS)).0 [samples/s]"\n',
  );
  chmodSync(fake, 0o755);
  const spec = (): SweepSpec => ({
    settings: { ...defaultSettings(), workload: [fake] },
    threads: [1, 2],
    placement: 'compact',
    variants: ['fp32'],
    customVariants: [],
    instances: [1],
    batches: null,
    repeat: 1,
  });
  /** Puts a non-empty folder where the sweep's record goes: renaming a file onto it fails. */
  const block = (file: string) => {
    rmSync(file, { force: true });
    mkdirSync(join(file, 'in-the-way'), { recursive: true });
  };

  test('a failed row write is reported and the sweep goes on; the next row that can be written saves it all', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const dir = home();
    const e = new Engine({ shell: 'browser', dataDir: dir });
    const seen = notices(e);
    e.subscribe((event, data) => {
      if (event === 'sweep.started') block(e.sweeps.files.fileOf((data as SweepRecord).sweepId));
      // Told of the first failure, the user frees the way: the write after the next row lands.
      if (event === 'record.unsaved' && (data as RecordSaveNotice).problem)
        rmSync(e.sweeps.files.fileOf((data as RecordSaveNotice).id), { recursive: true });
    });
    try {
      const rec = await e.sweeps.start(spec());
      const fin = await e.sweeps.wait(rec.sweepId);
      assert.equal(fin.state, 'done', fin.error);
      assert.equal(fin.rows.length, 2);
      assert.match(seen[0]?.problem ?? '', /\.json could not be saved: /);
      assert.deepEqual(seen.at(-1), { kind: 'sweep', id: rec.sweepId, problem: null });
      assert.equal(e.sweeps.saveProblem(rec.sweepId), null);
      const saved = JSON.parse(readFileSync(e.sweeps.files.fileOf(rec.sweepId), 'utf8')) as SweepRecord;
      assert.equal(saved.state, 'done');
      assert.equal(saved.rows.length, 2);
    } finally {
      await e.dispose();
    }
  });

  test('a sweep that can never be written ends as measured, kept in memory, and is saved by the next sweep', async (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const dir = home();
    const e = new Engine({ shell: 'browser', dataDir: dir });
    const seen = notices(e);
    let first: string | null = null;
    e.subscribe((event, data) => {
      if (event === 'sweep.started' && first === null) {
        first = (data as SweepRecord).sweepId;
        block(e.sweeps.files.fileOf(first));
      }
    });
    try {
      const rec = await e.sweeps.start(spec());
      const fin = await e.sweeps.wait(rec.sweepId);
      assert.equal(fin.state, 'done', 'a record that cannot be written does not fail the measurement');
      assert.equal(fin.rows.length, 2);
      assert.match(e.sweeps.saveProblem(rec.sweepId) ?? '', /could not be saved/);
      assert.ok(seen.every((s) => s.problem !== null));
      const kept = await api(e, 'sweep.get', { sweepId: rec.sweepId });
      assert.equal(kept.rows.length, 2);
      assert.equal(kept.state, 'done');
      const listed = await api(e, 'history.list', { filter: { kind: 'sweep' } });
      assert.equal(listed.entries.find((x) => x.id === rec.sweepId)?.ok, true);
      assert.deepEqual(listed.problems, [], 'shown from memory, not reported as unreadable and skipped');

      rmSync(e.sweeps.files.fileOf(rec.sweepId), { recursive: true });
      const again = await e.sweeps.start(spec());
      await e.sweeps.wait(again.sweepId);
      assert.equal(e.sweeps.saveProblem(rec.sweepId), null);
      assert.ok(seen.some((s) => s.id === rec.sweepId && s.problem === null));
      const saved = JSON.parse(readFileSync(e.sweeps.files.fileOf(rec.sweepId), 'utf8')) as SweepRecord;
      assert.equal(saved.rows.length, 2);
      assert.equal(saved.state, 'done');
    } finally {
      await e.dispose();
    }
  });
});
