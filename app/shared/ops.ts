/**
 * The op-coverage report (`aio-tuner ops`, the Tune area's "Op coverage" panel, `ops.report`): which of a
 * TorchScript model's ops Ampere's engine accelerates at each precision. The JSON field names are a public
 * contract (issue 17): add fields, never rename.
 */

/** The precisions the engine's op table has a column for, in the table's order. */
export const OP_PRECISIONS = ['fp32', 'fp16Explicit', 'fp16Implicit', 'int8Implicit'] as const;
export type OpPrecision = (typeof OP_PRECISIONS)[number];

/** How each precision is named to a reader (the user guide's column headings). */
export const OP_PRECISION_LABELS: Record<OpPrecision, string> = {
  fp32: 'FP32',
  fp16Explicit: 'FP16 explicit',
  fp16Implicit: 'FP16 implicit',
  int8Implicit: 'INT8 implicit',
};

export type OpFlags = Record<OpPrecision, boolean>;

export interface OpEntry {
  /** The graph's op name, e.g. `aten::conv2d`. */
  kind: string;
  /** `aten::_convolution`/`aten::convolution` only: `1d`, `2d`, `3d` or `transposed 2d`… (from the weight). */
  variant?: string;
  /** The op table's row this kind matches, or null when none does (never accelerated then). */
  table: string | null;
  /** Nodes of this kind in the frozen graph, nested blocks and subgraphs included. */
  count: number;
  /** Milliseconds per pass spent in this kind (present when the model was profiled). */
  timeMs?: number;
  accelerated: OpFlags;
  /** The table row's restriction, e.g. "Without bias" or "Sum mode", when it has one. */
  note?: string;
}

export interface OpCoverage {
  /** Share of op nodes (counts) the engine accelerates, 0 to 1. */
  ops: number;
  /** Share of the profiled time spent in accelerated ops, 0 to 1; null when not profiled. */
  time: number | null;
}

export interface UnacceleratedOp {
  kind: string;
  variant?: string;
  count: number;
  timeMs?: number;
}

export interface OpsReport {
  ops: OpEntry[];
  coverage: Record<OpPrecision, OpCoverage>;
  /** Per precision, the ops it leaves to plain PyTorch, heaviest first (by time when profiled, else by count). */
  heaviestUnaccelerated: Record<OpPrecision, UnacceleratedOp[]>;
  /** Graph nodes that compute nothing (`prim::Constant`, `prim::ListConstruct`…): listed, not counted in coverage. */
  structural: { kind: string; count: number }[];
  model: string;
  /** The interpreter that loaded the model (sys.executable) and its torch. */
  python: string;
  torch: string;
  /** Did that torch carry Ampere's engine? (Times are measured with it off: AIO_PROCESS_MODE=0.) */
  engine: boolean;
  /** Was the graph frozen (torch.jit.freeze)? False when freezing failed: `notes` says why. */
  frozen: boolean;
  /** Present when profiled: the input shapes, passes and what the time figures cover. */
  profile?: {
    inputShapes: number[][];
    /** The element type of each input, in the same order. */
    inputDtypes: InputDtype[];
    warmup: number;
    passes: number;
    /** Wall time of one profiled pass (profiler overhead included). */
    passMs: number;
    /** Sum of every op's timeMs. */
    opsMs: number;
  };
  notes: string[];
}

/**
 * Element types an input may be given (`--input-shape 1,128:int64`); float32 when none is. Float inputs are
 * random normal values, integer ones 0 or 1 (valid token ids and indices for any vocabulary), bool ones random.
 */
export const INPUT_DTYPES = ['float32', 'float16', 'bfloat16', 'int64', 'int32', 'bool'] as const;
export type InputDtype = (typeof INPUT_DTYPES)[number];

/** `1,3,224,224` or `1,128:int64`: the dimensions and the element type; a sentence saying what is wrong otherwise. */
export function parseInputSpec(text: string): { dims: number[]; dtype: InputDtype } | string {
  const colon = text.lastIndexOf(':');
  const shape = colon < 0 ? text : text.slice(0, colon);
  const type = colon < 0 ? 'float32' : text.slice(colon + 1).trim();
  if (!(INPUT_DTYPES as readonly string[]).includes(type))
    return `"${type}" in "${text.trim()}" is not an element type (${INPUT_DTYPES.join(', ')})`;
  const dims = parseInputShape(shape);
  return typeof dims === 'string' ? dims : { dims, dtype: type as InputDtype };
}

/** Largest rank and dimension an `--input-shape` may have (a typo should not allocate terabytes). */
export const MAX_SHAPE_RANK = 8;
export const MAX_SHAPE_ELEMENTS = 1 << 28;

/** `1,3,224,224` into dimensions; a sentence saying what is wrong otherwise. */
export function parseInputShape(text: string): number[] | string {
  const t = text.trim();
  if (t === '') return 'an input shape is a list of dimensions, e.g. 1,3,224,224';
  const parts = t.split(/\s*,\s*/);
  const dims: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p))
      return p === ''
        ? `"${t}" has an empty dimension (write it as 1,3,224,224)`
        : `"${p}" in "${t}" is not a dimension (whole numbers, e.g. 1,3,224,224)`;
    const n = Number(p);
    if (n < 1) return `dimensions must be at least 1, got ${p} in "${t}"`;
    dims.push(n);
  }
  if (dims.length > MAX_SHAPE_RANK) return `"${t}" has ${dims.length} dimensions; at most ${MAX_SHAPE_RANK}`;
  if (dims.reduce((a, b) => a * b, 1) > MAX_SHAPE_ELEMENTS)
    return `"${t}" is ${dims.reduce((a, b) => a * b, 1)} elements; at most ${MAX_SHAPE_ELEMENTS}`;
  return dims;
}
