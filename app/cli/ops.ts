/**
 * `aio-tuner ops MODEL.pt [--input-shape 1,3,224,224]... [--python PATH] [--json]`: which of a TorchScript
 * model's ops Ampere's engine accelerates at each precision, by op count and, given input shapes, by time.
 * Exit 0; 1 when the model cannot be loaded (or run on those shapes, or the interpreter has no torch); 2 for usage.
 */
import { parse, UsageError } from './args';
import { findTorchPython } from '../api/example';
import { analyzeModel, OpsError, shapesText } from '../ops';
import { OP_PRECISIONS, OP_PRECISION_LABELS, parseInputSpec, type OpsReport } from '../shared/ops';
import { outputText } from '../util/records';

export const OPS_OPTIONS = {
  'input-shape': { type: 'string', multiple: true },
  python: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function opsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPS_OPTIONS);
  if (positionals.length === 0) throw new UsageError('ops needs a model: aio-tuner ops MODEL.pt');
  if (positionals.length > 1)
    throw new UsageError(`unexpected argument "${positionals[1]}" (one model at a time)`);
  const model = positionals[0]!;
  if (model.trim() === '') throw new UsageError('ops needs a model: aio-tuner ops MODEL.pt');
  const inputs = (values['input-shape'] ?? []).map((text) => {
    const spec = parseInputSpec(text);
    if (typeof spec === 'string') throw new UsageError(`--input-shape: ${spec}`);
    return spec;
  });
  if (values.python !== undefined && values.python.trim() === '')
    throw new UsageError('--python needs the path of an interpreter');

  let python = values.python;
  if (python === undefined) {
    const { found, passed } = await findTorchPython();
    if (found === null) {
      const tried = passed.map((p) => `${p.command}: ${p.problem}`).join('; ');
      process.stderr.write(
        `aio-tuner: ops: no interpreter with PyTorch found (${tried}); name one with --python\n`,
      );
      return 1;
    }
    python = found.executable ?? found.command;
  }

  let report: OpsReport;
  try {
    report = await analyzeModel({
      model,
      python,
      inputShapes: inputs.map((i) => i.dims),
      inputDtypes: inputs.map((i) => i.dtype),
    });
  } catch (e) {
    if (e instanceof OpsError) {
      process.stderr.write(`aio-tuner: ops: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  process.stdout.write(values.json ? outputText('ops', report) : opsText(report));
  return 0;
}

function pct(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(x > 0 && x < 0.001 ? 2 : 1)}%`;
}

function ms(x: number | undefined): string {
  return x === undefined ? '' : x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** The report as a reader wants it: coverage per precision, then the ops heaviest first. */
export function opsText(r: OpsReport): string {
  const lines: string[] = [];
  const profiled = r.profile !== undefined;
  lines.push(`${r.model}`);
  lines.push(
    `torch ${r.torch} (${r.python})${r.engine ? ', Ampere engine present (off while timing)' : ''}` +
      `${r.frozen ? ', frozen graph' : ', graph NOT frozen'}`,
  );
  if (r.profile)
    lines.push(
      `profiled on ${shapesText(r.profile.inputShapes, r.profile.inputDtypes)}: ${r.profile.passes} passes after ` +
        `${r.profile.warmup} warm-up, ${ms(r.profile.passMs)} ms per pass, ${ms(r.profile.opsMs)} ms in ops`,
    );
  else lines.push('not profiled (give --input-shape to weigh the ops by time)');
  lines.push('');
  lines.push('Coverage        ops      time');
  for (const p of OP_PRECISIONS)
    lines.push(
      `  ${OP_PRECISION_LABELS[p].padEnd(14)}${pct(r.coverage[p].ops).padStart(6)}${pct(r.coverage[p].time).padStart(10)}`,
    );
  lines.push('');
  const kindW = Math.max(4, ...r.ops.map((o) => label(o).length));
  const tableW = Math.max(5, ...r.ops.map((o) => (o.table ?? '—').length));
  const head = [
    'op'.padEnd(kindW),
    'table'.padEnd(tableW),
    'count'.padStart(5),
    ...(profiled ? ['ms/pass'.padStart(9), 'share'.padStart(6)] : []),
    ' fp32 fp16e fp16i int8i',
  ];
  lines.push(head.join('  '));
  const total = r.profile?.opsMs ?? 0;
  for (const o of r.ops) {
    const marks = OP_PRECISIONS.map((p, i) => (o.accelerated[p] ? 'Y' : '·').padStart(i === 0 ? 5 : 6)).join(
      '',
    );
    lines.push(
      [
        label(o).padEnd(kindW),
        (o.table ?? '—').padEnd(tableW),
        String(o.count).padStart(5),
        ...(profiled
          ? [ms(o.timeMs).padStart(9), (total > 0 ? pct((o.timeMs ?? 0) / total) : '—').padStart(6)]
          : []),
        marks + (o.note ? `  (${o.note})` : ''),
      ].join('  '),
    );
  }
  if (r.ops.length === 0) lines.push('  (the graph has no ops)');
  lines.push('');
  for (const p of OP_PRECISIONS) {
    const top = r.heaviestUnaccelerated[p];
    lines.push(
      `Heaviest not accelerated at ${OP_PRECISION_LABELS[p]}: ` +
        (top.length
          ? top
              .map((o) => `${label(o)} (${o.timeMs !== undefined ? `${ms(o.timeMs)} ms` : `×${o.count}`})`)
              .join(', ')
          : 'none'),
    );
  }
  const structural = r.structural.reduce((s, x) => s + x.count, 0);
  if (structural > 0)
    lines.push(
      `\n${structural} structural nodes (constants, lists, control flow, scalar checks) not counted: ` +
        r.structural.map((s) => `${s.kind} ×${s.count}`).join(', '),
    );
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n') + '\n';
}

function label(o: { kind: string; variant?: string }): string {
  return o.variant ? `${o.kind} [${o.variant}]` : o.kind;
}
