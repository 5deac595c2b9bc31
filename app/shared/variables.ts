/**
 * Catalogue of the environment variables the engine and Ampere's scripts read. The UI renders its settings
 * from this list and the checks validate values against it, so the facts live in one place.
 * Explanations are written for this tool from the domain reference, not copied from vendor text.
 */
import { printable } from './quote';
import type { Engine } from './command';

export type VariableKind = 'enum' | 'int' | 'regex' | 'cpus' | 'string';

export type VariableCategory = 'threads' | 'binding' | 'precision' | 'diagnostics' | 'engine' | 'deprecated';

/** Same flat shape as the API contract's VariableInfo, plus labels and bounds the UI can use. */
export interface VariableInfo {
  name: string;
  kind: VariableKind;
  /** Allowed values for `enum`; null for the other kinds. */
  values: string[] | null;
  /** Human labels for the enum values, same order as `values`. */
  options: { value: string; label: string }[] | null;
  /** Smallest allowed value for `int`. */
  min?: number;
  /** Value the engine assumes when the variable is unset; null = no default (feature off / not applicable). */
  default: string | null;
  /** What it does, in plain words. */
  description: string;
  category: VariableCategory;
  /**
   * True when the builder computes it from the settings (CPU selection, thread count, debug level, memory policy),
   * so it is normally not typed in.
   */
  derived: boolean;
  /** Why the name is obsolete, or null. */
  deprecated: string | null;
  /** The name to use instead of an obsolete one. */
  replacement?: string | null;
  /** The stack that reads it (see Engine); absent = 'aio'. */
  engine?: Engine;
  /** True when the reader accepts an enum value in any case (oneDNN lower-cases what it reads). */
  caseInsensitive?: boolean;
  /** Where the facts come from (a public guide or manual), for the help text; absent for the AIO entries. */
  source?: string;
}

type Values = Pick<VariableInfo, 'kind' | 'values' | 'options'> & { min?: number };

function enumOf(...options: [string, string][]): Values {
  return {
    kind: 'enum',
    values: options.map(([v]) => v),
    options: options.map(([value, label]) => ({ value, label })),
  };
}

const BOOL = (off: string, on: string): Values => enumOf(['0', off], ['1', on]);
const INT: Values = { kind: 'int', values: null, options: null, min: 1 };
const REGEX: Values = { kind: 'regex', values: null, options: null };
const CPUS: Values = { kind: 'cpus', values: null, options: null };
const STRING: Values = { kind: 'string', values: null, options: null };

export const VARIABLES: VariableInfo[] = [
  {
    name: 'AIO_NUM_THREADS',
    ...INT,
    default: null,
    description:
      'How many threads the engine runs. Keep it equal to OMP_NUM_THREADS: the Ampere benchmark scripts stop ' +
      'when the two differ, and also when neither is set.',
    category: 'threads',
    derived: true,
    deprecated: null,
  },
  {
    name: 'OMP_NUM_THREADS',
    ...INT,
    default: null,
    description:
      'Thread count read by the OpenMP runtime, which some PyTorch operations outside the engine use. Set it to ' +
      'the same number as AIO_NUM_THREADS.',
    category: 'threads',
    derived: true,
    deprecated: null,
  },
  {
    name: 'AIO_NUMA_CPUS',
    ...CPUS,
    default: null,
    description:
      'Space-separated CPU ids the engine pins its threads to, in order: with N threads it uses the first N ids. ' +
      'When unset the engine takes the first N physical cores of the whole machine, which may not be the cores ' +
      'numactl confines the process to, so the tool writes the selected CPUs here in numactl order.',
    category: 'binding',
    derived: true,
    deprecated: null,
  },
  {
    name: 'AIO_DEBUG_MODE',
    ...enumOf(
      ['0', 'silent'],
      ['1', 'errors'],
      ['2', 'errors, warnings and info'],
      ['3', 'most messages'],
      ['4', 'everything (what support asks for)'],
    ),
    default: '2',
    description:
      'How much the engine prints. Level 4 prints everything and is what Ampere support wants in a bug report; ' +
      'higher levels produce a lot of output and can slow the run down.',
    category: 'diagnostics',
    derived: true,
    deprecated: null,
  },
  {
    name: 'AIO_PROCESS_MODE',
    ...BOOL('engine off (plain PyTorch)', 'engine on'),
    default: '1',
    description:
      'Turns the Ampere engine on or off. Running once with 0 gives the plain-PyTorch baseline to measure the ' +
      "engine's gain against.",
    category: 'engine',
    derived: false,
    deprecated: null,
  },
  {
    name: 'AIO_CPU_BIND',
    ...BOOL('threads float', 'one core per thread'),
    default: '1',
    description:
      'When on, every engine thread pins itself to its own core (taken from AIO_NUMA_CPUS), so threads do not ' +
      'migrate between cores during a run.',
    category: 'binding',
    derived: false,
    deprecated: null,
  },
  {
    name: 'AIO_MEM_BIND',
    ...BOOL('engine leaves memory placement alone', 'engine places memory on node 0'),
    default: '1',
    description:
      'When on, the engine puts its memory on NUMA node 0 — always node 0, whatever cores were chosen. So the ' +
      'tool sets it to 0 whenever numactl applies a memory policy other than a bind to exactly node 0 (memory ' +
      'on other nodes, a preference, an interleave), unless you set it yourself; numactl then places the memory, ' +
      'including the buffers PyTorch allocates itself.',
    category: 'binding',
    derived: true,
    deprecated: null,
  },
  {
    name: 'AIO_IMPLICIT_FP16_TRANSFORM_FILTER',
    ...REGEX,
    default: null,
    description:
      'Regular expression over operation names; matching operations of an FP32 model are converted to FP16 on the ' +
      'fly. ".*" converts everything the engine supports. Faster, with a small accuracy cost.',
    category: 'precision',
    derived: false,
    deprecated: null,
  },
  {
    name: 'AIO_QUANTIZE_INT8_FILTER',
    ...REGEX,
    default: null,
    description:
      'Experimental: regular expression selecting operations to run in INT8 without a quantized model — Linear ' +
      '(FullyConnected), the Matmul family and EmbeddingBag. ".*" takes all of them; if Matmul gets slower, use ' +
      '"FullyConnected". Can be combined with the implicit FP16 filter.',
    category: 'precision',
    derived: false,
    deprecated: null,
  },
  {
    name: 'AIO_QUANTIZE_INT8_CONVERT_OUT_DTYPE',
    ...enumOf(['FP16', 'keep INT8 outputs in FP16']),
    default: null,
    description:
      'Only for an FP16 model (model.half(), AML "-p fp16") with implicit INT8: INT8 operations hand back FP16 ' +
      'instead of FP32, saving conversions back and forth.',
    category: 'precision',
    derived: false,
    deprecated: null,
  },
  {
    name: 'AIO_MERGE_LINEAR',
    ...BOOL('keep Linears separate', 'merge Linears sharing an input'),
    default: '1',
    description:
      'Fuses Linear layers that read the same input (such as attention q/k/v) into one. This costs extra memory; ' +
      'turn it off when a large language model runs out of memory.',
    category: 'engine',
    derived: false,
    deprecated: null,
  },
  {
    name: 'AIO_SKIP_MASTER_THREAD',
    ...enumOf(['1', 'set']),
    default: null,
    description:
      "Ampere's multi-process benchmark scripts set this to 1 for every process. Its exact effect is not " +
      'documented publicly.',
    category: 'engine',
    derived: false,
    deprecated: null,
  },
  {
    name: 'AIO_PROFILER',
    ...enumOf(['1', 'print profile']),
    default: null,
    description:
      "With 1, the Ampere Model Library prints the engine's per-operation profile when the run ends.",
    category: 'diagnostics',
    derived: false,
    deprecated: null,
  },
  {
    name: 'AIO_QUANTIZE_INT8',
    ...enumOf(['ALL', 'all supported operations']),
    default: null,
    description:
      'Old switch for implicit INT8. Newer engines read AIO_QUANTIZE_INT8_FILTER instead (ALL = ".*").',
    category: 'deprecated',
    derived: false,
    deprecated: 'AIO_QUANTIZE_INT8=ALL became AIO_QUANTIZE_INT8_FILTER=.*',
    replacement: 'AIO_QUANTIZE_INT8_FILTER',
  },
  ...(
    [
      ['DLS_NUM_THREADS', 'AIO_NUM_THREADS'],
      ['DLS_NUMA_CPUS', 'AIO_NUMA_CPUS'],
      ['DLS_CPU_BIND', 'AIO_CPU_BIND'],
      ['DLS_MEM_BIND', 'AIO_MEM_BIND'],
      ['DLS_DEBUG_MODE', 'AIO_DEBUG_MODE'],
      ['DLS_PROCESS_MODE', 'AIO_PROCESS_MODE'],
    ] as const
  ).map(([name, replacement]): VariableInfo => ({
    name,
    ...REGEX,
    default: null,
    description: `Name from before the engine was renamed to AIO; only old images read it. Use ${replacement}.`,
    category: 'deprecated',
    derived: false,
    deprecated: `${name} is the pre-rename name of ${replacement}`,
    replacement,
  })),
];

/** AWS's guide for PyTorch on Graviton: the runtime settings the oneDNN catalogue follows. */
const AWS_GUIDE =
  'AWS Graviton getting-started guide, machinelearning/pytorch.md (github.com/aws/aws-graviton-getting-started)';
const ONEDNN_GUIDE =
  'oneDNN developer guide, "Run-Time Controls" and "Floating-point Math Mode" (uxlfoundation.github.io/oneDNN)';
const GNU_OMP = 'OpenMP 5 specification, environment variables (OMP_NUM_THREADS, OMP_PROC_BIND, OMP_PLACES)';

/**
 * The variables of stock PyTorch with oneDNN (and, on Arm, the Arm Compute Library behind it): what `--engine
 * onednn` tunes instead of the AIO_* set. Values and recommendations follow the sources named in each entry.
 */
export const ONEDNN_VARIABLES: VariableInfo[] = [
  {
    name: 'OMP_NUM_THREADS',
    ...INT,
    default: null,
    description:
      "Thread count of PyTorch's OpenMP pool, which runs oneDNN's kernels. The tool sets it to one thread per " +
      'selected CPU (or the pinned thread count); unset, PyTorch starts one thread per core of the machine, ' +
      'which oversubscribes when several processes share it.',
    category: 'threads',
    derived: true,
    deprecated: null,
    engine: 'onednn',
    source: AWS_GUIDE,
  },
  {
    name: 'OMP_PLACES',
    ...STRING,
    default: null,
    description:
      'Where OpenMP may put its threads: "cores", "threads", "sockets" or an explicit list such as ' +
      '"{4},{5},{6}". With CPUs selected the tool lists them in order, one place per CPU, so thread i runs on ' +
      "the i-th selected CPU (the stack's counterpart of AIO_NUMA_CPUS); AWS's whole-machine recipe uses " +
      '"cores".',
    category: 'binding',
    derived: true,
    deprecated: null,
    engine: 'onednn',
    source: `${GNU_OMP}; ${AWS_GUIDE}`,
  },
  {
    name: 'OMP_PROC_BIND',
    ...enumOf(
      ['false', 'threads float'],
      ['true', 'threads stay on their place'],
      ['close', 'threads on neighbouring places'],
      ['spread', 'threads spread over the places'],
      ['primary', 'threads on the main thread’s place'],
    ),
    caseInsensitive: true,
    default: 'false',
    description:
      'Whether OpenMP pins its threads to the places of OMP_PLACES. With CPUs selected the tool sets "close" ' +
      '(one thread per listed CPU, as AIO_CPU_BIND does for the AIO engine); AWS recommends "false" for an ' +
      'unbound process that owns the whole machine.',
    category: 'binding',
    derived: true,
    deprecated: null,
    engine: 'onednn',
    source: `${GNU_OMP}; ${AWS_GUIDE}`,
  },
  {
    name: 'DNNL_DEFAULT_FPMATH_MODE',
    ...enumOf(
      ['STRICT', 'FP32 only (default)'],
      ['BF16', 'FP32 maths may run in bfloat16'],
      ['F16', 'FP32 maths may run in float16'],
      ['TF32', 'FP32 maths may run in tf32'],
      ['ANY', 'any faster down-conversion'],
    ),
    caseInsensitive: true,
    default: 'STRICT',
    description:
      "Lets oneDNN run FP32 operations with lower-precision maths. BF16 picks the bfloat16 'fast math' " +
      'kernels of Graviton3 and later, which AWS recommends when /proc/cpuinfo lists bf16; on a CPU without ' +
      'bf16 it changes nothing, so the tool offers BF16 and ANY only there. ONEDNN_DEFAULT_FPMATH_MODE is the ' +
      'newer spelling of the same setting.',
    category: 'precision',
    derived: false,
    deprecated: null,
    engine: 'onednn',
    source: `${AWS_GUIDE}; ${ONEDNN_GUIDE}`,
  },
  {
    name: 'LRU_CACHE_CAPACITY',
    ...INT,
    min: 0,
    default: null,
    description:
      "Size of PyTorch's cache of created oneDNN primitives, so a repeated shape does not pay the creation cost " +
      'again. AWS recommends 1024; the cache costs memory, so lower it when memory is tight (0 turns it off).',
    category: 'engine',
    derived: false,
    deprecated: null,
    engine: 'onednn',
    source: AWS_GUIDE,
  },
  {
    name: 'THP_MEM_ALLOC_ENABLE',
    ...BOOL('normal pages', 'transparent huge pages for large tensors'),
    default: '0',
    description:
      "With 1, PyTorch's CPU allocator asks for transparent huge pages for large tensors, which cuts allocation " +
      'time for batched inference. It needs the kernel\'s THP mode to be "madvise" or "always", not "never".',
    category: 'engine',
    derived: false,
    deprecated: null,
    engine: 'onednn',
    source: AWS_GUIDE,
  },
  {
    name: 'TORCH_MKLDNN_MATMUL_MIN_DIM',
    ...INT,
    min: 0,
    default: null,
    description:
      'Smallest matrix dimension for which PyTorch sends matmul to oneDNN; smaller ones go to OpenBLAS. AWS ' +
      'suggests 1024 for models with few input tokens, where oneDNN setup costs more than it saves.',
    category: 'engine',
    derived: false,
    deprecated: null,
    engine: 'onednn',
    source: AWS_GUIDE,
  },
  ...(['ONEDNN_VERBOSE', 'DNNL_VERBOSE'] as const).map((name): VariableInfo => ({
    name,
    ...STRING,
    default: null,
    description:
      (name === 'DNNL_VERBOSE'
        ? 'Older spelling of ONEDNN_VERBOSE, still read. '
        : 'Makes oneDNN print a line per primitive it creates or runs. ') +
      'With 1 (or "profile_exec") it shows which kernel ran each operation (ACL gemm or the slow reference one), 2 ' +
      'adds creation; the printing slows the run, so measure without it.',
    category: 'diagnostics',
    derived: false,
    deprecated: null,
    engine: 'onednn',
    source: `${AWS_GUIDE}; ${ONEDNN_GUIDE}`,
  })),
];

/** Whether the CPU flags include bfloat16 arithmetic: "bf16" on Arm, avx512_bf16 / amx_bf16 on x86. */
export function hasBf16(flags: readonly string[]): boolean {
  return flags.some((f) => f === 'bf16' || f === 'avx512_bf16' || f === 'amx_bf16');
}

/** Enum values that only help with bfloat16 hardware (see DNNL_DEFAULT_FPMATH_MODE). */
export const BF16_ONLY_FPMATH = ['BF16', 'ANY'];

/**
 * The catalogue as a form offers it on a machine: BF16 and ANY leave DNNL_DEFAULT_FPMATH_MODE's choices when the
 * machine's CPU flags are known and lack bf16 (unknown flags offer everything; the checks cannot tell either).
 */
export function offeredVariables(
  engine: Engine | undefined,
  cpuFlags: readonly string[] | null,
): VariableInfo[] {
  const list = catalogue(engine);
  if (cpuFlags === null || hasBf16(cpuFlags)) return list;
  return list.map((v) => {
    if (v.name !== 'DNNL_DEFAULT_FPMATH_MODE' || !v.options) return v;
    const options = v.options.filter((o) => !BF16_ONLY_FPMATH.includes(o.value));
    return { ...v, options, values: options.map((o) => o.value) };
  });
}

const BY_NAME = new Map(VARIABLES.map((v) => [v.name, v]));
const ONEDNN_BY_NAME = new Map(ONEDNN_VARIABLES.map((v) => [v.name, v]));

/** The catalogue of one engine's variables (absent engine = aio). */
export function catalogue(engine: Engine | undefined): VariableInfo[] {
  return engine === 'onednn' ? ONEDNN_VARIABLES : VARIABLES;
}

/** The entry for a name: the engine's own first, then the other catalogue (a value is checked wherever set). */
export function variableInfo(name: string, engine?: Engine): VariableInfo | undefined {
  return engine === 'onednn'
    ? (ONEDNN_BY_NAME.get(name) ?? BY_NAME.get(name))
    : (BY_NAME.get(name) ?? ONEDNN_BY_NAME.get(name));
}

/** The current name for an obsolete one: any DLS_X maps to AIO_X, even ones not listed in the catalogue. */
export function replacementFor(name: string): string | null {
  const known = BY_NAME.get(name);
  if (known?.replacement) return known.replacement;
  if (name.startsWith('DLS_') && name.length > 4) return `AIO_${name.slice(4)}`;
  return null;
}

/** Why `value` is not allowed for the variable, or null when it is (or the variable is not catalogued). */
export function valueProblem(name: string, value: string, engine?: Engine): string | null {
  const info = variableInfo(name, engine);
  if (!info) return null;
  const shown = printable(value);
  switch (info.kind) {
    case 'enum': {
      const allowed = info.values ?? [];
      const ok = info.caseInsensitive
        ? allowed.some((a) => a.toLowerCase() === value.toLowerCase())
        : allowed.includes(value);
      return ok ? null : `${name} must be ${allowed.map((v) => `"${v}"`).join(' or ')}, not "${shown}"`;
    }
    case 'int': {
      const min = info.min ?? 0;
      return /^\d+$/.test(value) && Number(value) >= min
        ? null
        : `${name} must be a whole number of at least ${min}, not "${shown}"`;
    }
    case 'cpus':
      return /^\s*\d+(\s+\d+)*\s*$/.test(value)
        ? null
        : `${name} must be CPU ids separated by spaces (like "0 1 2 3"), not "${shown}"`;
    case 'string':
      return null;
    case 'regex':
      if (info.deprecated !== null) return null;
      try {
        new RegExp(value);
        return null;
      } catch {
        // JS and the engine's regex dialects differ in corners; only plainly broken patterns are flagged.
        return `${name} is not a valid regular expression: "${shown}"`;
      }
  }
}
