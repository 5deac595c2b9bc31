// The op-coverage report's pure parts: the op table's parser (and that the shipped copy is the reference file),
// the matching rules README "Op coverage" promises, the coverage maths, the --input-shape grammar and the help text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  aioOpTable,
  bareName,
  buildReport,
  coverageOf,
  isStructural,
  OpMatcher,
  opEntries,
  OpTableError,
  parseOpTable,
} from '../../app/ops';
import { AIO_OPS_TSV } from '../../app/ops/tsvtext';
import { OPS_OPTIONS, opsText } from '../../app/cli/ops';
import { USAGE, HELP } from '../../app/cli/usage';
import { parseInputShape, parseInputSpec, type OpsReport } from '../../app/shared/ops';

const HEADER = 'op\tfp32\tfp16_explicit\tfp16_implicit\tint8_implicit\tnote';

describe('op table', () => {
  it('ships the reference table verbatim: app/ops/aio-ops.tsv is the text the code embeds', () => {
    const file = readFileSync(join(process.cwd(), 'app', 'ops', 'aio-ops.tsv'), 'utf8');
    assert.equal(AIO_OPS_TSV.replace(/^\n/, ''), file);
  });

  it('reads every row of the shipped table, Sum (listed twice by the guide) once', () => {
    const rows = aioOpTable();
    const lines = AIO_OPS_TSV.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.equal(rows.length, lines.length - 1 - 1); // minus the header, minus the second Sum
    assert.equal(rows.filter((r) => r.name === 'Sum').length, 1);
    const linear = rows.find((r) => r.name === 'Linear')!;
    assert.deepEqual(linear.accelerated, {
      fp32: true,
      fp16Explicit: true,
      fp16Implicit: true,
      int8Implicit: true,
    });
    const group = rows.find((r) => r.name === 'GroupNorm')!;
    assert.deepEqual(group.accelerated, {
      fp32: true,
      fp16Explicit: false,
      fp16Implicit: false,
      int8Implicit: false,
    });
    assert.equal(group.note, '2D and 3D');
    assert.equal(rows.find((r) => r.name === 'Conv2d')!.note, null);
    // Only the guide's three INT8 ops are accelerated at implicit INT8.
    assert.deepEqual(
      rows.filter((r) => r.accelerated.int8Implicit).map((r) => r.name),
      ['Linear', 'Matmul', 'EmbeddingBag'],
    );
  });

  it('parses comments, empty cells and notes; refuses a wrong header, a stray cell and a contradicting repeat', () => {
    const rows = parseOpTable(`# c\n${HEADER}\nFoo\tY\t\tY\t\tsome note\nBar\t\t\t\t\n`);
    assert.deepEqual(rows, [
      {
        name: 'Foo',
        accelerated: { fp32: true, fp16Explicit: false, fp16Implicit: true, int8Implicit: false },
        note: 'some note',
      },
      {
        name: 'Bar',
        accelerated: { fp32: false, fp16Explicit: false, fp16Implicit: false, int8Implicit: false },
        note: null,
      },
    ]);
    assert.throws(() => parseOpTable('op\tfp16_explicit\tfp32\n'), OpTableError);
    assert.throws(() => parseOpTable(`${HEADER}\nFoo\tN\n`), /"N" under fp32 is neither Y nor empty/);
    assert.throws(() => parseOpTable(`${HEADER}\nFoo\tY\nFoo\t\tY\n`), /Foo is listed again/);
    assert.throws(() => parseOpTable('# only comments\n'), /no header/);
    assert.throws(() => parseOpTable(`${HEADER}\n\tY\n`), /no op name/);
  });
});

describe('matching graph kinds to table rows', () => {
  const m = new OpMatcher(aioOpTable());
  const row = (kind: string, variant?: string) => m.match(kind, variant)?.name ?? null;

  it('strips the namespace and the in-place suffix, ignores case, underscores and spaces', () => {
    assert.equal(row('aten::conv2d'), 'Conv2d');
    assert.equal(row('aten::relu_'), 'Relu');
    assert.equal(row('aten::add_'), 'Add');
    assert.equal(row('aten::linear'), 'Linear');
    assert.equal(row('aten::split_with_sizes'), 'Split with sizes');
    assert.equal(row('aten::zeros_like'), 'Zeros_like');
    assert.equal(row('aten::upsample_nearest2d'), 'UpsampleNearest2d');
    assert.equal(row('aten::adaptive_avg_pool2d'), 'AdaptiveAvgPool2d');
    assert.equal(row('aten::batch_norm'), 'BatchNorm');
    assert.equal(row('aten::layer_norm'), 'LayerNorm');
    assert.equal(row('aten::embedding_bag'), 'EmbeddingBag');
    assert.equal(row('aten::_embedding_bag'), 'EmbeddingBag');
    assert.equal(row('aten::mm'), 'MM');
    assert.equal(row('aten::topk'), 'TopK');
    assert.equal(row('aten::index_add_'), 'Index_add');
    assert.equal(bareName('aten::_convolution'), 'convolution');
    assert.equal(bareName('relu_'), 'relu');
  });

  it("knows PyTorch's own aliases and the transposed convolutions", () => {
    assert.equal(row('aten::true_divide'), 'Div');
    assert.equal(row('aten::multiply'), 'Mul');
    assert.equal(row('aten::subtract_'), 'Sub');
    assert.equal(row('aten::swapaxes'), 'Transpose');
    assert.equal(row('aten::conv_transpose2d'), 'Deconv2d');
    assert.equal(row('aten::conv_transpose3d'), 'Deconv3d');
    assert.equal(row('aten::conv_transpose1d'), null); // the guide has no Deconv1d
  });

  it('tells generic convolutions apart by their variant, and matches none without it', () => {
    assert.equal(row('aten::_convolution', '2d'), 'Conv2d');
    assert.equal(row('aten::_convolution', '1d'), 'Conv1d');
    assert.equal(row('aten::convolution', '3d'), 'Conv3d');
    assert.equal(row('aten::_convolution', 'transposed 2d'), 'Deconv2d');
    assert.equal(row('aten::_convolution', 'transposed 1d'), null);
    assert.equal(row('aten::_convolution'), null);
  });

  it('never matches by prefix: max_pool2d is MaxPool2d, not Max; expand_as is nothing', () => {
    assert.equal(row('aten::max_pool2d'), 'MaxPool2d');
    assert.equal(row('aten::max'), 'Max');
    assert.equal(row('aten::expand_as'), null);
    assert.equal(row('aten::unbind'), null);
    assert.equal(row('aten::scaled_dot_product_attention'), null);
  });

  it('calls prim:: nodes and scalar conversions structural, tensor ops not', () => {
    for (const k of [
      'prim::Constant',
      'prim::ListConstruct',
      'prim::If',
      'aten::Int',
      'aten::ScalarImplicit',
    ])
      assert.equal(isStructural(k), true, k);
    for (const k of ['aten::size', 'aten::linear', 'aten::__and__', 'quantized::linear'])
      assert.equal(isStructural(k), false, k);
  });
});

describe('coverage maths', () => {
  const table = aioOpTable();
  const nodes = [
    { kind: 'aten::linear', count: 4, timeMs: 6 },
    { kind: 'aten::gelu', count: 1, timeMs: 1 },
    { kind: 'aten::unbind', count: 1, timeMs: 1 },
    { kind: 'aten::_convolution', variant: '2d', count: 2, timeMs: 2 },
    { kind: 'prim::Constant', count: 30 },
  ];

  it('counts op nodes, not kinds; leaves structural nodes out; weighs time by op', () => {
    const { ops } = opEntries(nodes, table, true);
    const cov = coverageOf(ops, true);
    // 8 op nodes: linear 4 + gelu 1 + conv 2 accelerated at fp32; at int8 only linear's 4.
    assert.equal(cov.fp32.ops, 7 / 8);
    assert.equal(cov.fp32.time, 9 / 10);
    assert.equal(cov.int8Implicit.ops, 4 / 8);
    assert.equal(cov.int8Implicit.time, 6 / 10);
    // Linear, Gelu and Conv2d are all accelerated at FP16 implicit too: the same shares as FP32.
    assert.deepEqual(cov.fp16Implicit, cov.fp32);
  });

  it('sets apart scalar nodes the table does not list (argument checks), keeps aten::size, merges a kind', () => {
    const { ops, structural } = opEntries(
      [
        { kind: 'aten::eq', count: 2, scalar: true },
        { kind: 'aten::eq', count: 1 },
        { kind: 'aten::format', count: 1, scalar: true },
        { kind: 'aten::size', count: 3, scalar: true },
        { kind: 'aten::size', count: 1 },
      ],
      table,
      false,
    );
    assert.deepEqual(
      ops.map((o) => [o.kind, o.count, o.table]),
      [
        ['aten::size', 4, 'Size'],
        ['aten::eq', 1, null],
      ],
    );
    assert.deepEqual(structural, [
      { kind: 'aten::eq', count: 2 },
      { kind: 'aten::format', count: 1 },
    ]);
  });

  it('is null for time when not profiled, and 0 (not NaN) for a graph without ops', () => {
    const { ops } = opEntries(nodes, table, false);
    assert.ok(ops.every((o) => !('timeMs' in o)));
    assert.equal(coverageOf(ops, false).fp32.time, null);
    const empty = coverageOf([], true);
    assert.deepEqual(empty.fp32, { ops: 0, time: null });
  });

  it('builds the report: ops heaviest first, table null when unmatched, heaviest unaccelerated per precision', () => {
    const r = buildReport(nodes, table, {
      model: '/m.pt',
      python: '/usr/bin/python3',
      torch: '1.13',
      engine: false,
      frozen: true,
      profile: {
        inputShapes: [[1, 3]],
        inputDtypes: ['float32'],
        warmup: 3,
        passes: 5,
        passMs: 11,
        opsMs: 0,
      },
      notes: [],
    });
    assert.deepEqual(
      r.ops.map((o) => o.kind),
      ['aten::linear', 'aten::_convolution', 'aten::gelu', 'aten::unbind'],
    );
    assert.equal(r.ops.find((o) => o.kind === 'aten::unbind')!.table, null);
    assert.equal(r.ops.find((o) => o.kind === 'aten::_convolution')!.variant, '2d');
    assert.equal(r.profile!.opsMs, 10);
    assert.deepEqual(r.structural, [{ kind: 'prim::Constant', count: 30 }]);
    assert.deepEqual(
      r.heaviestUnaccelerated.int8Implicit.map((o) => o.kind),
      ['aten::_convolution', 'aten::gelu', 'aten::unbind'],
    );
    assert.deepEqual(
      r.heaviestUnaccelerated.fp32.map((o) => o.kind),
      ['aten::unbind'],
    );
    const text = opsText(r as OpsReport);
    assert.match(text, /FP32\s+87\.5%\s+90\.0%/);
    assert.match(text, /aten::_convolution \[2d\]\s+Conv2d/);
    assert.match(text, /Heaviest not accelerated at FP32: aten::unbind \(1\.00 ms\)/);
  });
});

describe('--input-shape', () => {
  it('takes an element type after a colon, float32 by default', () => {
    assert.deepEqual(parseInputSpec('1,128:int64'), { dims: [1, 128], dtype: 'int64' });
    assert.deepEqual(parseInputSpec('1,3,8,8'), { dims: [1, 3, 8, 8], dtype: 'float32' });
    assert.match(parseInputSpec('1,128:int65') as string, /"int65" in "1,128:int65" is not an element type/);
    assert.match(parseInputSpec('1,x:int64') as string, /"x" in "1,x" is not a dimension/);
  });
  it('reads comma-separated dimensions', () => {
    assert.deepEqual(parseInputShape('1,3,224,224'), [1, 3, 224, 224]);
    assert.deepEqual(parseInputShape(' 1, 128 '), [1, 128]);
  });
  it('says what is wrong with anything else', () => {
    assert.match(parseInputShape('1,x') as string, /"x" in "1,x" is not a dimension/);
    assert.match(parseInputShape('1,,3') as string, /empty dimension/);
    assert.match(parseInputShape('1,0') as string, /at least 1/);
    assert.match(parseInputShape('') as string, /list of dimensions/);
    assert.match(parseInputShape('1,2,3,4,5,6,7,8,9') as string, /at most 8/);
    assert.match(parseInputShape('100000,100000,100000') as string, /elements; at most/);
  });
});

describe('ops help', () => {
  it('lists exactly the flags ops accepts, and the overview names the command', () => {
    const listed = new Set([...USAGE.ops!.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]!));
    assert.deepEqual([...listed].sort(), Object.keys(OPS_OPTIONS).sort());
    assert.match(HELP, /aio-tuner ops {6}MODEL\.pt/);
  });
});
