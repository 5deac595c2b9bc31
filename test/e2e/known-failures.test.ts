// Known failures as users meet them: the built CLI runs a workload whose output (or ending) carries each
// signature, and `run --json` lists the finding with its fix. The messages are the real programs' where this
// machine can produce them (numactl refusing a CPU outside the allowed set, Python's MemoryError, the kernel's
// OOM killer in a memory cgroup); the others are printed verbatim by a tiny shell workload.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import type { Finding } from '../../app/shared/findings';

const dir = mkdtempSync(join(tmpdir(), 'aio-known-failures-'));
const home = join(dir, 'home');
after(() => rmSync(dir, { recursive: true, force: true }));

interface RunJson {
  exitCode: number | null;
  signal: string | null;
  findings: Finding[];
}

function runJson(workload: string[]): { json: RunJson; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'run', '--json', '--', ...workload], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 120_000,
  });
  assert.ok(r.stdout, r.stderr);
  return { json: JSON.parse(r.stdout) as RunJson, stderr: r.stderr };
}

const shPrinting = (message: string) => ['/bin/sh', '-c', `echo "${message}" >&2; exit 1`];
const found = (j: RunJson, code: string) => j.findings.find((f) => f.code === code);

test('each printed signature raises its finding in run --json, and on stderr', () => {
  const cases: [string, string][] = [
    [
      'static-tls-libgomp',
      'OSError: /usr/lib/aarch64-linux-gnu/libgomp.so.1: cannot allocate memory in static TLS block',
    ],
    ['mempolicy-not-permitted', 'set_mempolicy: Operation not permitted'],
    ['cpu-not-allowed', 'sched_setaffinity: Invalid argument'],
    ['threads-mismatch-refused', 'AIO_NUM_THREADS=4 inconsistent with OMP_NUM_THREADS=2!'],
  ];
  for (const [code, message] of cases) {
    const { json, stderr } = runJson(shPrinting(message));
    assert.equal(json.exitCode, 1);
    const f = found(json, code);
    assert.ok(f, `${code}: ${JSON.stringify(json.findings)}`);
    assert.equal(f.evidence?.[0]?.value, message);
    assert.match(stderr, new RegExp(`aio-tuner: error: ${code}: `));
  }
  const tls = found(runJson(shPrinting(cases[0]![1])).json, 'static-tls-libgomp')!;
  assert.deepEqual(tls.fix?.patch, { env: { LD_PRELOAD: '/usr/lib/aarch64-linux-gnu/libgomp.so.1' } });
});

test('a clean run raises none of them', () => {
  const { json } = runJson(['/bin/sh', '-c', 'echo "Latency: 1.0 ms"']);
  assert.equal(json.exitCode, 0);
  assert.deepEqual(
    json.findings.filter((f) =>
      ['static-tls-libgomp', 'mempolicy-not-permitted', 'cpu-not-allowed', 'oom-killed'].includes(f.code),
    ),
    [],
  );
});

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

test(
  "cpu-not-allowed for real: numactl asked for a CPU outside the process's allowed set",
  { skip: !(hasNumactl && hasTaskset) && 'needs numactl and taskset' },
  () => {
    // taskset narrows the allowed set to CPU 0, as a container's --cpuset-cpus 0 would; numactl then refuses 1.
    const { json } = runJson(['taskset', '-c', '0', 'numactl', '--physcpubind=1', 'true']);
    assert.equal(json.exitCode, 1);
    const f = found(json, 'cpu-not-allowed');
    assert.ok(f, JSON.stringify(json.findings));
    assert.match(f.evidence![0]!.value, /cpu argument 1 is out of range/);
    assert.match(f.message, /CPU 1/);
  },
);

test("oom-killed for real: Python's MemoryError", () => {
  const { json } = runJson(['/usr/bin/python3', '-c', 'bytearray(1 << 60)']);
  assert.equal(json.exitCode, 1);
  const f = found(json, 'oom-killed');
  assert.ok(f, JSON.stringify(json.findings));
  assert.equal(f.evidence![0]!.value, 'MemoryError');
  assert.deepEqual(f.fix?.patch, { env: { AIO_MERGE_LINEAR: '0' } });
});

// A memory cgroup (v1) of 64 MB the workload moves itself into: the kernel's OOM killer ends it by SIGKILL.
const CG_ROOT = '/sys/fs/cgroup/memory';
function memoryCgroup(): string | null {
  const cg = join(CG_ROOT, `aio-known-failures-${process.pid}`);
  try {
    mkdirSync(cg);
    writeFileSync(join(cg, 'memory.limit_in_bytes'), String(64 << 20));
    return cg;
  } catch {
    if (existsSync(cg)) rmdirSync(cg);
    return null;
  }
}
const dmesgReadable = spawnSync('dmesg', []).status === 0;
const cg = dmesgReadable ? memoryCgroup() : null;
after(() => {
  if (cg) rmdirSync(cg);
});

test(
  "oom-killed for real: the kernel's OOM killer ends the run by SIGKILL, and its log says so",
  { skip: !cg && 'needs a writable cgroup v1 memory controller and a readable kernel log' },
  () => {
    const { json } = runJson([
      '/bin/sh',
      '-c',
      `echo $$ > ${cg}/cgroup.procs && exec /usr/bin/python3 -c "b = bytearray(512 << 20); b[::4096] = b'x' * len(b[::4096])"`,
    ]);
    assert.equal(json.signal, 'SIGKILL');
    const f = found(json, 'oom-killed');
    assert.ok(f, JSON.stringify(json.findings));
    assert.ok(
      f.evidence!.some(
        (e) => e.source === 'kernel log (dmesg)' && /Killed process \d+ \(python3\)/.test(e.value),
      ),
      JSON.stringify(f.evidence),
    );
  },
);

test(
  'a SIGKILL nobody ties to the OOM killer is not called one',
  { skip: !dmesgReadable && 'needs dmesg' },
  () => {
    const { json } = runJson(['/bin/sh', '-c', 'kill -9 $$']);
    assert.equal(json.signal, 'SIGKILL');
    assert.equal(found(json, 'oom-killed'), undefined);
  },
);
