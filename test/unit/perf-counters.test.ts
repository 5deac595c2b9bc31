/**
 * startCounters against real processes and the real perf (Debian linux-perf): it attaches to a running
 * /usr/bin/python3 without changing its exit code, counts the software events, and reports the hardware events
 * this machine's PMU refuses as unavailable (in a VM without a PMU: cycles and instructions `<not supported>`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PERF_MISSING, listedPmuEvents, startCounters } from '../../app/run/proof/perf';
import { need } from '../helpers/require';

const PY = '/usr/bin/python3';
const perfInstalled = existsSync('/usr/bin/perf');

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => child.on('exit', (code) => r(code)));
}

test('a busy loop of 0.6 s of CPU: task clock counted, exit code unchanged, refused hardware events unavailable (never 0)', async (t) => {
  if (!need(t, perfInstalled, 'perf (Debian linux-perf)')) return;
  const child = spawn(PY, ['-c', 'import time,sys\nwhile time.process_time()<0.6: pass\nsys.exit(3)'], {
    stdio: 'ignore',
  });
  const session = startCounters(child.pid!, { cpus: [] });
  assert.ok(session);
  const code = await exitOf(child);
  const c = await session.stop();
  assert.equal(code, 3, 'the workload keeps its own exit code');
  assert.equal(c.error, undefined, `perf error: ${c.error}`);
  // perf attaches a few ms after the start: most of the 600 ms busy loop must be there, and no more than it ran.
  assert.ok(
    c.taskClockMs !== null && c.taskClockMs > 300 && c.taskClockMs < 2000,
    `task clock ${c.taskClockMs}`,
  );
  assert.equal(typeof c.contextSwitches, 'number');
  assert.equal(typeof c.cpuMigrations, 'number');
  assert.equal(typeof c.pageFaults, 'number');
  for (const hw of ['cycles', 'instructions'] as const) {
    const refused = c.unavailable.find((u) => u.name === hw);
    if (refused) {
      assert.equal(c[hw], undefined, `${hw} is unavailable, so it has no value`);
      assert.match(refused.reason, /<not supported>|<not counted>/);
    } else {
      assert.ok((c[hw] ?? 0) > 0, `${hw} counted: ${c[hw]}`);
    }
  }
  const hasCpuPmu = [...listedPmuEvents()].some((e) => e === 'cpu_cycles' || e === 'cycles');
  if (!hasCpuPmu) {
    assert.deepEqual(
      c.unavailable.map((u) => u.name).sort(),
      ['cycles', 'instructions'],
      'without a hardware PMU (this VM) perf refuses exactly cycles and instructions',
    );
    assert.equal(c.ipc, undefined);
  }
});

test('stop() while the workload still runs: counts so far, and the workload goes on untouched', async (t) => {
  if (!need(t, perfInstalled, 'perf (Debian linux-perf)')) return;
  const child = spawn(PY, ['-c', 'import time\nfor i in range(150): time.sleep(0.01)\nprint("done")'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const session = startCounters(child.pid!, { cpus: [0] })!;
  await new Promise((r) => setTimeout(r, 500));
  const started = Date.now();
  const c = await session.stop();
  assert.ok(Date.now() - started < 2500, 'stop() does not wait for the workload');
  assert.equal(child.exitCode, null, 'the workload is still running after perf stopped');
  assert.ok((c.contextSwitches ?? 0) > 10, `a sleeping loop switches context: ${c.contextSwitches}`);
  assert.equal(await exitOf(child), 0);
  assert.equal(out.trim(), 'done');
  assert.equal(await session.stop(), c, 'stop() twice gives the same result');
});

test('perf not installed: the session resolves to the error, counters null, nothing thrown', async () => {
  const session = startCounters(process.pid, { cpus: [], perf: '/nonexistent/perf' });
  assert.ok(session);
  const c = await session.stop();
  assert.equal(c.error, PERF_MISSING);
  assert.equal(c.error, 'perf is not installed (Debian: linux-perf)');
  assert.equal(c.taskClockMs, null);
  assert.equal(c.pageFaults, null);
});

test('a process that is already gone: an error that says perf counted nothing, not zeros', async (t) => {
  if (!need(t, perfInstalled, 'perf (Debian linux-perf)')) return;
  const child = spawn(PY, ['-c', 'pass'], { stdio: 'ignore' });
  const pid = child.pid!;
  await exitOf(child);
  const c = await startCounters(pid, { cpus: [] })!.stop();
  assert.equal(c.taskClockMs, null);
  assert.match(c.error ?? '', /perf counted nothing/);
});
