// A failed run's last words on stderr are at least warnings, through the real runner and real processes: a
// `usage:` line before exit 2 shows at the default level, the same line before exit 0 stays info, and a run
// ended by Stop is not a failure.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun, type RunHandle } from '../../app/run';
import { FAILURE_TAIL_LINES, LogIndex } from '../../app/logs';

const dir = mkdtempSync(join(tmpdir(), 'aio-logs-failure-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const sh = (script: string): RunHandle =>
  startRun({ argv: ['/bin/sh', '-c', script], env: {}, logFile: join(dir, `${++n}.log`), graceMs: 500 });

/** Level of every line, by its text, as the run's own index has it and as the file re-opened has it. */
async function levels(h: RunHandle): Promise<Record<string, string>> {
  const lines = await h.log.getLines(1, h.log.lineCount);
  return Object.fromEntries(lines.map((l) => [l.text, l.level]));
}

test('stderr lines just before a non-zero exit are raised to warning, errors stay errors', async () => {
  const h = sh(
    [
      'echo "starting" >&2',
      'echo "an ordinary stdout line"',
      'echo "usage: prog [-h] MODEL" >&2',
      'echo "prog: error: the following arguments are required: MODEL" >&2',
      'exit 2',
    ].join('; '),
  );
  const r = await h.done;
  assert.equal(r.exitCode, 2);
  assert.deepEqual(await levels(h), {
    starting: 'warning',
    'an ordinary stdout line': 'info',
    'usage: prog [-h] MODEL': 'warning',
    'prog: error: the following arguments are required: MODEL': 'error',
  });
  assert.deepEqual(r.counts, { error: 1, warning: 2, info: 1, debug: 0, trace: 0 });
});

test(`only the last ${FAILURE_TAIL_LINES} stderr lines are raised`, async () => {
  const h = sh(`for i in $(seq 1 ${FAILURE_TAIL_LINES + 5}); do echo "note $i" >&2; done; exit 1`);
  await h.done;
  const l = await levels(h);
  assert.equal(l['note 5'], 'info');
  assert.equal(l['note 6'], 'warning');
  assert.equal(l[`note ${FAILURE_TAIL_LINES + 5}`], 'warning');
});

test('the same lines before exit 0, or before Stop, stay info', async () => {
  const ok = sh('echo "usage: prog [-h] MODEL" >&2; exit 0');
  await ok.done;
  assert.deepEqual(await levels(ok), { 'usage: prog [-h] MODEL': 'info' });

  const stopped = sh('echo "waiting here" >&2; exec sleep 30');
  while (stopped.log.lineCount === 0) await new Promise((r) => setTimeout(r, 20));
  const r = await stopped.stop();
  assert.equal(r.stopped, true);
  assert.deepEqual(await levels(stopped), { 'waiting here': 'info' });
});

test('a start failure printed by the interpreter is an error on its own', async () => {
  const h = startRun({
    argv: ['/bin/sh', '/nonexistent-aio-script.sh'],
    env: {},
    logFile: join(dir, 'start.log'),
  });
  const r = await h.done;
  assert.notEqual(r.exitCode, 0);
  const lines = await h.log.getLines(1, h.log.lineCount);
  assert.ok(lines.length > 0);
  assert.ok(
    lines.every((l) => l.level === 'error'),
    JSON.stringify(lines),
  );
  // Re-opened from the file (no exit status there), the classification alone still says error.
  const again = await LogIndex.open(r.logFile);
  assert.equal(again.counts().error, lines.length);
});
