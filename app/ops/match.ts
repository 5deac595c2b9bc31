/**
 * Which op table row a graph's op kind is. The graph names ops as PyTorch's dispatcher does (`aten::conv2d`,
 * `aten::relu_`, `aten::split_with_sizes`); the guide names them as layers (`Conv2d`, `Relu`, `Split with
 * sizes`). README "Op coverage" states these rules; change both together.
 */
import type { OpRow } from './table';

/**
 * PyTorch's own aliases of a table op (the same kernel under another name), and the transposed convolutions,
 * which the guide calls Deconv. Keys and values are names after the namespace and `_`s are stripped.
 */
const ALIASES: Record<string, string> = {
  true_divide: 'div',
  divide: 'div',
  multiply: 'mul',
  subtract: 'sub',
  swapaxes: 'transpose',
  swapdims: 'transpose',
  conv_transpose2d: 'deconv2d',
  conv_transpose3d: 'deconv3d',
};

/**
 * Generic convolutions (`aten::_convolution`, `aten::convolution`: what tracing records on many PyTorch
 * versions) are Conv1d/2d/3d or Deconv2d/3d by their weight's rank and `transposed` flag, which the graph
 * helper reports as the node's variant.
 */
const CONVOLUTION_VARIANTS: Record<string, string> = {
  '1d': 'conv1d',
  '2d': 'conv2d',
  '3d': 'conv3d',
  'transposed 2d': 'deconv2d',
  'transposed 3d': 'deconv3d',
};

/** The op name without its namespace (`aten::`), in-place suffix or leading underscores: `_convolution` → `convolution`. */
export function bareName(kind: string): string {
  const name = kind.includes('::') ? kind.slice(kind.lastIndexOf('::') + 2) : kind;
  return name.replace(/^_+|_+$/g, '');
}

/** Spelling-free key: case, underscores and spaces ignored (`Split with sizes`, `split_with_sizes`, `Zeros_like`). */
export function opKey(name: string): string {
  return name.toLowerCase().replace(/[_\s]+/g, '');
}

/**
 * Graph nodes that compute nothing the engine could take over: the `prim::` namespace (constants, lists,
 * tuples, control flow, attribute reads) and scalar conversions (`aten::Int`, `aten::ScalarImplicit`: the
 * dispatcher's capitalised names). They are listed apart and left out of coverage.
 */
export function isStructural(kind: string): boolean {
  if (kind.startsWith('prim::')) return true;
  const name = kind.slice(kind.lastIndexOf('::') + 2);
  return kind.includes('::') && /^[A-Z]/.test(name);
}

export class OpMatcher {
  private readonly rows = new Map<string, OpRow>();

  constructor(table: readonly OpRow[]) {
    for (const row of table) if (!this.rows.has(opKey(row.name))) this.rows.set(opKey(row.name), row);
  }

  /** The row for a graph kind (and its variant, for generic convolutions), or null when the table has none. */
  match(kind: string, variant?: string): OpRow | null {
    let name = bareName(kind).toLowerCase();
    if (name === 'convolution') {
      const specific = variant !== undefined ? CONVOLUTION_VARIANTS[variant] : undefined;
      if (specific === undefined) return null;
      name = specific;
    }
    name = ALIASES[name] ?? name;
    return this.rows.get(opKey(name)) ?? null;
  }
}
