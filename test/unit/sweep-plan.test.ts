// Sweep planning, variants, batch editing, recommendations and CSV: pure functions over real Altra topology
// dumps (2-socket with two NUMA nodes of 80 cores; 1-socket with one node). The only process started is `sh`,
// to prove an exported command line runs.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readSysfsTopology } from '../../app/topology';
import type { Topology } from '../../app/shared/topology';
import { buildCommand, defaultSettings } from '../../app/command';
import {
  aggregate,
  applyVariant,
  batchOf,
  commandLine,
  doubling,
  evenShares,
  hasBatchFlag,
  instanceSettings,
  joinCommands,
  parseCustomVariant,
  pickInstanceCpus,
  placementsOf,
  planSweep,
  recommend,
  rowsToCsv,
  withBatch,
  withoutMeasurementVars,
  SweepSpecSchema,
  type SweepRow,
  type SweepSpec,
} from '../../app/sweep';
import { csvField } from '../../app/history';
import { buildSeries, niceTicks } from '../../renderer/src/sweep/chart';
import { buildSpec, DEFAULT_FORM, restoreForm } from '../../renderer/src/sweep/form';
import { fixtureRoot } from '../helpers/fixtures';

let t2: Topology;
let t1: Topology;
before(async () => {
  t2 = await readSysfsTopology(fixtureRoot('arm64-altra-2p-160c-2node'));
  t1 = await readSysfsTopology(fixtureRoot('arm64-altra-1p-80c'));
});

const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);

function spec(over: Partial<SweepSpec> = {}): SweepSpec {
  const settings = { ...defaultSettings(), workload: ['python3', 'run.py', '-m', 'resnet', '-p', 'fp32'] };
  return {
    settings,
    threads: [1, 2],
    placement: 'compact',
    variants: ['fp32'],
    customVariants: [],
    instances: [1],
    batches: null,
    repeat: 1,
    ...over,
  };
}

describe('threads and placement', () => {
  test('doubling goes 1, 2, 4 … and always ends with the whole selection', () => {
    assert.deepEqual(doubling(1), [1]);
    assert.deepEqual(doubling(2), [1, 2]);
    assert.deepEqual(doubling(8), [1, 2, 4, 8]);
    assert.deepEqual(doubling(80), [1, 2, 4, 8, 16, 32, 64, 80]);
  });

  test('evenShares splits evenly and moves shortfalls to nodes with room', () => {
    assert.deepEqual(evenShares([80, 80], 8), [4, 4]);
    assert.deepEqual(evenShares([80, 80], 7), [4, 3]);
    assert.deepEqual(evenShares([2, 80], 10), [2, 8]);
    assert.deepEqual(evenShares([3, 3], 100), [3, 3]);
  });

  test('compact fills node 0 before node 1; spread takes an equal share of each', () => {
    const sel = [...range(0, 80), ...range(80, 80)];
    assert.deepEqual(pickInstanceCpus(t2, sel, 1, 8, 'compact'), [range(0, 8)]);
    assert.deepEqual(pickInstanceCpus(t2, sel, 1, 8, 'spread'), [[...range(0, 4), ...range(80, 4)]]);
    // More than a node: compact spills over in node order.
    assert.deepEqual(pickInstanceCpus(t2, sel, 1, 82, 'compact'), [[...range(0, 80), 80, 81]]);
  });

  test('instances get disjoint CPU lists; spread deals them over the nodes, each inside one node', () => {
    const sel = [...range(0, 80), ...range(80, 80)];
    const compact = pickInstanceCpus(t2, sel, 4, 2, 'compact')!;
    assert.deepEqual(compact, [
      [0, 1],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
    const spread = pickInstanceCpus(t2, sel, 4, 2, 'spread')!;
    assert.deepEqual(spread, [
      [0, 1],
      [80, 81],
      [2, 3],
      [82, 83],
    ]);
    const all = spread.flat();
    assert.equal(new Set(all).size, all.length, 'no CPU is shared by two instances');
  });

  test('the selection limits what fits, and the plan says what it skipped', () => {
    const sel = [0, 1, 2, 80, 81];
    assert.equal(pickInstanceCpus(t2, sel, 2, 3, 'compact'), null);
    const p = planSweep(
      spec({ settings: { ...spec().settings, cpus: sel }, threads: [1, 2, 4], instances: [1, 2] }),
      t2,
    );
    assert.deepEqual(
      p.points.map((x) => `${x.instances}x${x.threads}`),
      ['1x1', '1x2', '1x4', '2x1', '2x2'],
    );
    assert.equal(p.skipped.length, 1);
    assert.match(p.skipped[0]!, /2 instance\(s\) × 4 thread\(s\) needs 8 CPUs; the selection has 5/);
  });

  test('plan order: repetitions outermost, variants innermost', () => {
    const p = planSweep(
      spec({ variants: ['fp32', 'off'], repeat: 2, settings: { ...spec().settings, cpus: [0, 1] } }),
      t2,
    );
    assert.deepEqual(
      p.points.map((x) => `${x.repeat}:${x.threads}:${x.variant}`),
      ['1:1:fp32', '1:1:off', '1:2:fp32', '1:2:off', '2:1:fp32', '2:1:off', '2:2:fp32', '2:2:off'],
    );
    assert.deepEqual(
      p.points.map((x) => x.index),
      range(0, 8),
    );
  });

  test('a placement list sweeps each placement, with its own CPUs, right outside the variants', () => {
    const s = spec({ threads: [4], placement: ['spread', 'compact'], variants: ['fp32', 'off'] });
    const p = planSweep(s, t2);
    assert.deepEqual(
      p.points.map((x) => `${x.placement}:${x.variant}`),
      ['compact:fp32', 'compact:off', 'spread:fp32', 'spread:off'],
    );
    assert.deepEqual(p.points[0]!.cpus, [range(0, 4)]);
    assert.deepEqual(p.points[2]!.cpus, [[0, 1, 80, 81]]);
    assert.deepEqual(p.notes, []);
    assert.deepEqual(placementsOf({ placement: ['spread', 'spread'] }), ['spread']);
  });

  test('a single placement plans exactly as before: one point per configuration, that placement on each', () => {
    const p = planSweep(spec({ threads: [1, 2], placement: 'spread' }), t2);
    assert.deepEqual(
      p.points.map((x) => `${x.threads}:${x.placement}`),
      ['1:spread', '2:spread'],
    );
  });

  test('on one node compact and spread pick the same CPUs: both still run, and the plan says so', () => {
    const p = planSweep(spec({ threads: [2], placement: ['compact', 'spread'] }), t1);
    assert.equal(p.points.length, 2);
    assert.deepEqual(p.points[0]!.cpus, p.points[1]!.cpus);
    assert.equal(p.notes.length, 1);
    assert.match(p.notes[0]!, /compact and spread pick the same CPUs/);
  });

  test('nothing selected = every usable core of the machine', () => {
    const p = planSweep(spec({ threads: 'doubling' }), t2);
    assert.deepEqual(p.threads, [1, 2, 4, 8, 16, 32, 64, 128, 160]);
  });
});

describe('variants and batch', () => {
  test('built-in variants set exactly their variable and clear the others', () => {
    const base = { AIO_QUANTIZE_INT8_FILTER: '.*', AIO_DEBUG_MODE: '3', MINE: 'x' };
    assert.deepEqual(applyVariant(base, 'fp32', []), { AIO_DEBUG_MODE: '3', MINE: 'x' });
    assert.deepEqual(applyVariant({}, 'fp16', []), { AIO_IMPLICIT_FP16_TRANSFORM_FILTER: '.*' });
    assert.deepEqual(applyVariant({}, 'int8', []), { AIO_QUANTIZE_INT8_FILTER: '.*' });
    assert.deepEqual(applyVariant({}, 'int8-fc', []), { AIO_QUANTIZE_INT8_FILTER: 'FullyConnected' });
    assert.deepEqual(applyVariant({}, 'off', []), { AIO_PROCESS_MODE: '0' });
  });

  test('custom variants: NAME:VAR=VALUE,VAR (unset), merged over the base', () => {
    const v = parseCustomVariant('nomerge:AIO_MERGE_LINEAR=0, OMP_PROC_BIND');
    assert.deepEqual(v, { name: 'nomerge', env: { AIO_MERGE_LINEAR: '0', OMP_PROC_BIND: null } });
    assert.deepEqual(applyVariant({ A: '1' }, 'nomerge', [v]), {
      A: '1',
      AIO_MERGE_LINEAR: '0',
      OMP_PROC_BIND: null,
    });
    assert.throws(() => parseCustomVariant('fp32:X=1'), /built-in/);
    assert.throws(() => parseCustomVariant('novars'), /NAME:VAR=VALUE/);
    assert.throws(() => parseCustomVariant('x:1BAD=2'), /not a valid variable name/);
    assert.throws(() => applyVariant({}, 'nope', []), /unknown variant "nope"/);
  });

  test('batch: an existing -b / --batch_size is replaced; a workload without one is never given one', () => {
    assert.deepEqual(withBatch(['python3', 'run.py', '-b', '1', '-p', 'fp32'], 8), [
      'python3',
      'run.py',
      '-b',
      '8',
      '-p',
      'fp32',
    ]);
    assert.deepEqual(withBatch(['python3', 'run.py', '--batch_size=4'], 16), [
      'python3',
      'run.py',
      '--batch_size=16',
    ]);
    assert.deepEqual(withBatch(['python3', 'run.py', '-b2'], 3), ['python3', 'run.py', '-b3']);
    assert.deepEqual(withBatch(['x', '--batch-size', '2', '-p', 'fp32'], 5), [
      'x',
      '--batch-size',
      '5',
      '-p',
      'fp32',
    ]);
    assert.throws(() => withBatch(['python3', 'run.py'], 8), /no -b \/ --batch_size/);
    // A trailing -b with no value is not a batch size to rewrite.
    assert.equal(hasBatchFlag(['python3', 'run.py', '-b']), false);
    assert.equal(batchOf(['x', '--batch_size', '32']), 32);
    assert.equal(batchOf(['x']), null);
  });

  test('batch sizes for a workload with -b become a dimension; without -b they are dropped with a note', () => {
    const sb = spec({
      threads: [1],
      batches: [1, 8],
      settings: { ...spec().settings, workload: ['python3', 'run.py', '-b', '4'] },
    });
    const withB = planSweep(sb, t2);
    assert.deepEqual(
      withB.points.map((x) => x.batch),
      [1, 8],
    );
    assert.deepEqual(withB.notes, []);
    const [inst] = instanceSettings(sb, t2, withB.points[1]!, null);
    assert.deepEqual(inst!.workload, ['python3', 'run.py', '-b', '8']);

    const noB = planSweep(spec({ threads: [1, 2], batches: [1, 8] }), t2);
    assert.deepEqual(
      noB.points.map((x) => `${x.threads}:${x.batch}`),
      ['1:null', '2:null'],
    );
    assert.equal(noB.notes.length, 1);
    assert.match(noB.notes[0]!, /batch sizes 1, 8 not applied: the workload has no -b \/ --batch_size/);
    const [plain] = instanceSettings(spec({ batches: [1, 8] }), t2, noB.points[0]!, null);
    assert.deepEqual(plain!.workload, spec().settings.workload, 'the workload runs as given');
  });
});

describe('instance settings and commands', () => {
  test('two instances on a 2-node machine: own CPUs, own node for memory, AIO_SKIP_MASTER_THREAD, shared RESULTS_DIR', () => {
    const s = spec({ instances: [2], threads: [4], placement: 'spread', variants: ['int8'] });
    const [p] = planSweep(s, t2).points;
    const inst = instanceSettings(s, t2, p!, '/tmp/results-x');
    assert.equal(inst.length, 2);
    const built = inst.map((x) => buildCommand(x, t2));
    assert.deepEqual(built[0]!.argv.slice(0, 3), ['numactl', '--physcpubind=0-3', '--membind=0']);
    assert.deepEqual(built[1]!.argv.slice(0, 3), ['numactl', '--physcpubind=80-83', '--membind=1']);
    assert.equal(built[0]!.env.AIO_NUMA_CPUS, '0 1 2 3');
    assert.equal(built[1]!.env.AIO_NUMA_CPUS, '80 81 82 83');
    for (const b of built) {
      assert.equal(b.env.AIO_NUM_THREADS, '4');
      assert.equal(b.env.OMP_NUM_THREADS, '4');
      assert.equal(b.env.AIO_SKIP_MASTER_THREAD, '1');
      assert.equal(b.env.RESULTS_DIR, '/tmp/results-x');
      assert.equal(b.env.AIO_QUANTIZE_INT8_FILTER, '.*');
    }
    // What the user copies leaves the measurement directory out.
    const copy = buildCommand(withoutMeasurementVars(inst[0]!), t2).shell;
    assert.doesNotMatch(copy, /RESULTS_DIR/);
    assert.match(copy, /AIO_SKIP_MASTER_THREAD=1/);
  });

  test('two instances on a one-node machine: memory still bound, each to its own (the only) node', () => {
    const s = spec({ instances: [2], threads: [2], settings: { ...spec().settings, memPolicy: 'none' } });
    const [p] = planSweep(s, t1).points;
    const built = instanceSettings(s, t1, p!, null).map((x) => buildCommand(x, t1));
    assert.deepEqual(built[0]!.argv.slice(0, 3), ['numactl', '--physcpubind=0-1', '--membind=0']);
    assert.deepEqual(built[1]!.argv.slice(0, 3), ['numactl', '--physcpubind=2-3', '--membind=0']);
  });

  test('a single instance keeps the user memory policy and gets its RESULTS_DIR for per-pass samples', () => {
    const s = spec({ settings: { ...spec().settings, memPolicy: 'interleave' }, threads: [2] });
    const [p] = planSweep(s, t2).points;
    const [one] = instanceSettings(s, t2, p!, '/tmp/r');
    assert.equal(one!.memPolicy, 'interleave');
    assert.equal(one!.env.RESULTS_DIR, '/tmp/r');
    assert.equal(one!.env.AIO_SKIP_MASTER_THREAD, undefined);
    assert.doesNotMatch(buildCommand(withoutMeasurementVars(one!), t2).shell, /RESULTS_DIR/);
  });

  test('spec schema accepts a full spec and rejects bad dimensions', () => {
    assert.ok(
      SweepSpecSchema.safeParse(spec({ threads: 'doubling', batches: [1, 8], timeoutS: 30 })).success,
    );
    assert.ok(!SweepSpecSchema.safeParse({ ...spec(), threads: [0] }).success);
    assert.ok(!SweepSpecSchema.safeParse({ ...spec(), placement: 'diagonal' }).success);
    assert.ok(SweepSpecSchema.safeParse(spec({ placement: ['compact', 'spread'] })).success);
    assert.ok(!SweepSpecSchema.safeParse({ ...spec(), placement: [] }).success);
    assert.ok(!SweepSpecSchema.safeParse({ ...spec(), placement: ['compact', 'diagonal'] }).success);
    assert.ok(!SweepSpecSchema.safeParse({ ...spec(), variants: [] }).success);
  });
});

function row(over: Partial<SweepRow>): SweepRow {
  return {
    i: 0,
    threads: 1,
    instances: 1,
    cores: 1,
    placement: 'compact',
    variant: 'fp32',
    batch: null,
    repeat: 1,
    latencyMs: 10,
    latencyP90Ms: null,
    throughput: 100,
    throughputUnit: 'samples/s',
    exitCode: 0,
    logFile: '/x/output.log',
    runId: 'r',
    durationMs: 1,
    commands: ['cmd'],
    ...over,
  };
}

/** A row with 100 per-pass samples 1 % apart around its mean latency: enough for the test to tell it apart. */
function sampledRow(over: Partial<SweepRow>): SweepRow {
  const r = row(over);
  const m = r.latencyMs ?? 1;
  return { ...r, samples: { n: 100, mean: m, sd: m * 0.01, median: m, p90: m * 1.01, p99: m * 1.02 } };
}

describe('recommendations', () => {
  const rows = [
    sampledRow({ i: 0, threads: 1, cores: 1, latencyMs: 10, throughput: 100, runId: 'a', commands: ['c1'] }),
    sampledRow({ i: 1, threads: 2, cores: 2, latencyMs: 6, throughput: 160, runId: 'b', commands: ['c2'] }),
    sampledRow({ i: 2, threads: 4, cores: 4, latencyMs: 5, throughput: 190, runId: 'c', commands: ['c4'] }),
    sampledRow({
      i: 3,
      threads: 1,
      instances: 4,
      cores: 4,
      latencyMs: 11,
      throughput: 360,
      runId: 'd',
      commands: ['k1', 'k2', 'k3', 'k4'],
    }),
    row({ i: 4, threads: 8, cores: 8, latencyMs: 1, throughput: 999, exitCode: 1, runId: 'e' }),
    row({
      i: 5,
      threads: 2,
      cores: 2,
      variant: 'off',
      latencyMs: null,
      throughput: null,
      exitCode: 0,
      runId: 'f',
    }),
  ];

  test('lowest latency, highest throughput, best per core; failed rows never win', () => {
    const b = recommend(rows, null);
    assert.equal(b.latency?.runIds[0], 'c');
    assert.equal(b.throughput?.runIds[0], 'd');
    assert.equal(b.perCore?.runIds[0], 'a');
    assert.equal(b.withinBudget, null);
    assert.equal(b.throughput?.command, 'k1 &\nk2 &\nk3 &\nk4 &\nwait');
  });

  test('within a latency budget: the most throughput per core that meets it', () => {
    assert.equal(recommend(rows, 7).withinBudget?.runIds[0], 'b');
    assert.equal(recommend(rows, 2).withinBudget, null);
  });

  test('repetitions are averaged before comparing; spread repetitions do not win by their mean alone', () => {
    const reps = [
      row({ i: 0, threads: 1, latencyMs: 4, runId: 'x1' }),
      row({ i: 1, threads: 1, latencyMs: 8, repeat: 2, runId: 'x2' }),
      row({ i: 2, threads: 2, cores: 2, latencyMs: 5, runId: 'y1' }),
      row({ i: 3, threads: 2, cores: 2, latencyMs: 5.5, repeat: 2, runId: 'y2' }),
    ];
    const agg = aggregate(reps);
    assert.equal(agg.length, 2);
    assert.equal(agg[0]!.latencyStats.meanMs, 6);
    assert.equal(agg[0]!.runs, 2);
    assert.equal(agg[0]!.basis, 'repeats');
    // y's mean (5.25) is lower, but x's repetitions (4, 8) are too spread to tell them apart: tied, and the
    // card names the first of the tied group in plan order.
    const b = recommend(reps).latency!;
    assert.deepEqual(b.runIds, ['x1', 'x2']);
    assert.equal(b.significant, false);
    assert.deepEqual(b.tiedWith, [1]);
    assert.equal(joinCommands(['only']), 'only');
  });
});

describe('CSV', () => {
  test('quotes what needs quoting and defuses spreadsheet formulas', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('=cmd()'), "'=cmd()");
    assert.equal(csvField('-5'), '-5');
    assert.equal(csvField(null), '');
    assert.equal(csvField(NaN), '');
  });

  test('rows export with a header and one line per row', () => {
    const csv = rowsToCsv([
      row({ commands: ["A=1 numactl --physcpubind=0 python3 'my bench.py'"] }),
      row({ i: 1, exitCode: 1, error: 'FAIL: x, y' }),
    ]);
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^i,threads,instances,cores,placement,variant,batch,repeat,latencyMs/);
    // Its empty columns after the error: instance latencies, six statistics, four LLM metrics (issue 17).
    assert.match(lines[2]!, /"FAIL: x, y",,,,,,,,,,,$/);
  });

  test('a multi-instance row: one runnable command line, and each instance latency in its own column', () => {
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    const inst = (latencyMs: number | null) => ({
      runId: 'r',
      logFile: '/x',
      cpus: [0],
      exitCode: 0,
      latencyMs,
      throughput: null,
      passes: null,
      boundCpus: null,
      pid: null,
    });
    const r = row({
      instances: 3,
      commands: [`echo one > ${dir}/a`, `echo two > ${dir}/b`, `echo three > ${dir}/c`],
      instanceRuns: [inst(1.21), inst(1.4), inst(null)],
    });
    const [head, line] = rowsToCsv([r]).trimEnd().split('\r\n');
    const cols = head!.split(',');
    assert.equal(cols[cols.indexOf('error') + 1], 'instanceLatencyMs');
    assert.match(line!, /,1\.21;1\.4;,/);
    const cmd = commandLine(r.commands);
    assert.equal(cmd, `echo one > ${dir}/a & echo two > ${dir}/b & echo three > ${dir}/c & wait`);
    assert.ok(line!.includes(cmd), 'the CSV cell is that line');
    // Pasted into a shell it starts every instance and returns once all have finished.
    execFileSync('sh', ['-c', `${cmd}; cat ${dir}/a ${dir}/b ${dir}/c > ${dir}/all`]);
    assert.equal(execFileSync('cat', [`${dir}/all`], { encoding: 'utf8' }), 'one\ntwo\nthree\n');
    execFileSync('rm', ['-rf', dir]);
    assert.match(
      rowsToCsv([row({})])
        .trimEnd()
        .split('\r\n')[1]!,
      /,cmd,,,/,
      'one instance: no latency list',
    );
  });

  test("the six statistics columns come before the LLM metrics: the row configuration's interval and CV", () => {
    const reps = [
      row({ latencyMs: 1, throughput: 10 }),
      row({ i: 1, repeat: 2, latencyMs: 3, throughput: 30 }),
    ];
    const lines = rowsToCsv([...reps, row({ i: 2, threads: 2, exitCode: 1 })])
      .trimEnd()
      .split('\r\n');
    // The four LLM metric columns of issue 17 are appended after them.
    assert.deepEqual(lines[0]!.split(',').slice(-11, -4), [
      'instanceLatencyMs',
      'latencyCi95LoMs',
      'latencyCi95HiMs',
      'latencyCv',
      'throughputCi95Lo',
      'throughputCi95Hi',
      'throughputCv',
    ]);
    // Means 1 and 3: 2 ± 12.706 × 1.414 / 1.414, CV 0.707; the same on both rows of that configuration.
    const cells = lines[1]!.split(',').slice(-10, -4).map(Number);
    assert.ok(Math.abs(cells[0]! - (2 - 12.7062047)) < 1e-5, String(cells));
    assert.ok(Math.abs(cells[1]! - (2 + 12.7062047)) < 1e-5);
    assert.ok(Math.abs(cells[2]! - Math.SQRT1_2) < 1e-9);
    assert.ok(Math.abs(cells[3]! - (20 - 127.062047)) < 1e-4);
    assert.equal(
      lines[2]!.split(',').slice(-10, -4).join(','),
      lines[1]!.split(',').slice(-10, -4).join(','),
    );
    assert.match(lines[3]!, /,,,,,,$/, 'a failed row has no configuration statistics');
  });
});

describe('UI helpers (pure)', () => {
  test('the builder form becomes a spec, with readable errors', () => {
    const s = { ...defaultSettings(), workload: ['python3', 'b.py'] };
    const ok = buildSpec(
      {
        ...DEFAULT_FORM,
        threads: '1, 2',
        instances: '1,2',
        batches: '1 8',
        custom: 'nm: AIO_MERGE_LINEAR=0',
      },
      s,
    );
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(ok.spec?.threads, [1, 2]);
    assert.deepEqual(ok.spec?.batches, [1, 8]);
    assert.deepEqual(ok.spec?.variants, ['fp32', 'off', 'nm']);
    assert.equal(ok.spec?.placement, 'compact', 'one placement stays a single value');
    const both = buildSpec({ ...DEFAULT_FORM, placements: ['spread', 'compact'] }, s);
    assert.deepEqual(both.spec?.placement, ['compact', 'spread']);
    const bad = buildSpec({ ...DEFAULT_FORM, threads: '1,x', variants: [], placements: [] }, s);
    assert.equal(bad.spec, null);
    assert.ok(bad.errors.some((e) => /Threads: "x"/.test(e)));
    assert.ok(bad.errors.some((e) => /at least one variant/.test(e)));
    assert.ok(bad.errors.some((e) => /at least one placement/.test(e)));
  });

  test('a form saved with one placement value restores as that placement checked', () => {
    assert.deepEqual(restoreForm({ placement: 'spread' } as never).placements, ['spread']);
    assert.deepEqual(restoreForm({ threads: '1' }).placements, ['compact']);
    assert.deepEqual(restoreForm({ placements: ['compact', 'spread'] }).placements, ['compact', 'spread']);
  });

  test('chart series: one per variant, failed rows left out; ticks are round', () => {
    const rows = [
      row({ i: 0, variant: 'fp32' }),
      row({ i: 1, variant: 'off', cores: 2 }),
      row({ i: 2, exitCode: 1 }),
    ];
    const s = buildSeries(rows, 'latencyMs', ['fp32', 'off']);
    assert.deepEqual(
      s.map((x) => [x.key, x.points.length]),
      [
        ['fp32', 1],
        ['off', 1],
      ],
    );
    const byPlacement = buildSeries(
      [row({ i: 0 }), row({ i: 1, placement: 'spread' }), row({ i: 2, variant: 'off', placement: 'spread' })],
      'latencyMs',
      ['fp32', 'off'],
    );
    assert.deepEqual(
      byPlacement.map((x) => [x.label, x.dashed]),
      [
        ['fp32, compact', false],
        ['fp32, spread', true],
        ['off, spread', true],
      ],
    );
    assert.equal(
      byPlacement[0]!.color,
      byPlacement[1]!.color,
      'a variant keeps its colour across placements',
    );
    assert.deepEqual(niceTicks(9), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(0), [0, 1]);
  });
});
