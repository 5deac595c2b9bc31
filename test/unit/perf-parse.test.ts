/**
 * app/run/proof/perfparse.ts on recorded `perf stat -x,` outputs (test/fixtures/perf, see its README for which
 * are real and which hand-made): counted events become numbers, refused ones are `unavailable` with a reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  normalizeEventName,
  parsePerfStat,
  permissionError,
  permissionRefused,
} from '../../app/run/proof/perfparse';
import { eventsToAsk } from '../../app/run/proof/perf';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'perf', name), 'utf8');

test('VM without a PMU (real recording): software counters are numbers, cycles/instructions unavailable, not 0', () => {
  const c = parsePerfStat(fixture('vm-no-pmu.txt'), 2);
  assert.equal(c.taskClockMs, 373.46);
  assert.equal(c.contextSwitches, 57);
  assert.equal(c.cpuMigrations, 0);
  assert.equal(c.pageFaults, 0);
  assert.equal(c.cycles, undefined);
  assert.equal(c.instructions, undefined);
  assert.equal(c.ipc, undefined);
  assert.deepEqual(
    c.unavailable.map((u) => u.name),
    ['cycles', 'instructions'],
  );
  assert.match(c.unavailable[0]!.reason, /<not supported>.*PMU.*perf_event_paranoid=2/);
  assert.equal(c.error, undefined);
});

test('Neoverse N1 with a PMU (hand-made): cycles, instructions, IPC and the raw arm64 events', () => {
  const c = parsePerfStat(fixture('altra-n1-handmade.txt'), 1);
  assert.equal(c.taskClockMs, 1843.27);
  assert.equal(c.pageFaults, 48213);
  assert.equal(c.cycles, 5161154522);
  assert.equal(c.instructions, 9806193591);
  assert.equal(c.ipc, 1.9);
  assert.deepEqual(c.events, {
    l1d_cache_refill: 61234511,
    ll_cache_miss_rd: 2810035,
    mem_access: 3902245117,
    bus_access: 88122410,
    remote_access: 0,
  });
  assert.deepEqual(c.unavailable, []);
});

test('multiplexed, user-only counting (hand-made): modifiers and pmu/…/ spellings, <not counted> and <not supported>', () => {
  const c = parsePerfStat(fixture('ampereone-multiplexed-handmade.txt'), 2);
  assert.equal(c.taskClockMs, 4012.55);
  assert.equal(c.cpuMigrations, 41);
  assert.equal(c.ipc, 1.5);
  assert.deepEqual(c.events, { l1d_cache_refill: 201122981, mem_access: 9301117224 });
  assert.deepEqual(
    c.unavailable.map((u) => [u.name, u.reason.split(':')[0]]),
    [
      ['ll_cache_miss_rd', '<not counted>'],
      ['remote_access', '<not supported>'],
    ],
  );
  assert.equal('ll_cache_miss_rd' in (c.events ?? {}), false);
});

test('event names: pmu/event/ and :u spellings reduce to the plain name', () => {
  assert.equal(normalizeEventName('armv8_pmuv3_0/L1D_CACHE_REFILL/'), 'l1d_cache_refill');
  assert.equal(normalizeEventName('cycles:u'), 'cycles');
  assert.equal(normalizeEventName('task-clock'), 'task-clock');
});

test('empty output (perf never counted) gives null software counters and nothing unavailable', () => {
  const c = parsePerfStat('', null);
  assert.deepEqual(c, {
    taskClockMs: null,
    contextSwitches: null,
    cpuMigrations: null,
    pageFaults: null,
    unavailable: [],
  });
});

test('permission refusals are recognised and the error names the sysctl that allows it', () => {
  const stderr =
    'Error:\nNo permission to enable task-clock event.\n\nYou may not have permission to collect stats.\n\nConsider tweaking /proc/sys/kernel/perf_event_paranoid,';
  assert.equal(permissionRefused(stderr), true);
  assert.equal(
    permissionRefused(
      'Error:\nThe sys_perf_event_open() syscall returned with 2 (No such file or directory)',
    ),
    false,
  );
  assert.match(permissionError(3), /perf_event_paranoid is 3.*sysctl kernel\.perf_event_paranoid=1/);
});

test('events asked: software and generic always, raw arm64 ones only when the PMU lists them', () => {
  assert.deepEqual(eventsToAsk(new Set()), [
    'task-clock',
    'context-switches',
    'cpu-migrations',
    'page-faults',
    'cycles',
    'instructions',
  ]);
  const withPmu = eventsToAsk(new Set(['remote_access', 'l1d_cache_refill', 'something_else']));
  assert.deepEqual(withPmu.slice(6), ['l1d_cache_refill', 'remote_access']);
});
