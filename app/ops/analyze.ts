/**
 * Ask an interpreter for a TorchScript model's ops (app/ops/graphscript.ts) and turn its answer into the report.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { InputDtype, OpsReport } from '../shared/ops';
import { runTool } from '../util/tool';
import { buildReport, type GraphNodeCount } from './coverage';
import { GRAPH_MARK, GRAPH_SCRIPT } from './graphscript';
import { aioOpTable } from './table';

/** Passes before the profiled ones: the engine compiles on the first two, and caches warm up. */
export const OPS_WARMUP = 3;
/** Profiled passes, averaged: few, so a large model still answers in reasonable time. */
export const OPS_PASSES = 5;
export const OPS_TIMEOUT_MS = 300_000;

/**
 * Why no report: `python` the interpreter could not answer (not found, no torch, crashed); `model` the file
 * cannot be loaded as TorchScript; `input` the shapes cannot be made into tensors; `run` the model failed on them.
 */
export class OpsError extends Error {
  constructor(
    message: string,
    readonly code: 'python' | 'model' | 'input' | 'run',
  ) {
    super(message);
    this.name = 'OpsError';
  }
}

export interface AnalyzeOptions {
  model: string;
  python: string;
  /** Input shapes: the model is profiled on random tensors of these shapes; none = graph only. */
  inputShapes?: number[][];
  /** Each input's element type, in the same order (float32 when absent). */
  inputDtypes?: InputDtype[];
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

interface GraphAnswer {
  python?: string;
  torch?: string;
  engine?: boolean;
  frozen?: boolean;
  notes?: string[];
  error?: 'torch' | 'load' | 'input' | 'run';
  message?: string;
  nodes?: GraphNodeCount[];
  profile?: {
    inputShapes: number[][];
    inputDtypes: InputDtype[];
    warmup: number;
    passes: number;
    passMs: number;
  };
}

export async function analyzeModel(opts: AnalyzeOptions): Promise<OpsReport> {
  const model = resolve(opts.model);
  const st = await stat(model).catch((e: NodeJS.ErrnoException) => {
    throw new OpsError(
      `cannot load ${opts.model}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      'model',
    );
  });
  if (!st.isFile()) throw new OpsError(`cannot load ${opts.model}: not a file`, 'model');
  const shapes = opts.inputShapes ?? [];
  const dtypes = shapes.map((_, i) => opts.inputDtypes?.[i] ?? 'float32');
  const request = { model, shapes, dtypes, warmup: OPS_WARMUP, passes: OPS_PASSES };
  const timeoutMs = opts.timeoutMs ?? OPS_TIMEOUT_MS;
  // Times are the ops' cost in plain PyTorch (AIO_PROCESS_MODE=0): what the engine would take over, measured
  // before it does; with it on, its fused nodes would hide which ops they replaced. Level 0 keeps stdout short.
  const env = { ...(opts.env ?? process.env), AIO_PROCESS_MODE: '0', AIO_DEBUG_MODE: '0' };
  const r = await runTool(opts.python, ['-c', GRAPH_SCRIPT, JSON.stringify(request)], { env, timeoutMs });
  const line = r.stdout.split('\n').find((l) => l.startsWith(GRAPH_MARK));
  let a: GraphAnswer | null;
  try {
    a = line ? (JSON.parse(line.slice(GRAPH_MARK.length)) as GraphAnswer) : null;
  } catch {
    a = null;
  }
  if (a === null) {
    const why = r.spawnError
      ? r.spawnError.code === 'ENOENT'
        ? 'was not found'
        : `could not be started: ${r.spawnError.message}`
      : r.timedOut
        ? `did not answer within ${Math.round(timeoutMs / 1000)} s`
        : `${r.signal ? `was ended by ${r.signal}` : `exited with code ${r.exitCode}`} before answering` +
          tail(r.stderr);
    throw new OpsError(`${opts.python} ${why}`, 'python');
  }
  switch (a.error) {
    case 'torch':
      throw new OpsError(`${opts.python} ${a.message ?? 'cannot import torch'}`, 'python');
    case 'load':
      throw new OpsError(
        `cannot load ${opts.model} as TorchScript: ${a.message ?? 'unknown error'}`,
        'model',
      );
    case 'input':
      throw new OpsError(
        `cannot make inputs of shapes ${shapesText(shapes, dtypes)}: ${a.message ?? ''}`,
        'input',
      );
    case 'run':
      throw new OpsError(
        `${opts.model} failed on inputs of shapes ${shapesText(shapes, dtypes)}: ${a.message ?? 'unknown error'}`,
        'run',
      );
  }
  return buildReport(a.nodes ?? [], aioOpTable(), {
    model,
    python: a.python ?? opts.python,
    torch: a.torch ?? 'unknown',
    engine: a.engine === true,
    frozen: a.frozen === true,
    ...(a.profile ? { profile: { ...a.profile, opsMs: 0 } } : {}),
    notes: a.notes ?? [],
  });
}

export function shapesText(shapes: readonly number[][], dtypes: readonly InputDtype[] = []): string {
  return shapes
    .map((s, i) => s.join(',') + (dtypes[i] && dtypes[i] !== 'float32' ? `:${dtypes[i]}` : ''))
    .join(' and ');
}

function tail(stderr: string): string {
  const t = stderr.trimEnd().split('\n').slice(-3).join('\n').trim();
  return t ? `: ${t}` : '';
}
