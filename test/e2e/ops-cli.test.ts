// `aio-tuner ops` (issue 17) as scripts run it (the built CLI), on the example workload's own models saved as
// TorchScript with `examples/bench.py --save`, loaded by the real /usr/bin/python3 with PyTorch: what the graph
// holds, the coverage it reports and that it agrees with its own op list, and the exit codes of the contract.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { need } from '../helpers/require';
import { SYSTEM_PYTHON, systemHasTorch } from '../helpers/venv';
import { OP_PRECISIONS, type OpsReport } from '../../app/shared/ops';

const hasTorch = systemHasTorch();
const dir = mkdtempSync(join(tmpdir(), 'aio-ops-cli-'));
const cnn = join(dir, 'cnn.pt');
const transformer = join(dir, 'transformer.pt');

before(() => {
  if (!hasTorch) return;
  for (const [model, extra, path] of [
    ['cnn', ['--image_size', '64'], cnn],
    ['transformer', [], transformer],
  ] as const) {
    const r = spawnSync(SYSTEM_PYTHON, ['examples/bench.py', '-m', model, ...extra, '--save', path], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`saved ${path} \\(TorchScript, input shape `));
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

function ops(args: string[]) {
  return spawnSync(process.execPath, [CLI, 'ops', ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: join(dir, 'home') },
    timeout: 180_000,
  });
}

/** Coverage recomputed from the op list: what a script reading the JSON would compute. */
function checkConsistent(r: OpsReport, profiled: boolean) {
  const nodes = r.ops.reduce((s, o) => s + o.count, 0);
  const time = r.ops.reduce((s, o) => s + (o.timeMs ?? 0), 0);
  for (const p of OP_PRECISIONS) {
    const c = r.coverage[p];
    assert.ok(c.ops >= 0 && c.ops <= 1, `${p} ops share ${c.ops} in [0,1]`);
    const acc = r.ops.filter((o) => o.accelerated[p]);
    assert.ok(Math.abs(c.ops - acc.reduce((s, o) => s + o.count, 0) / nodes) < 1e-9, `${p} ops share`);
    if (!profiled) {
      assert.equal(c.time, null);
      continue;
    }
    assert.ok(c.time !== null && c.time >= 0 && c.time <= 1, `${p} time share ${c.time} in [0,1]`);
    assert.ok(
      Math.abs(c.time - acc.reduce((s, o) => s + (o.timeMs ?? 0), 0) / time) < 1e-9,
      `${p} time share`,
    );
    // Every op the precision leaves behind, heaviest first, is one the op list marks unaccelerated.
    for (const u of r.heaviestUnaccelerated[p])
      assert.equal(r.ops.find((o) => o.kind === u.kind && o.variant === u.variant)!.accelerated[p], false);
  }
  // Every op carries its table row's flags, and an op the table lacks is never accelerated.
  for (const o of r.ops)
    if (o.table === null)
      assert.ok(
        OP_PRECISIONS.every((p) => !o.accelerated[p]),
        `${o.kind} unmatched`,
      );
}

test('the conv net, profiled: frozen graph (batch norm folded), convolutions as Conv2d, time shares add up', (t) => {
  if (!need(t, hasTorch, `${SYSTEM_PYTHON} with PyTorch`)) return;
  const r = ops([cnn, '--input-shape', '1,3,64,64', '--python', SYSTEM_PYTHON, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as OpsReport & { schemaVersion: number };
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.frozen, true);
  const byKind = new Map(j.ops.map((o) => [`${o.kind}${o.variant ? ` ${o.variant}` : ''}`, o]));
  // Three conv layers; freezing folded each BatchNorm into its convolution, so none is left.
  assert.equal(byKind.get('aten::_convolution 2d')?.count ?? byKind.get('aten::conv2d')?.count, 3);
  assert.equal(
    [...byKind.keys()].some((k) => k.includes('batch_norm')),
    false,
  );
  assert.equal(byKind.get('aten::relu')!.count, 3);
  assert.equal(byKind.get('aten::linear')!.count, 1);
  assert.equal(byKind.get('aten::linear')!.table, 'Linear');
  const conv = j.ops.find((o) => /conv/.test(o.kind))!;
  assert.equal(conv.table, 'Conv2d');
  assert.deepEqual(conv.accelerated, {
    fp32: true,
    fp16Explicit: true,
    fp16Implicit: true,
    int8Implicit: false,
  });
  // Profiled: every op has a time, the convolutions dominate a conv net.
  assert.ok(j.ops.every((o) => typeof o.timeMs === 'number' && o.timeMs >= 0));
  assert.equal(j.ops[0], conv, 'heaviest first');
  assert.deepEqual(j.profile!.inputShapes, [[1, 3, 64, 64]]);
  assert.ok(j.profile!.passes > 0 && j.profile!.passMs > 0);
  checkConsistent(j, true);
  // Every op of this net is in the table: all accelerated at FP32; INT8 implicit takes only the Linear.
  assert.equal(j.coverage.fp32.ops, 1);
  assert.equal(j.coverage.fp32.time, 1);
  assert.equal(j.coverage.int8Implicit.ops, 1 / 9);
  assert.ok(j.coverage.int8Implicit.time! < 0.5, 'the convolutions are not INT8-accelerated');
  assert.equal(j.heaviestUnaccelerated.int8Implicit[0]!.kind, conv.kind);
});

test('the transformer block, unprofiled, with the interpreter found on its own: unbind is not in the table', (t) => {
  if (!need(t, hasTorch, `${SYSTEM_PYTHON} with PyTorch`)) return;
  const r = ops([transformer, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as OpsReport;
  assert.ok(j.python.length > 0 && j.torch.length > 0);
  assert.equal(j.profile, undefined);
  const get = (k: string) => j.ops.find((o) => o.kind === k)!;
  assert.equal(get('aten::linear').count, 4);
  assert.equal(get('aten::matmul').count, 2);
  assert.equal(get('aten::layer_norm').table, 'LayerNorm');
  assert.equal(get('aten::softmax').table, 'Softmax');
  assert.equal(get('aten::unbind').table, null);
  assert.ok(j.structural.some((s) => s.kind === 'prim::Constant' && s.count > 0));
  assert.ok(!j.ops.some((o) => o.kind.startsWith('prim::')));
  checkConsistent(j, false);
  const nodes = j.ops.reduce((s, o) => s + o.count, 0);
  assert.equal(j.coverage.fp32.ops, (nodes - 1) / nodes, 'all but unbind');
  // INT8 implicit: Linear and Matmul only.
  assert.equal(j.coverage.int8Implicit.ops, 6 / nodes);
  assert.deepEqual(j.heaviestUnaccelerated.fp32, [{ kind: 'aten::unbind', count: 1 }]);
});

test('the text report: coverage per precision and the op table, heaviest first', (t) => {
  if (!need(t, hasTorch, `${SYSTEM_PYTHON} with PyTorch`)) return;
  const r = ops([transformer, '--input-shape', '1,32,64', '--python', SYSTEM_PYTHON]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Coverage\s+ops\s+time$/m);
  assert.match(r.stdout, /^ {2}INT8 implicit\s+27\.3%\s+\d+\.\d%$/m);
  assert.match(r.stdout, /^aten::unbind\s+—\s+1\s/m);
  assert.match(r.stdout, /^Heaviest not accelerated at FP32: aten::unbind \(/m);
});

// A scripted model with control flow and two inputs: the ops inside both branches of an `if` and inside a loop
// are counted, the control-flow nodes are structural, and both --input-shape inputs reach forward in order.
const NESTED = `
import sys, torch
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(8, 8)
    def forward(self, x, y):
        if bool(x.sum() > 0):
            x = torch.relu(x)
        else:
            x = torch.sigmoid(x)
        for _ in range(y.size(0)):
            x = self.fc(x) + y
        return x
torch.jit.script(M().eval()).save(sys.argv[1])
`;

test('nested blocks: both branches of an if and a loop body are counted; two inputs in order', (t) => {
  if (!need(t, hasTorch, `${SYSTEM_PYTHON} with PyTorch`)) return;
  const nested = join(dir, 'nested.pt');
  // From a file: torch.jit.script reads the module's source, which `python -c` does not keep.
  const script = join(dir, 'nested.py');
  writeFileSync(script, NESTED);
  const made = spawnSync(SYSTEM_PYTHON, [script, nested], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(made.status, 0, made.stderr);
  const r = ops([
    nested,
    '--input-shape',
    '4,8',
    '--input-shape',
    '1,8',
    '--python',
    SYSTEM_PYTHON,
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as OpsReport;
  const kinds = new Map(j.ops.map((o) => [o.kind, o]));
  for (const k of ['aten::relu', 'aten::sigmoid', 'aten::linear', 'aten::add'])
    assert.equal(kinds.get(k)?.count, 1, `${k} inside a block is counted`);
  const structural = new Map(j.structural.map((s) => [s.kind, s.count]));
  assert.equal(structural.get('prim::If'), 1);
  assert.equal(structural.get('prim::Loop'), 1);
  assert.equal(structural.get('aten::Bool'), 1);
  assert.deepEqual(j.profile!.inputShapes, [
    [4, 8],
    [1, 8],
  ]);
  // The loop body ran (once: y has one row): the linear inside it took time.
  assert.ok(kinds.get('aten::linear')!.timeMs! > 0);
  checkConsistent(j, true);
});

// Token ids: an EmbeddingBag model takes int64 input, given as `:int64`; its scripted argument checks (aten::dim,
// aten::eq on ints, aten::format) compute no tensor and are set apart, not counted as unaccelerated ops.
const EMBEDDING = `
import sys, torch
class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.EmbeddingBag(100, 8, mode="sum")
        self.fc = torch.nn.Linear(8, 2)
    def forward(self, ids):
        return self.fc(self.emb(ids))
torch.jit.script(M().eval()).save(sys.argv[1])
`;

test('an int64 input (token ids): EmbeddingBag is accelerated at INT8 implicit; argument checks are structural', (t) => {
  if (!need(t, hasTorch, `${SYSTEM_PYTHON} with PyTorch`)) return;
  const model = join(dir, 'embedding.pt');
  const script = join(dir, 'embedding.py');
  writeFileSync(script, EMBEDDING);
  const made = spawnSync(SYSTEM_PYTHON, [script, model], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(made.status, 0, made.stderr);
  // As float32 (the default) the ids are refused by PyTorch itself: exit 1 with its reason.
  const asFloat = ops([model, '--input-shape', '2,16', '--python', SYSTEM_PYTHON]);
  assert.equal(asFloat.status, 1);
  assert.match(asFloat.stderr, /failed on inputs of shapes 2,16: RuntimeError: .*(Long|Int|integer)/i);
  const r = ops([model, '--input-shape', '2,16:int64', '--python', SYSTEM_PYTHON, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as OpsReport;
  assert.deepEqual(j.profile!.inputDtypes, ['int64']);
  const bag = j.ops.find((o) => o.kind === 'aten::embedding_bag')!;
  assert.equal(bag.table, 'EmbeddingBag');
  assert.equal(bag.note, 'Sum mode');
  assert.equal(bag.accelerated.int8Implicit, true);
  assert.ok(bag.timeMs! > 0);
  for (const k of ['aten::format', 'aten::dim']) {
    assert.ok(!j.ops.some((o) => o.kind === k), `${k} is not an op`);
    assert.ok(
      j.structural.some((s) => s.kind === k),
      `${k} is structural`,
    );
  }
  checkConsistent(j, true);
});

test('exit 1, one clear line, when the model cannot be loaded or run', (t) => {
  if (!need(t, hasTorch, `${SYSTEM_PYTHON} with PyTorch`)) return;
  const corrupt = join(dir, 'corrupt.pt');
  writeFileSync(corrupt, 'this is not a TorchScript archive\n');
  let r = ops([corrupt, '--python', SYSTEM_PYTHON]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^aio-tuner: ops: cannot load .*corrupt\.pt as TorchScript: RuntimeError: .*zip/m);
  r = ops([join(dir, 'missing.pt'), '--python', SYSTEM_PYTHON]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot load .*missing\.pt: no such file/);
  // Loaded, but the shape does not fit the net: its own error, not a traceback.
  r = ops([cnn, '--input-shape', '1,3', '--python', SYSTEM_PYTHON]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /failed on inputs of shapes 1,3: RuntimeError: Expected .*dimensional input/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  r = ops([cnn, '--python', join(dir, 'no-such-python')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no-such-python was not found/);
});

test('exit 2 for usage: a bad --input-shape, no model', () => {
  let r = ops([cnn, '--input-shape', '1,x']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--input-shape: "x" in "1,x" is not a dimension/);
  r = ops([]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /ops needs a model/);
  r = ops([cnn, '--input-shape', '1,3,8,8:int65']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not an element type/);
  r = ops([cnn, '--frobnicate']);
  assert.equal(r.status, 2);
});
