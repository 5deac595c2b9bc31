// Engine profiles (issue 17, item 4): `engine: 'onednn'` tunes stock PyTorch with oneDNN instead of Ampere's AIO
// engine. The catalogue, the plan and the checks are exercised on real machine dumps: the Ampere Altra (Neoverse
// N1, no bf16 in /proc/cpuinfo) and util-linux's Arm big.LITTLE phone dump (Cortex-A510/A710/A715/X3, whose
// every CPU lists bf16) — the only dump in test/fixtures with bf16.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readSysfsTopology } from '../../app/topology';
import { cpuinfoFlags } from '../../app/topology/cpu-flags';
import type { Topology } from '../../app/shared/topology';
import { applyFix, defaultSettings, type RunSettings } from '../../app/shared/command';
import {
  catalogue,
  offeredVariables,
  valueProblem,
  VARIABLES,
  ONEDNN_VARIABLES,
} from '../../app/shared/variables';
import { normalizeVariables } from '../../renderer/src/command/variables';
import {
  buildCommand,
  normalizeSettings,
  parseCommandLine,
  planFor,
  runChecks,
  parseRunSettings,
} from '../../app/command';
import { fixtureRoot, fixtureText } from '../helpers/fixtures';
import { importTopology } from '../../app/topology';
import { summaryFieldsFromText } from '../../app/topology/lscpu-summary';
import { utilLinuxRoot } from '../helpers/real-dumps';

let altra: Topology;
let bf16Arm: Topology;
let x86: Topology;
before(async () => {
  altra = await readSysfsTopology(fixtureRoot('arm64-altra-1p-80c'));
  bf16Arm = await readSysfsTopology(utilLinuxRoot('arm-A510-A710-A715-X3'));
  x86 = await readSysfsTopology(fixtureRoot('x86-1p-4c-smt'));
});

const settings = (over: Partial<RunSettings> = {}): RunSettings => ({
  ...defaultSettings(),
  workload: ['python3', 'run.py'],
  ...over,
});
const codes = (s: RunSettings, t: Topology | null) => runChecks(s, t).map((c) => c.code);

describe('CPU flags from /proc/cpuinfo', () => {
  it('reads Arm "Features" and x86 "flags" of the real dumps', () => {
    assert.ok(altra.cpuFlags?.includes('asimddp'));
    assert.ok(!altra.cpuFlags?.includes('bf16'));
    assert.ok(bf16Arm.cpuFlags?.includes('bf16'));
    assert.ok(bf16Arm.cpuFlags?.includes('i8mm'));
    assert.ok(x86.cpuFlags?.includes('avx2'));
  });
  it('keeps only the flags every CPU has', () => {
    assert.deepEqual(
      cpuinfoFlags('processor\t: 0\nFeatures\t: fp asimd bf16\n\nprocessor\t: 1\nFeatures\t: fp asimd\n'),
      ['asimd', 'fp'],
    );
    assert.equal(cpuinfoFlags('processor : 0\n'), null);
  });
});

describe('CPU flags from an imported lscpu summary', () => {
  it("an Altra's `lscpu` text carries the flags the Altra dump's /proc/cpuinfo lists, so BF16 is not offered", () => {
    const imported = importTopology(fixtureText('lscpu/arm64-altra-2p-160c-2node.lscpu.txt'));
    assert.ok(imported.cpuFlags?.includes('asimddp'));
    assert.deepEqual(imported.cpuFlags, altra.cpuFlags);
    const fpmath = offeredVariables('onednn', imported.cpuFlags ?? null).find(
      (v) => v.name === 'DNNL_DEFAULT_FPMATH_MODE',
    );
    assert.ok(fpmath?.values?.includes('STRICT') && !fpmath.values.includes('BF16'), fpmath?.values?.join());
  });
  it('an x86 `lscpu -J` carries its flags too', () => {
    const imported = importTopology(fixtureText('lscpu/x86-1p-4c-smt.lscpu-J.json'));
    assert.deepEqual(imported.cpuFlags, x86.cpuFlags);
  });
  it('a machine with two CPU types keeps the flags both sections list', () => {
    const fields = summaryFieldsFromText(
      'Vendor ID: ARM\n  Model name: Cortex-A510\n    Flags: fp asimd bf16 i8mm\n' +
        '  Model name: Cortex-X3\n    Flags: fp asimd bf16 sve2\n',
    );
    assert.equal(fields.get('Flags'), 'fp asimd bf16');
  });
});

describe('catalogue per engine', () => {
  it('aio is the AIO catalogue as before; onednn has the oneDNN/PyTorch set and no AIO_* name', () => {
    assert.equal(catalogue(undefined), VARIABLES);
    assert.equal(catalogue('aio'), VARIABLES);
    const names = catalogue('onednn').map((v) => v.name);
    for (const n of [
      'OMP_NUM_THREADS',
      'OMP_PLACES',
      'OMP_PROC_BIND',
      'DNNL_DEFAULT_FPMATH_MODE',
      'LRU_CACHE_CAPACITY',
      'THP_MEM_ALLOC_ENABLE',
      'TORCH_MKLDNN_MATMUL_MIN_DIM',
      'ONEDNN_VERBOSE',
      'DNNL_VERBOSE',
    ])
      assert.ok(names.includes(n), n);
    assert.ok(!names.some((n) => n.startsWith('AIO_') || n.startsWith('DLS_')));
    assert.equal(new Set(names).size, names.length);
    for (const v of ONEDNN_VARIABLES) {
      assert.equal(v.engine, 'onednn');
      assert.match(v.source ?? '', /aws-graviton-getting-started|oneDNN|OpenMP/, v.name);
    }
  });
  it('every oneDNN description opens with a one-line effect, as the table shows it', () => {
    for (const v of normalizeVariables(ONEDNN_VARIABLES)) {
      assert.match(v.effect, /[.!?]$/, v.name);
      assert.ok(v.effect.length <= 160, `${v.name}: ${v.effect.length}`);
    }
  });
  it('offers BF16 and ANY only on a CPU with bf16 (all choices when the flags are unknown)', () => {
    const fpmath = (t: Topology | null) =>
      offeredVariables('onednn', t?.cpuFlags ?? null)
        .find((v) => v.name === 'DNNL_DEFAULT_FPMATH_MODE')!
        .options!.map((o) => o.value);
    assert.deepEqual(fpmath(altra), ['STRICT', 'F16', 'TF32']);
    assert.deepEqual(fpmath(bf16Arm), ['STRICT', 'BF16', 'F16', 'TF32', 'ANY']);
    assert.deepEqual(fpmath(null), ['STRICT', 'BF16', 'F16', 'TF32', 'ANY']);
  });
  it('oneDNN reads its modes in any case; a made-up mode is refused', () => {
    assert.equal(valueProblem('DNNL_DEFAULT_FPMATH_MODE', 'bf16', 'onednn'), null);
    assert.match(valueProblem('DNNL_DEFAULT_FPMATH_MODE', 'fast', 'onednn') ?? '', /must be "STRICT"/);
    assert.notEqual(valueProblem('THP_MEM_ALLOC_ENABLE', 'yes', 'onednn'), null);
    assert.notEqual(valueProblem('LRU_CACHE_CAPACITY', '-1', 'onednn'), null);
  });
});

describe('plan per engine', () => {
  it('onednn sets OMP_NUM_THREADS and the OpenMP binding from the selection, no AIO_* variable', () => {
    const p = planFor(settings({ engine: 'onednn', cpus: [4, 5, 6], memPolicy: 'bind' }), altra);
    assert.deepEqual(p.env, { OMP_NUM_THREADS: '3', OMP_PLACES: '{4},{5},{6}', OMP_PROC_BIND: 'close' });
    assert.deepEqual(p.argv.slice(0, 3), ['numactl', '--physcpubind=4-6', '--membind=0']);
  });
  it('onednn with a pinned count and no selection sets only the thread count; user values win', () => {
    assert.deepEqual(planFor(settings({ engine: 'onednn', threads: 8 }), altra).env, {
      OMP_NUM_THREADS: '8',
    });
    const p = planFor(
      settings({
        engine: 'onednn',
        cpus: [0, 1],
        env: { OMP_PROC_BIND: 'false', LRU_CACHE_CAPACITY: '1024' },
      }),
      altra,
    );
    assert.equal(p.env.OMP_PROC_BIND, 'false');
    assert.equal(p.env.LRU_CACHE_CAPACITY, '1024');
  });
  it('aio (and settings without an engine) plan exactly as before', () => {
    const s = settings({ cpus: [4, 5], debugMode: 4 });
    assert.deepEqual(planFor(s, altra), planFor({ ...s, engine: 'aio' }, altra));
    assert.deepEqual(Object.keys(planFor(s, altra).env), [
      'AIO_NUM_THREADS',
      'OMP_NUM_THREADS',
      'AIO_NUMA_CPUS',
      'AIO_DEBUG_MODE',
    ]);
  });
  it('old settings without the field load unchanged; aio normalises to absent; a bogus engine is refused', () => {
    const old = { ...defaultSettings() };
    assert.deepEqual(parseRunSettings(old), old);
    assert.equal('engine' in parseRunSettings(old), false);
    assert.equal(parseRunSettings({ ...old, engine: 'onednn' }).engine, 'onednn');
    assert.throws(() => parseRunSettings({ ...old, engine: 'tvm' }));
    assert.deepEqual(normalizeSettings({ ...old, engine: 'aio' }, altra), normalizeSettings(old, altra));
  });
});

describe('engine checks on real dumps', () => {
  it('fpmath-bf16-unsupported: BF16 on the Altra (no bf16), not on the bf16 Arm dump; the fix removes it', () => {
    const s = settings({ engine: 'onednn', cpus: [0, 1], env: { DNNL_DEFAULT_FPMATH_MODE: 'BF16' } });
    const found = runChecks(s, altra).find((c) => c.code === 'fpmath-bf16-unsupported');
    assert.ok(found);
    assert.equal(found.severity, 'warning');
    assert.ok(!codes(applyFix(s, found.fix!), altra).includes('fpmath-bf16-unsupported'));
    assert.ok(!codes({ ...s, cpus: [4, 5] }, bf16Arm).includes('fpmath-bf16-unsupported'));
    // Without the machine's flags nothing can be said.
    assert.ok(!codes(s, null).includes('fpmath-bf16-unsupported'));
    // STRICT asks for nothing the CPU lacks.
    assert.ok(
      !codes({ ...s, env: { DNNL_DEFAULT_FPMATH_MODE: 'STRICT' } }, altra).includes(
        'fpmath-bf16-unsupported',
      ),
    );
  });
  it('aio-var-with-onednn: AIO_* values and the debug level under onednn; the fix removes them', () => {
    const s = settings({
      engine: 'onednn',
      cpus: [0, 1],
      debugMode: 4,
      env: { AIO_IMPLICIT_FP16_TRANSFORM_FILTER: '.*', AIO_CPU_BIND: null, LRU_CACHE_CAPACITY: '1024' },
    });
    const found = runChecks(s, altra).find((c) => c.code === 'aio-var-with-onednn');
    assert.ok(found);
    assert.match(found.message, /AIO_IMPLICIT_FP16_TRANSFORM_FILTER/);
    const fixed = applyFix(s, found.fix!);
    assert.deepEqual(fixed.env, { AIO_CPU_BIND: null, LRU_CACHE_CAPACITY: '1024' });
    assert.equal(fixed.debugMode, null);
    assert.ok(!codes(fixed, altra).includes('aio-var-with-onednn'));
    // The same variables are the AIO engine's own.
    assert.ok(!codes({ ...s, engine: undefined }, altra).includes('aio-var-with-onednn'));
  });
  it('onednn-verbose-cost for a verbose level, not for 0; thp-alloc-thp-never only when THP is off', () => {
    const s = settings({ engine: 'onednn', cpus: [0], env: { DNNL_VERBOSE: '1' } });
    assert.ok(codes(s, altra).includes('onednn-verbose-cost'));
    assert.ok(!codes({ ...s, env: { ONEDNN_VERBOSE: '0' } }, altra).includes('onednn-verbose-cost'));
    const thp = { ...s, env: { THP_MEM_ALLOC_ENABLE: '1' } };
    const never: Topology = { ...altra, kernel: { ...altra.kernel!, thp: 'never' } };
    assert.ok(codes(thp, never).includes('thp-alloc-thp-never'));
    assert.ok(
      !codes(thp, { ...altra, kernel: { ...altra.kernel!, thp: 'madvise' } }).includes('thp-alloc-thp-never'),
    );
  });
  it('AIO-only findings stay out of onednn: no thread count is fine, node 0 memory binding is not the engine’s', async () => {
    assert.ok(!codes(settings({ engine: 'onednn' }), altra).includes('no-threads'));
    assert.ok(codes(settings(), altra).includes('no-threads'));
    const two = await readSysfsTopology(fixtureRoot('arm64-altra-2p-160c-2node'));
    const node1 = two.cpus
      .filter((c) => c.node === 1)
      .slice(0, 2)
      .map((c) => c.id);
    const s = settings({ cpus: node1, memPolicy: 'none' });
    assert.ok(codes(s, two).includes('mem-bind-remote-node'));
    assert.ok(!codes({ ...s, engine: 'onednn' }, two).includes('mem-bind-remote-node'));
    assert.equal(
      planFor({ ...s, engine: 'onednn', memPolicy: 'interleave' }, two).env.AIO_MEM_BIND,
      undefined,
    );
  });
});

describe('numactl missing under onednn', () => {
  it('the fix keeps the pinning through OpenMP, not AIO_NUMA_CPUS', () => {
    const s = settings({ engine: 'onednn', cpus: [4, 5] });
    const found = runChecks(s, altra, { numactlAvailable: false }).find((c) => c.code === 'numactl-missing')!;
    assert.match(found.fix!.label, /OMP_PLACES/);
    const fixed = applyFix(s, found.fix!);
    assert.deepEqual(planFor(fixed, altra), {
      env: { OMP_NUM_THREADS: '2', OMP_PLACES: '{4},{5}', OMP_PROC_BIND: 'close' },
      unset: [],
      argv: ['python3', 'run.py'],
    });
  });
});

describe('importing a command line written for an engine', () => {
  it('a onednn line reads back as engine onednn, its derived binding as the selection; it rebuilds the same', () => {
    const s = settings({ engine: 'onednn', cpus: [2, 3], env: { LRU_CACHE_CAPACITY: '1024' } });
    const line = buildCommand(s, altra).shell;
    const back = parseCommandLine(line, altra).settings;
    assert.equal(back.engine, 'onednn');
    assert.deepEqual(back.cpus, [2, 3]);
    assert.deepEqual(back.env, { LRU_CACHE_CAPACITY: '1024' });
    assert.equal(buildCommand(back, altra).shell, line);
  });
  it('a line with an AIO_* variable, or only OMP_NUM_THREADS, stays aio', () => {
    const aio = parseCommandLine(
      'AIO_NUM_THREADS=2 OMP_NUM_THREADS=2 OMP_PLACES=cores numactl -C 0,1 x',
      altra,
    );
    assert.equal(aio.settings.engine, undefined);
    assert.equal(parseCommandLine('OMP_NUM_THREADS=2 numactl -C 0,1 x', altra).settings.engine, undefined);
  });
});
