// Placement proof's pure parts (issue 13): where a thread's CPU time is attributed from a sequence of stat looks,
// the numa_maps sum of a recorded process, and the cpufreq/throttle reader on a made-up sysfs tree and on this
// machine (whose VM kernel exposes no cpufreq: `{}`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThreadTally } from '../../app/run/proof/threads';
import { CpuFreqTally } from '../../app/run/proof/cpufreq';
import { memoryByNodeFromNumaMaps, parseTaskStat } from '../../app/run/proof/procfs';
import { fixtureText } from '../helpers/fixtures';

/** A /proc/PID/task/TID/stat line with the fields the tally reads (utime 14, stime 15, processor 39). */
function stat(tid: number, name: string, utime: number, stime: number, cpu: number) {
  const f = Array.from({ length: 52 - 2 }, () => '0');
  f[0] = 'R';
  f[14 - 3] = String(utime);
  f[15 - 3] = String(stime);
  f[39 - 3] = String(cpu);
  const st = parseTaskStat(`${tid} (${name}) ${f.join(' ')}`);
  assert.ok(st);
  return st;
}

test("each interval's time goes to the CPU the thread is seen on at its end", () => {
  const t = new ThreadTally();
  t.observe(100, stat(101, 'worker', 3, 2, 0)); // 5 ticks before the first look: on CPU 0
  t.observe(100, stat(101, 'worker', 10, 5, 1)); // +10 ticks, now on CPU 1
  t.observe(100, stat(101, 'worker', 10, 5, 0)); // idle, moved back: nothing added
  t.observe(100, stat(101, 'worker', 12, 6, 0)); // +3 on CPU 0
  const [w] = t.result();
  assert.deepEqual(w, {
    tid: 101,
    name: 'worker',
    pid: 100,
    cpuTimeMs: 180,
    cpus: { 0: 80, 1: 100 },
    allowed: null,
  });
});

test('a thread that exits keeps what was seen; a reused tid starts a new thread', () => {
  const t = new ThreadTally();
  t.observe(1, stat(7, 'a', 50, 0, 1));
  t.observe(1, stat(7, 'b', 2, 0, 0)); // fewer ticks: another thread with the old number
  t.setAllowed(7, [0]);
  const r = t.result();
  assert.equal(r.length, 2);
  assert.deepEqual(
    r.map((x) => [x.tid, x.name, x.cpuTimeMs, x.cpus, x.allowed]),
    [
      [7, 'a', 500, { 1: 500 }, null],
      [7, 'b', 20, { 0: 20 }, [0]],
    ],
  );
});

test('live view: time since the last take, at the CPU last run on', () => {
  const t = new ThreadTally();
  t.observe(1, stat(2, 'x', 0, 0, 0));
  t.observe(1, stat(3, 'y', 0, 0, 0));
  t.observe(1, stat(2, 'x', 40, 0, 1));
  assert.deepEqual(t.takeLive(), [{ tid: 2, name: 'x', cpu: 1, ms: 400 }]);
  assert.deepEqual(t.takeLive(), []);
});

test('numa_maps of a recorded python3 that touched 32 MiB: all of it on node 0', () => {
  const m = memoryByNodeFromNumaMaps(fixtureText('numa_maps/python3-32MiB-1node.numa_maps'));
  assert.deepEqual([...m.keys()], [0]);
  assert.ok(m.get(0)! >= 32 * 1024 * 1024, String(m.get(0)));
  assert.ok(m.get(0)! < 128 * 1024 * 1024, String(m.get(0)));
});

test('cpufreq: mean and min per CPU in MHz, throttle counted from the start; CPUs without files left out', () => {
  const root = mkdtempSync(join(tmpdir(), 'aio-cpufreq-'));
  try {
    const put = (rel: string, v: string) => {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), v);
    };
    const base = 'sys/devices/system/cpu';
    put(`${base}/cpu0/cpufreq/scaling_cur_freq`, '3000000\n');
    put(`${base}/cpu0/thermal_throttle/core_throttle_count`, '5\n');
    put(`${base}/cpu0/thermal_throttle/package_throttle_count`, '1\n');
    mkdirSync(join(root, base, 'cpu1'), { recursive: true });
    const f = new CpuFreqTally([0, 1], root);
    f.sample();
    put(`${base}/cpu0/cpufreq/scaling_cur_freq`, '2000000\n');
    put(`${base}/cpu0/thermal_throttle/core_throttle_count`, '8\n');
    f.sample();
    assert.deepEqual(f.freq(), { 0: { mean: 2500, min: 2000 } });
    assert.deepEqual(f.throttle(), { 0: 3 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('cpufreq on this machine: {} and no throttle when the kernel exposes neither', (t) => {
  if (existsSync('/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq')) {
    t.skip('this kernel exposes cpufreq');
    return;
  }
  const f = new CpuFreqTally([0, 1]);
  f.sample();
  assert.deepEqual(f.freq(), {});
  if (!existsSync('/sys/devices/system/cpu/cpu0/thermal_throttle')) assert.equal(f.throttle(), undefined);
});
