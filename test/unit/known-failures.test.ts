// The known-failures catalogue against the real messages users meet (glibc's loader, numactl 2.0.x, Python,
// PyTorch's CPU allocator, Ampere Model Library's thread check), and the scanner's bounds on what it reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KNOWN_FAILURES,
  KnownFailureScanner,
  MATCH_CHARS,
  knownFailuresIn,
  type ExitFacts,
} from '../../app/logs/known-failures';
import { KNOWN_FAILURE_CODES } from '../../app/shared/doctor';

const EXITED_1: ExitFacts = { exitCode: 1, signal: null, endedByTool: false, kernelOom: null };
const codes = (text: string, exit: ExitFacts = EXITED_1) => knownFailuresIn(text, exit).map((f) => f.code);

test('the catalogue has exactly the issue codes, each with its source and signature', () => {
  assert.deepEqual(
    KNOWN_FAILURES.map((k) => k.code),
    [...KNOWN_FAILURE_CODES],
  );
  for (const k of KNOWN_FAILURES) assert.ok(k.source.length > 10 && k.signature.length > 10, k.code);
});

test("static-tls-libgomp: the loader's message names the library to preload", () => {
  // As PyTorch's bundled libgomp fails on aarch64 (Ampere Model Library PR #161's CI log).
  const text = [
    'Traceback (most recent call last):',
    '  File "run.py", line 3, in <module>',
    '    import torch',
    'OSError: /root/miniforge3/envs/tensorflow/lib/python3.8/site-packages/torch/lib/libgomp-d22c30c5.so.1: cannot allocate memory in static TLS block',
  ].join('\n');
  const [f] = knownFailuresIn(text, EXITED_1);
  assert.equal(f?.code, 'static-tls-libgomp');
  const lib = '/root/miniforge3/envs/tensorflow/lib/python3.8/site-packages/torch/lib/libgomp-d22c30c5.so.1';
  assert.deepEqual(f.fix?.patch, { env: { LD_PRELOAD: lib } });
  assert.equal(f.fix?.command, `export LD_PRELOAD=${lib}`);
  assert.match(f.evidence![0]!.value, /cannot allocate memory in static TLS block$/);
  // The dynamic loader's own form at program start.
  assert.deepEqual(
    codes(
      '/bin/true: error while loading shared libraries: /usr/lib/aarch64-linux-gnu/libgomp.so.1: cannot allocate memory in static TLS block',
    ),
    ['static-tls-libgomp'],
  );
});

test('mempolicy-not-permitted: numactl in a container without SYS_NICE', () => {
  // numactl 2.0.x's perror pair, as users report it from Docker.
  const f = knownFailuresIn(
    'set_mempolicy: Operation not permitted\nsetting membind: Operation not permitted\n',
    EXITED_1,
  );
  assert.deepEqual(
    f.map((x) => x.code),
    ['mempolicy-not-permitted'],
  );
  assert.match(f[0]!.fix!.label, /--cap-add SYS_NICE/);
  assert.match(f[0]!.fix!.label, /--preferred/);
  assert.deepEqual(f[0]!.fix!.patch, { memPolicy: 'preferred' });
  assert.match(f[0]!.evidence![0]!.source, /first of 2/);
});

test('cpu-not-allowed: numactl and taskset refusing CPUs outside the allowed set', () => {
  assert.deepEqual(
    codes('numa_sched_setaffinity_v2_int() failed: Invalid argument\nsched_setaffinity: Invalid argument\n'),
    ['cpu-not-allowed'],
  );
  const f = knownFailuresIn('libnuma: Warning: cpu argument 5 is out of range\n\n<5> is invalid\n', EXITED_1);
  assert.equal(f[0]?.code, 'cpu-not-allowed');
  assert.match(f[0]!.message, /CPU 5/);
  assert.equal(f[0]!.fix?.command, 'grep Cpus_allowed_list /proc/self/status');
  assert.deepEqual(codes("taskset: failed to set pid 3789's affinity: Invalid argument"), [
    'cpu-not-allowed',
  ]);
  // A node out of range is a different mistake (the doctor's binding check), not this one.
  assert.deepEqual(codes('libnuma: Warning: node argument 7 is out of range\n'), []);
});

test("oom-killed: Python's MemoryError and PyTorch's allocator, not CUDA's", () => {
  const py = [
    'Traceback (most recent call last):',
    '  File "<string>", line 1, in <module>',
    'MemoryError',
  ].join('\n');
  const f = knownFailuresIn(py, EXITED_1);
  assert.deepEqual(
    f.map((x) => x.code),
    ['oom-killed'],
  );
  assert.deepEqual(f[0]!.fix?.patch, { env: { AIO_MERGE_LINEAR: '0' } });
  assert.match(f[0]!.fix!.label, /fewer instances/);
  assert.deepEqual(
    codes(
      "RuntimeError: [enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 1073741824000 bytes. Error code 12 (Cannot allocate memory)",
    ),
    ['oom-killed'],
  );
  assert.deepEqual(codes('torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB'), []);
  assert.deepEqual(codes('RuntimeError: CUDA error: out of memory'), []);
});

test('oom-killed from the ending: SIGKILL with the kernel log naming it; never a SIGKILL the tool sent', () => {
  const oom = [
    {
      source: 'kernel log (dmesg)',
      value: '[ 812.5] Memory cgroup out of memory: Killed process 4242 (python3) total-vm:1000kB',
    },
  ];
  const killed: ExitFacts = { exitCode: null, signal: 'SIGKILL', endedByTool: false, kernelOom: oom };
  const f = knownFailuresIn('', killed);
  assert.deepEqual(
    f.map((x) => x.code),
    ['oom-killed'],
  );
  assert.equal(f[0]!.evidence![1]!.value, oom[0]!.value);
  assert.deepEqual(codes('', { ...killed, endedByTool: true }), []);
  assert.deepEqual(codes('', { ...killed, kernelOom: [] }), []);
  assert.deepEqual(codes('', { ...killed, kernelOom: null }), []);
});

test("threads-mismatch-refused: Ampere Model Library's refusals, with the numbers they name", () => {
  const f = knownFailuresIn('AIO_NUM_THREADS=4 inconsistent with OMP_NUM_THREADS=2!\n', EXITED_1);
  assert.equal(f[0]?.code, 'threads-mismatch-refused');
  assert.match(f[0]!.message, /AIO_NUM_THREADS=4 and OMP_NUM_THREADS=2/);
  assert.deepEqual(f[0]!.fix?.patch, { env: { AIO_NUM_THREADS: '2', OMP_NUM_THREADS: '2' } });
  const g = knownFailuresIn(
    'Number of intra threads to use is not set!\nUse AIO_NUM_THREADS or OMP_NUM_THREADS flags.\n',
    EXITED_1,
  );
  assert.equal(g[0]?.code, 'threads-mismatch-refused');
  assert.equal(g[0]!.fix?.patch, undefined);
});

test('ordinary output raises nothing', () => {
  assert.deepEqual(
    codes('Latency: 12.3 ms\nThroughput: 81.2 ips\nOperation completed\n', {
      exitCode: 0,
      signal: null,
      endedByTool: false,
      kernelOom: null,
    }),
    [],
  );
});

test('the scanner: a signature split across chunks and streams, and a 10 MB line read only at its head', () => {
  const s = new KnownFailureScanner();
  s.push('stderr', Buffer.from('set_mempol'));
  s.push('stdout', Buffer.from('unrelated\n'));
  s.push('stderr', Buffer.from('icy: Operation not permitted\n'));
  // 10 MB in one line, in chunks, then a signature on the next line: found, and the line's tail not kept.
  const chunk = Buffer.alloc(1 << 20, 'x');
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) s.push('stdout', chunk);
  s.push('stdout', Buffer.from('\nMemoryError\n'));
  assert.ok(performance.now() - t0 < 2000);
  const f = s.finish(EXITED_1);
  assert.deepEqual(
    f.map((x) => x.code),
    ['mempolicy-not-permitted', 'oom-killed'],
  );
  // A signature past the first MATCH_CHARS of a line is not looked for.
  assert.deepEqual(codes('y'.repeat(MATCH_CHARS) + ' MemoryError\n'), []);
  // An unfinished last line counts.
  const u = new KnownFailureScanner();
  u.push('stderr', Buffer.from('sched_setaffinity: Invalid argument'));
  assert.deepEqual(
    u.finish(EXITED_1).map((x) => x.code),
    ['cpu-not-allowed'],
  );
});
