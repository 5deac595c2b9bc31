// The run log is the raw output byte for byte (log format v2): real workloads through the real runner, read
// back by every reader (readLogFile, LogIndex, the bundle's output.log, `cut -f3-`), and v1 logs still read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun } from '../../app/run';
import { LOG_MAGIC, LOG_MAGIC_V1, LogIndex, MAX_LINE_BYTES, readLogFile } from '../../app/logs';
import { outputLines } from '../../app/bundle/output-log';
import { Redactor } from '../../app/bundle';

const dir = mkdtempSync(join(tmpdir(), 'aio-logformat-'));
let n = 0;

async function capture(script: string): Promise<string> {
  const logFile = join(dir, `run-${++n}.log`);
  const r = await startRun({ argv: ['sh', '-c', script], env: {}, logFile, graceMs: 500 }).done;
  assert.equal(r.exitCode, 0);
  return logFile;
}

/** What readLogFile says the output was: each record's bytes, plus a newline where the original had one. */
async function restored(logFile: string, stream?: 'stdout' | 'stderr'): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const r of readLogFile(logFile)) {
    if (stream && r.stream !== stream) continue;
    parts.push(r.raw);
    if (r.newline) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

test('an unterminated last line gains no newline; the header says v2', async () => {
  const log = await capture("printf 'one\\ntwo'; printf 'err' >&2");
  const file = readFileSync(log);
  assert.equal(file.subarray(0, LOG_MAGIC.length).toString(), '# aio-tuner log v2');
  assert.deepEqual((await restored(log, 'stdout')).toString(), 'one\ntwo');
  assert.deepEqual((await restored(log, 'stderr')).toString(), 'err');
  // The record says so itself (o/e), for readers outside the tool.
  assert.match(file.toString(), /\n\d+\to\ttwo\n/);
  assert.match(file.toString(), /\n\d+\te\terr\n/);
  // The viewer's index still shows both lines.
  const idx = new LogIndex(log);
  await idx.refresh();
  assert.deepEqual(
    (await idx.getLines(1, 10)).map((l) => [l.stream, l.text]),
    [
      ['stdout', 'one'],
      ['stdout', 'two'],
      ['stderr', 'err'],
    ],
  );
});

test('a line over MAX_LINE_BYTES stays one record: `cut -f3-` gives exactly the output back', async () => {
  const size = MAX_LINE_BYTES + 5 * 1024 * 1024;
  const log = await capture(`head -c ${size} /dev/zero | tr '\\0' x; echo; echo after`);
  const cut = spawnSync('sh', ['-c', `tail -n +2 '${log}' | cut -f3- | wc -c`], { encoding: 'utf8' });
  assert.equal(Number(cut.stdout.trim()), size + 1 + 'after\n'.length, 'no byte added');
  const recs: { len: number; newline: boolean }[] = [];
  for await (const r of readLogFile(log)) recs.push({ len: r.raw.length, newline: r.newline });
  assert.deepEqual(recs, [
    { len: size, newline: true },
    { len: 5, newline: true },
  ]);
  const idx = new LogIndex(log);
  await idx.refresh();
  assert.equal(idx.lineCount, 2);
  assert.equal((await idx.getLines(2, 1))[0]!.text, 'after');
});

test('the bundle output.log marks a line without newline, and v1 logs still read everywhere', async () => {
  const log = await capture("printf 'a\\nb'");
  let out = '';
  for await (const c of outputLines(log, new Redactor({ patterns: [] }))) out += c.toString('latin1');
  assert.match(out, /^\[stdout \+\d+\.\d{3}s\] a\n\[stdout \+\d+\.\d{3}s, no newline\] b\n$/);

  const v1 = join(dir, 'v1.log');
  writeFileSync(
    v1,
    `${LOG_MAGIC_V1} 2026-01-01T00:00:00.000Z (fields: t_ms<TAB>O|E<TAB>original bytes)\n5\tO\tx\n7\tE\ty\n`,
  );
  const recs = [];
  for await (const r of readLogFile(v1)) recs.push([r.stream, r.t, r.raw.toString(), r.newline]);
  assert.deepEqual(recs, [
    ['stdout', 5, 'x', true],
    ['stderr', 7, 'y', true],
  ]);
  const idx = new LogIndex(v1);
  await idx.refresh();
  assert.deepEqual(
    (await idx.getLines(1, 2)).map((l) => [l.stream, l.t, l.text]),
    [
      ['stdout', 5, 'x'],
      ['stderr', 7, 'y'],
    ],
  );
  let b = '';
  for await (const c of outputLines(v1, new Redactor({ patterns: [] }))) b += c.toString('latin1');
  assert.equal(b, '[stdout +0.005s] x\n[stderr +0.007s] y\n');
});
