// The run view's words for how a run ended and for CPUs busy outside the selection (renderer/src/run): pure
// functions, so every case is checked here; the e2e tests (run.test.ts) check them on screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunOutcome } from '../../app/api/contract';
import { countOf, describeEnd, endDetail, outcomeKind, outsideMessage } from '../../renderer/src/run/format';

const base: RunOutcome = {
  exitCode: 0,
  signal: null,
  durationMs: 1000,
  peakRssBytes: null,
  logFile: '/x/output.log',
  lines: 1,
  results: null,
};

test('one busy CPU is singular, several are plural', () => {
  assert.equal(
    outsideMessage([1]),
    'CPU 1 is busy outside your selection — the binding may not have worked (or another process is using it).',
  );
  assert.equal(
    outsideMessage([0, 1]),
    'CPUs 0, 1 are busy outside your selection — the binding may not have worked (or another process is using them).',
  );
});

test('a stopped run reads "stopped", with the signal as a detail; a crash by signal is a failure', () => {
  const stopped = { ...base, exitCode: null, signal: 'SIGTERM', stopped: true };
  assert.equal(describeEnd(stopped), 'stopped');
  assert.equal(endDetail(stopped), 'SIGTERM');
  assert.equal(outcomeKind(stopped), 'stopped');
  const trapped = { ...base, exitCode: 143, stopped: true };
  assert.equal(describeEnd(trapped), 'stopped');
  assert.equal(endDetail(trapped), 'exit code 143');
  const timedOut = { ...base, exitCode: null, signal: 'SIGTERM', stopped: true, timedOut: true };
  assert.equal(describeEnd(timedOut), 'timed out and was stopped');
  const crashed = { ...base, exitCode: null, signal: 'SIGSEGV', stopped: false };
  assert.equal(describeEnd(crashed), 'ended by SIGSEGV');
  assert.equal(endDetail(crashed), null);
  assert.equal(outcomeKind(crashed), 'failure');
});

test('success is exit code 0 only; a failed start or a lost connection is a failure', () => {
  assert.equal(outcomeKind(base), 'success');
  assert.equal(outcomeKind({ ...base, exitCode: 2 }), 'failure');
  assert.equal(
    outcomeKind({ ...base, exitCode: null, startError: 'cannot start: `x` not found' }),
    'failure',
  );
  assert.equal(outcomeKind({ ...base, exitCode: null, connectionLost: 'ssh: broken pipe' }), 'failure');
  assert.equal(describeEnd({ ...base, exitCode: 2 }), 'exit code 2');
});

test('counts agree with their word', () => {
  assert.equal(countOf(1, 'line'), '1 line');
  assert.equal(countOf(0, 'line'), '0 lines');
  assert.equal(countOf(20_000, 'line'), `${(20_000).toLocaleString()} lines`);
  assert.equal(countOf(1, 'pass', 'passes'), '1 pass');
  assert.equal(countOf(30, 'pass', 'passes'), '30 passes');
});
