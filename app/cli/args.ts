/**
 * Flags shared by `command`, `run`, `bundle` and `sweep`: where the topology comes from, which CPUs, and the
 * run settings. Flag names are a public contract (scripts use them): add, never rename.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Topology } from '../shared/topology';
import type { MemPolicy, RunSettings } from '../shared/command';
import { defaultSettings, ENGINES, type Engine } from '../shared/command';
import { parseCpuList, plainDigits } from '../shared/cpulist';
import { printable } from '../shared/printable';
import { expandSelection } from '../shared/selection';
import { firstPhysicalCores, coresOnNode, coresOfType, findCoreType, spread, wholeNode } from '../command';

/** A usage error: printed as one line, exit code 2 (control characters a user typed are shown escaped). */
export class UsageError extends Error {
  constructor(message: string) {
    super(printable(message));
    this.name = 'UsageError';
  }
}

export const sourceOptions = {
  sysroot: { type: 'string' },
  from: { type: 'string' },
  /** ssh://user@host[:port], docker://container, ssh://user@host/docker/container (app/remote/url.ts). */
  target: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const settingsOptions = {
  cores: { type: 'string' },
  first: { type: 'string' },
  node: { type: 'string' },
  count: { type: 'string' },
  spread: { type: 'string' },
  'core-type': { type: 'string' },
  threads: { type: 'string' },
  mem: { type: 'string' },
  'mem-nodes': { type: 'string' },
  debug: { type: 'string' },
  set: { type: 'string', multiple: true },
  unset: { type: 'string', multiple: true },
  cwd: { type: 'string' },
  /** aio|onednn: which stack's variables the run sets (not a saved --profile). */
  engine: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(parseErrorText(e as Error & { code?: string }));
  }
}

/** Node's parseArgs messages name the symptom ("argument is ambiguous"); say what to do instead, in one line. */
function parseErrorText(e: Error & { code?: string }): string {
  const first = e.message.split('\n')[0]!.replace(/^TypeError \[[A-Z_]+\]: /, '');
  let m: RegExpExecArray | null;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if ((m = /^Option '(-[^ ']+)(?: <value>)?' argument (?:is ambiguous|missing)/.exec(first)))
      return `${m[1]} needs a value (for a value that starts with "-", write ${m[1]}=VALUE)`;
    if ((m = /^Option '(-[^ ']+)' does not take an argument/.exec(first)))
      return `${m[1]} is a switch and takes no value`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && (m = /^Unknown option '([^']+)'/.exec(first)))
    return `unknown option ${m[1]} (the workload and its arguments go after --)`;
  return first;
}

export function intFlag(
  name: string,
  v: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${name} expects a whole number, got "${v}"`);
  const n = Number(v);
  // The typed digits, not n: past 2^53 a Number prints rounded (1e+20).
  if (n < min || n > max)
    throw new UsageError(`--${name} must be between ${min} and ${max}, got ${plainDigits(v.trim())}`);
  return n;
}

type SettingsValues = {
  [K in keyof typeof settingsOptions]?: (typeof settingsOptions)[K] extends { multiple: true }
    ? string[]
    : string;
};

/**
 * Turn the shared flags + the workload after `--` into RunSettings, validated against the topology. `base`
 * (a saved profile or an imported command line) is the starting point: every flag given overrides its part.
 */
export function settingsFromFlags(
  v: SettingsValues,
  workload: string[],
  t: Topology,
  base: RunSettings = defaultSettings(),
): RunSettings {
  const s: RunSettings = {
    ...base,
    cpus: [...base.cpus],
    memNodes: base.memNodes && [...base.memNodes],
    env: { ...base.env },
    workload: [...base.workload],
  };
  if (workload.length) s.workload = workload;
  const selectors = (['cores', 'first', 'node', 'spread', 'core-type'] as const).filter(
    (k) => v[k] !== undefined,
  );
  if (selectors.length > 1)
    throw new UsageError(
      `choose one of --cores, --first, --node, --spread, --core-type (got ${selectors.map((k) => '--' + k).join(' and ')})`,
    );
  if (v.count !== undefined && v.node === undefined && v['core-type'] === undefined)
    throw new UsageError('--count goes with --node K or --core-type NAME');

  const nodeIds = t.nodes.map((n) => n.id);
  const checkNode = (k: number) => {
    if (!nodeIds.includes(k))
      throw new UsageError(
        `NUMA node ${k} does not exist on this machine (nodes: ${nodeIds.join(', ') || 'none'})`,
      );
  };
  // The presets return what exists; asking for more must not quietly run on fewer cores than the user typed.
  const atLeast = (flag: string, want: number, got: number[], where: string): number[] => {
    if (got.length === 0) throw new UsageError(`${flag}: ${where} has no usable cores`);
    if (got.length < want)
      throw new UsageError(
        `${flag} ${want}: ${where} has only ${got.length} usable ${got.length === 1 ? 'core' : 'cores'}`,
      );
    return got;
  };
  // A new selection replaces the expression a profile was saved with.
  if (selectors.length > 0) delete s.cpuExpr;
  if (v.cores !== undefined) {
    // The same evaluation as the UI's CPU list field (a list, a likwid-pin or an hwloc-calc expression), so both
    // accept and refuse the same text.
    const r = expandSelection(v.cores, t);
    const bad = r.errors.find((e) => !/unavailable|offline|isolated|not allowed/i.test(e.message));
    if (bad) throw new UsageError(`--cores: ${bad.message}`);
    if (r.cpus.length === 0) throw new UsageError('--cores: the list is empty');
    // Unavailable CPUs are kept so that `--check` can report cpus-unavailable with its fix; repeats are kept
    // (the command binds each CPU once) so that cpus-duplicate reports them.
    s.cpus = [...r.cpus, ...r.repeated];
    if (r.form !== 'list') s.cpuExpr = v.cores;
  } else if (v.first !== undefined) {
    const n = intFlag('first', v.first, 1)!;
    s.cpus = atLeast('--first', n, firstPhysicalCores(t, n), 'this machine');
  } else if (v.node !== undefined) {
    const k = intFlag('node', v.node, 0)!;
    checkNode(k);
    const count = intFlag('count', v.count, 1);
    s.cpus =
      count === undefined
        ? atLeast(`--node ${k}`, 0, wholeNode(t, k), `node ${k}`)
        : atLeast('--count', count, coresOnNode(t, k, count), `node ${k}`);
  } else if (v['core-type'] !== undefined) {
    const found = findCoreType(t, v['core-type']);
    if ('error' in found) throw new UsageError(`--core-type: ${found.error}`);
    const name = found.type.name;
    const count = intFlag('count', v.count, 1);
    const where = `core type ${name}`;
    s.cpus =
      count === undefined
        ? atLeast(`--core-type ${name}`, 0, coresOfType(t, name), where)
        : atLeast('--count', count, coresOfType(t, name, count), where);
  } else if (v.spread !== undefined) {
    const n = intFlag('spread', v.spread, 1)!;
    s.cpus = atLeast('--spread', n, spread(t, n), 'this machine');
  }
  if (v.threads !== undefined) s.threads = intFlag('threads', v.threads, 1)!;
  if (v.mem !== undefined) {
    const ok: MemPolicy[] = ['bind', 'preferred', 'interleave', 'local', 'none'];
    if (!ok.includes(v.mem as MemPolicy))
      throw new UsageError(`--mem must be one of ${ok.join('|')}, got "${v.mem}"`);
    s.memPolicy = v.mem as MemPolicy;
    if (s.memPolicy === 'none' || s.memPolicy === 'local') s.memNodes = null;
  }
  if (v['mem-nodes'] !== undefined) {
    if (s.memPolicy === 'none' || s.memPolicy === 'local')
      throw new UsageError(
        `--mem-nodes has no effect with --mem ${s.memPolicy}${v.mem === undefined ? ' (from --profile or --import)' : ''}: ` +
          'use --mem bind, preferred or interleave',
      );
    try {
      s.memNodes = parseCpuList(v['mem-nodes']);
    } catch (e) {
      throw new UsageError(`--mem-nodes: ${(e as Error).message}`);
    }
    if (s.memNodes.length === 0) throw new UsageError('--mem-nodes: the list is empty');
    for (const k of s.memNodes) checkNode(k);
  }
  if (v.debug !== undefined) s.debugMode = intFlag('debug', v.debug, 0, 4)!;
  for (const pair of v.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects NAME=VALUE, got "${pair}"`);
    const name = pair.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UsageError(`--set: "${name}" is not a valid variable name`);
    s.env[name] = pair.slice(eq + 1);
  }
  for (const name of v.unset ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UsageError(`--unset: "${name}" is not a valid variable name`);
    s.env[name] = null;
  }
  if (v.cwd !== undefined) s.cwd = v.cwd;
  if (v.engine !== undefined) {
    const engine = engineFlag(v.engine);
    if (engine === 'aio') delete s.engine;
    else s.engine = engine;
  }
  return s;
}

/** `--engine NAME` checked against the known engines; anything else is a usage error naming them. */
export function engineFlag(v: string): Engine {
  if ((ENGINES as readonly string[]).includes(v)) return v as Engine;
  throw new UsageError(
    `--engine must be one of ${ENGINES.join('|')}, got "${v}" (aio: Ampere's engine and its AIO_* variables; ` +
      'onednn: stock PyTorch with oneDNN, OMP_* and oneDNN variables)',
  );
}
