// History through the engine's API, with real (small, shell) workloads: kept across restarts, corrupt entries
// reported and skipped, compare, filter, export, rerun, delete.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../app/api/engine';
import type { ApiMethod, ApiParamsOf, ApiResults, RunInfo } from '../../app/api/contract';
import { defaultSettings, type RunSettings } from '../../app/command';
import { ENTRY_COLUMNS, sweepEntry } from '../../app/history';
import type { SweepRecord } from '../../app/sweep';
import { need } from '../helpers/require';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;

const home = mkdtempSync(join(tmpdir(), 'aio-history-test-'));
const bench = join(home, 'bench.sh');
// Prints AML-style results: latency and throughput from the environment, exit status from $FAKE_EXIT.
writeFileSync(
  bench,
  // The sleep outlasts RunManager's unawaited start-of-run write: its writes are not serialised, so a run that
  // ends first can be left saved as "running" (reported to the lead).
  '#!/bin/sh\nsleep 0.3\necho "  LATENCY"\necho "      mean   ${FAKE_LAT:-10}.00 [ms]"\necho "  THROUGHPUT"\n' +
    'echo "      observed   ${FAKE_THR:-100}.00 [samples/s]"\nexit ${FAKE_EXIT:-0}\n',
);
chmodSync(bench, 0o755);
after(() => rmSync(home, { recursive: true, force: true }));

async function api<M extends ApiMethod>(
  e: Engine,
  method: M,
  params: ApiParamsOf<M>,
): Promise<ApiResults[M]> {
  return (await e.handle(method, params)) as ApiResults[M];
}

function settings(env: Record<string, string>, threads: number | null = null): RunSettings {
  return { ...defaultSettings(), threads, env, workload: [bench, '-m', 'cnn'] };
}

async function runOnce(e: Engine, s: RunSettings): Promise<RunInfo> {
  const info = await api(e, 'run.start', { settings: s });
  return e.runs.waitFor(info.runId);
}

function readRunState(id: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(home, 'runs', id, 'run.json'), 'utf8')) as RunInfo).state;
  } catch {
    return null;
  }
}

let first: Engine;
let r1: RunInfo;
let r2: RunInfo;
let failed: RunInfo;
let sweep: SweepRecord | null = null;

before(async () => {
  first = new Engine({ shell: 'browser', dataDir: home });
  r1 = await runOnce(first, settings({ FAKE_LAT: '10', FAKE_THR: '100' }, 1));
  r2 = await runOnce(first, settings({ FAKE_LAT: '8', FAKE_THR: '150', AIO_DEBUG_MODE: '2' }, 2));
  failed = await runOnce(first, settings({ FAKE_EXIT: '3' }, 1));
  if (hasNumactl) {
    const rec = await api(first, 'sweep.start', {
      spec: {
        settings: { ...defaultSettings(), workload: [bench] },
        threads: [1],
        placement: 'compact',
        variants: ['fp32', 'off'],
        customVariants: [],
        instances: [1],
        batches: null,
        repeat: 1,
      },
    });
    sweep = await first.sweeps.wait(rec.sweepId);
  }
  // RunManager writes run.json without waiting for it: let the last writes land before "restarting".
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && first.runs.list().some((r) => readRunState(r.runId) !== 'exited'))
    await new Promise((r) => setTimeout(r, 50));
  await first.dispose();
});

describe('history', () => {
  test('a sweep is tagged like its runs: a remote target by its URL, this machine by its name', () => {
    const rec = (host: SweepRecord['host']) =>
      ({
        sweepId: 's1',
        createdAt: '2025-01-01T00:00:00.000Z',
        finishedAt: null,
        state: 'done',
        spec: { settings: { ...defaultSettings(), workload: ['w'] } },
        host,
        planned: 0,
        skipped: [],
        rows: [],
        best: null,
      }) as unknown as SweepRecord;
    const machine = { model: null, arch: null, cpus: 2, nodes: 1 };
    assert.equal(sweepEntry(rec({ hostname: 'here', ...machine }), false).host, 'here');
    const url = 'ssh://me@server:2222';
    assert.equal(sweepEntry(rec({ hostname: 'srv01', target: url, ...machine }), false).host, url);
  });

  test('survives a restart: a new engine on the same data directory lists every run and sweep', async (t) => {
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      const l = await api(e, 'history.list', {});
      assert.deepEqual(l.problems, []);
      const runs = l.entries.filter((x) => x.kind === 'run');
      for (const r of [r1, r2, failed]) {
        const entry = runs.find((x) => x.id === r.runId);
        assert.ok(entry, `run ${r.runId} listed`);
        assert.equal(entry.logFile, r.outcome!.logFile);
        assert.ok(existsSync(entry.logFile!));
        assert.ok(entry.host.length > 0);
        assert.equal(entry.time, r.startedAt);
      }
      const e1 = runs.find((x) => x.id === r1.runId)!;
      assert.equal(e1.latencyMs, 10);
      assert.equal(e1.throughput, 100);
      assert.equal(e1.threads, 1);
      assert.equal(e1.ok, true);
      assert.equal(runs.find((x) => x.id === failed.runId)!.ok, false);
      // Newest first.
      assert.ok(l.entries.every((x, i) => i === 0 || l.entries[i - 1]!.time >= x.time));

      const d = await api(e, 'history.get', { kind: 'run', id: r2.runId });
      assert.equal(d.kind, 'run');
      if (d.kind === 'run') assert.deepEqual(d.run.settings, r2.settings);

      if (!need(t, hasNumactl, 'numactl')) return;
      assert.ok(sweep);
      const s = l.entries.find((x) => x.kind === 'sweep')!;
      assert.equal(s.id, sweep.sweepId);
      assert.equal(s.state, 'done');
      assert.equal(s.rows, 2);
      const sd = await api(e, 'history.get', { kind: 'sweep', id: sweep.sweepId });
      assert.equal(sd.kind, 'sweep');
      if (sd.kind === 'sweep') assert.deepEqual(sd.sweep.rows, sweep.rows);
      // The sweep's runs know their sweep.
      assert.equal(runs.find((x) => x.id === sweep!.rows[0]!.runId)?.sweepId, sweep.sweepId);
      const only = await api(e, 'history.list', { filter: { sweepId: sweep.sweepId } });
      assert.equal(only.entries.length, 3);
    } finally {
      await e.dispose();
    }
  });

  test('a corrupt run.json and a corrupt sweep file are reported and skipped; the rest still shows', async () => {
    const badRun = join(home, 'runs', '20990101T000000-bad001');
    mkdirSync(badRun, { recursive: true });
    writeFileSync(join(badRun, 'run.json'), '{"runId": "20990101T000000-bad001", "startedAt": ');
    const badShape = join(home, 'runs', '20990101T000000-bad002');
    mkdirSync(badShape, { recursive: true });
    writeFileSync(join(badShape, 'run.json'), JSON.stringify({ runId: 7 }));
    mkdirSync(join(home, 'sweeps'), { recursive: true });
    writeFileSync(join(home, 'sweeps', 'broken.json'), JSON.stringify({ sweepId: 'broken', rows: 'no' }));
    try {
      const e = new Engine({ shell: 'browser', dataDir: home });
      try {
        const l = await api(e, 'history.list', {});
        assert.deepEqual(l.problems.map((p) => `${p.kind}:${p.id}`).sort(), [
          'run:20990101T000000-bad001',
          'run:20990101T000000-bad002',
          'sweep:broken',
        ]);
        assert.match(l.problems.find((p) => p.id.endsWith('bad001'))!.message, /not valid JSON/);
        assert.match(l.problems.find((p) => p.id === 'broken')!.message, /unexpected contents/);
        for (const r of [r1, r2, failed]) assert.ok(l.entries.some((x) => x.id === r.runId));
        if (sweep) assert.ok(l.entries.some((x) => x.id === sweep!.sweepId));
      } finally {
        await e.dispose();
      }
    } finally {
      rmSync(badRun, { recursive: true, force: true });
      rmSync(badShape, { recursive: true, force: true });
      rmSync(join(home, 'sweeps', 'broken.json'), { force: true });
    }
  });

  test('compare two runs: settings diff and result deltas', async () => {
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      const c = await api(e, 'history.compare', { a: r1.runId, b: r2.runId });
      assert.equal(c.a.id, r1.runId);
      const diff = Object.fromEntries(c.settings.filter((s) => !s.same).map((s) => [s.field, [s.a, s.b]]));
      assert.deepEqual(diff.threads, ['1', '2']);
      assert.deepEqual(diff.$AIO_NUM_THREADS, ['1', '2']);
      assert.deepEqual(diff.$FAKE_LAT, ['10', '8']);
      assert.deepEqual(diff.$AIO_DEBUG_MODE, ['—', '2']);
      assert.ok(c.settings.find((s) => s.field === 'workload')!.same);
      const m = Object.fromEntries(c.metrics.map((x) => [x.metric, x]));
      assert.equal(m['latency mean']!.delta, -2);
      assert.equal(m['latency mean']!.pct, -20);
      assert.equal(m['latency mean']!.better, 'b');
      assert.equal(m.throughput!.delta, 50);
      assert.equal(m.throughput!.better, 'b');
      await assert.rejects(api(e, 'history.compare', { a: r1.runId, b: 'nope' }), /does not exist/);
    } finally {
      await e.dispose();
    }
  });

  test('filter by text, kind and outcome', async () => {
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      const failedOnly = await api(e, 'history.list', { filter: { outcome: 'failed' } });
      assert.deepEqual(
        failedOnly.entries.map((x) => x.id),
        [failed.runId],
      );
      const byText = await api(e, 'history.list', { filter: { text: 'FAKE_LAT=8' } });
      assert.deepEqual(
        byText.entries.map((x) => x.id),
        [r2.runId],
      );
      const sweeps = await api(e, 'history.list', { filter: { kind: 'sweep' } });
      assert.ok(sweeps.entries.every((x) => x.kind === 'sweep'));
      await assert.rejects(
        api(e, 'history.list', { filter: { kind: 'job' } as never }),
        /invalid history.list/,
      );
    } finally {
      await e.dispose();
    }
  });

  test('export CSV and JSON (all entries, picked ones, one sweep)', async (t) => {
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      const csv = await api(e, 'history.export', { format: 'csv' });
      assert.equal(csv.mime, 'text/csv');
      assert.match(csv.fileName, /^aio-history-\d{8}T\d{6}\.csv$/);
      const lines = csv.text.trimEnd().split('\r\n');
      assert.equal(lines[0], ENTRY_COLUMNS.join(','));
      const total = (await api(e, 'history.list', {})).total;
      assert.equal(lines.length, total + 1);
      assert.ok(lines.some((l) => l.startsWith(`run,${r1.runId},`) && l.includes(',10,100,samples/s,0,')));

      const json = await api(e, 'history.export', { format: 'json', ids: [r1.runId, r2.runId] });
      const doc = JSON.parse(json.text) as { runs: RunInfo[]; sweeps: unknown[]; host: string };
      assert.deepEqual(doc.runs.map((r) => r.runId).sort(), [r1.runId, r2.runId].sort());
      assert.deepEqual(doc.runs.find((r) => r.runId === r1.runId)!.settings, r1.settings);
      assert.deepEqual(doc.sweeps, []);

      if (!need(t, hasNumactl, 'numactl')) return;
      const sc = await api(e, 'history.export', { format: 'csv', sweepId: sweep!.sweepId });
      const rows = sc.text.trimEnd().split('\r\n');
      assert.equal(rows.length, 3);
      assert.match(rows[0]!, /^i,threads,instances,cores,placement,variant,batch,repeat,latencyMs,/);
      assert.match(rows[2]!, /^1,1,1,1,compact,off,,1,10,/);
    } finally {
      await e.dispose();
    }
  });

  test('rerun a saved run; delete runs and sweeps (never a running one)', async (t) => {
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      const re = await api(e, 'history.rerun', { kind: 'run', id: r1.runId });
      assert.equal(re.kind, 'run');
      if (re.kind !== 'run') return;
      const again = await e.runs.waitFor(re.run.runId);
      assert.notEqual(again.runId, r1.runId);
      assert.deepEqual(again.settings, r1.settings);
      assert.equal(again.outcome?.results?.latencyMs?.mean, 10);

      // A running run cannot be deleted.
      const slow = await api(e, 'run.start', {
        settings: { ...defaultSettings(), workload: ['/bin/sleep', '30'] },
      });
      await assert.rejects(api(e, 'history.delete', { kind: 'run', id: slow.runId }), /still running/);
      await e.runs.stop(slow.runId);
      await e.runs.waitFor(slow.runId);

      await api(e, 'history.delete', { kind: 'run', id: again.runId });
      assert.ok(!existsSync(join(home, 'runs', again.runId)));
      const l = await api(e, 'history.list', {});
      assert.ok(!l.entries.some((x) => x.id === again.runId));
      assert.ok(
        l.entries.some((x) => x.id === r1.runId),
        'the others stay',
      );
      await assert.rejects(api(e, 'history.delete', { kind: 'run', id: '../../etc' }), /not a valid id/);

      if (!need(t, hasNumactl, 'numactl')) return;
      await api(e, 'history.delete', { kind: 'sweep', id: sweep!.sweepId });
      assert.ok(!existsSync(join(home, 'sweeps', `${sweep!.sweepId}.json`)));
      const after = await api(e, 'history.list', { filter: { kind: 'sweep' } });
      assert.equal(after.entries.length, 0);
      // Its runs stay in history (each is a run of its own).
      assert.ok(existsSync(join(home, 'runs', sweep!.rows[0]!.runId, 'run.json')));
      assert.ok(readFileSync(join(home, 'runs', sweep!.rows[0]!.runId, 'run.json'), 'utf8').length > 0);
    } finally {
      await e.dispose();
    }
  });
});
