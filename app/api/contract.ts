/**
 * The one API contract between the UI and the engine.
 * The same definitions serve the Electron IPC bridge (preload) and the browser-mode WebSocket, so the renderer
 * cannot tell which one it talks to. Params are validated here with zod on the engine side: anything crossing
 * the boundary is untrusted (a browser tab can send anything).
 */
import { z } from 'zod';
import { segmentProblem } from '../util/pathsegment';
import type { Topology } from '../topology/types';
import type { BuiltCommand, RunSettings, Check } from '../command/types';
import { RunSettingsSchema } from '../command/schema';
import type { VariableInfo } from '../command/variables';
import { SweepSpecSchema } from '../sweep/schema';
import type { SweepProgress, SweepRecord, SweepPoint } from '../sweep/types';
import type { ExportFile, HistoryDetail, HistoryList, RunComparison } from '../history/types';
import type { TargetCheck, TargetList } from '../remote/types';
import type { CpuLoadSummary } from '../run/loadtally';

export type { CpuLoadSummary };

/** An id that names a file or folder (run, sweep, log view): exactly one safe path segment. */
const SegmentId = z.string().superRefine((v, ctx) => {
  const problem = segmentProblem(v);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `not a valid id: ${problem}` });
});

export type Level = 'error' | 'warning' | 'info' | 'debug' | 'trace';
export const LEVELS: Level[] = ['error', 'warning', 'info', 'debug', 'trace'];

export interface LogLine {
  /** 1-based line number in the log. */
  n: number;
  stream: 'stdout' | 'stderr' | null;
  /** ms since the run started; null for imported logs without times. */
  t: number | null;
  text: string;
  level: Level;
  truncated?: boolean;
}

export interface ResultSummary {
  latencyMs: {
    mean: number | null;
    median: number | null;
    p90: number | null;
    p99: number | null;
    'p99.9': number | null;
  } | null;
  throughput: { value: number; unit: string } | null;
  passes?: number | null;
  warmups?: number | null;
}

export interface RunOutcome {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  peakRssBytes: number | null;
  logFile: string;
  lines: number;
  startError?: string;
  /** Stopped because the run's time limit passed. */
  timedOut?: boolean;
  /** Stopped on request (Stop button, Ctrl-C, app quit). */
  stopped?: boolean;
  results: ResultSummary | null;
  /** Remote runs: the connection to the target was lost before the end was reported (the log so far is kept). */
  connectionLost?: string;
  /** The log could not be written (disk full…): the workload was stopped; the log holds what fit. */
  logError?: string;
  /**
   * Where the run's load went: every CPU of the target, its mean (time-weighted) and peak busy fraction while the
   * run went, closing with a sample taken at exit so even a short run is seen. Null when no sample was taken
   * (absent on runs saved before it existed).
   */
  cpuLoad?: CpuLoadSummary[] | null;
}

export interface RunInfo {
  runId: string;
  logId: string;
  logFile: string;
  startedAt: string;
  argv: string[];
  env: Record<string, string>;
  settings: RunSettings;
  checks: Check[];
  state: 'running' | 'exited';
  outcome: RunOutcome | null;
  target?: string;
  /** Where a run on this machine really ran (settings.cwd, else the engine's own directory then). */
  cwd?: string;
}

export interface SystemInfo {
  version: string;
  platform: string;
  /** 'electron' or 'browser': informative only, the UI must not branch on it for features. */
  shell: 'electron' | 'browser';
  numactl: { available: boolean; path: string | null; version: string | null };
  dataDir: string;
  cwd: string;
  exampleWorkload: string[];
  /** Which interpreter the example workload runs with and why, or why none can run it (no PyTorch found). */
  exampleNote: string;
  /** The example's interpreter; null when none with PyTorch was found. */
  examplePython: string | null;
  topologyOrigin: string;
  /** Where runs go: "local" or a target URL (app/remote/url.ts). */
  target?: string;
}

export interface LogQueryResult {
  logId: string;
  /** Lines in the whole log. */
  totalLines: number;
  /** Lines matching the filter (== totalLines without filter). */
  matched: number;
  from: number;
  lines: LogLine[];
  counts: Record<Level, number>;
  /** True while the run writing the log is still going. */
  growing: boolean;
}

const logFilter = z
  .object({
    levels: z.array(z.enum(['error', 'warning', 'info', 'debug', 'trace'])).optional(),
    regex: z.string().max(1000).optional(),
    caseSensitive: z.boolean().optional(),
  })
  .strict();

/** Method name → params schema. Result types are in `ApiResults`. */
export const ApiParams = {
  'system.info': z.object({}).strict(),
  'topology.get': z.object({}).strict(),
  'topology.load': z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('host') }).strict(),
    z.object({ kind: z.literal('sysroot'), path: z.string().min(1).max(4096) }).strict(),
    z
      .object({
        kind: z.literal('text'),
        text: z
          .string()
          .min(1)
          .max(16 * 1024 * 1024),
        name: z.string().max(256).optional(),
      })
      .strict(),
  ]),
  'command.build': z
    .object({ settings: RunSettingsSchema, container: z.string().max(256).optional() })
    .strict(),
  'command.parse': z.object({ text: z.string().max(1024 * 1024) }).strict(),
  'command.variables': z.object({}).strict(),
  'cpus.validate': z.object({ text: z.string().max(100000) }).strict(),
  'cpus.preset': z
    .object({
      preset: z.enum(['first', 'node-count', 'node', 'spread', 'all', 'clear']),
      count: z.number().int().min(1).max(65536).optional(),
      node: z.number().int().min(0).max(65535).optional(),
    })
    .strict(),
  // The form being edited, kept engine-side (app/api/draft.ts) so a reload or restart finds it as left.
  'draft.get': z
    .object({
      /** This tab showed the form before (a reload): it gets the saved form back. */
      reload: z.boolean().optional(),
    })
    .strict(),
  'draft.set': z.object({ settings: RunSettingsSchema }).strict(),
  'profiles.list': z.object({}).strict(),
  'profiles.save': z.object({ name: z.string().min(1).max(200), settings: RunSettingsSchema }).strict(),
  'profiles.load': z.object({ name: z.string().min(1).max(200) }).strict(),
  'profiles.delete': z.object({ name: z.string().min(1).max(200) }).strict(),
  'profiles.export': z.object({ name: z.string().min(1).max(200) }).strict(),
  'profiles.import': z
    .object({
      json: z
        .string()
        .min(1)
        .max(1024 * 1024),
    })
    .strict(),
  'run.start': z
    .object({
      settings: RunSettingsSchema,
      timeoutS: z
        .number()
        .positive()
        .max(7 * 86400)
        .optional(),
      /** The target the UI believes is active; refused when another one is (another window switched it). */
      target: z.string().max(4096).optional(),
    })
    .strict(),
  'run.stop': z.object({ runId: SegmentId }).strict(),
  'run.list': z.object({}).strict(),
  'log.open': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'log.openText': z.object({ name: z.string().max(256), text: z.string().max(256 * 1024 * 1024) }).strict(),
  'log.query': z
    .object({
      logId: z.string().min(1).max(100),
      from: z.number().int().min(0),
      count: z.number().int().min(0).max(5000),
      filter: logFilter.optional(),
    })
    .strict(),
  'log.search': z
    .object({
      logId: z.string().min(1).max(100),
      regex: z.string().min(1).max(1000),
      caseSensitive: z.boolean().optional(),
      /** Index in the filtered view to search from (exclusive). */
      fromIndex: z.number().int().min(-1),
      direction: z.enum(['next', 'prev']),
      filter: logFilter.optional(),
    })
    .strict(),
  'log.line': z.object({ logId: z.string().min(1).max(100), n: z.number().int().min(1) }).strict(),
  'log.save': z.object({ logId: z.string().min(1).max(100), path: z.string().min(1).max(4096) }).strict(),
  'load.watch': z.object({ on: z.boolean() }).strict(),
  'bundle.create': z
    .object({
      settings: RunSettingsSchema.optional(),
      fromRunId: SegmentId.optional(),
      redact: z.array(z.string().max(200)).max(100).optional(),
      out: z.string().max(4096).optional(),
    })
    .strict(),
  'bundle.preview': z
    .object({
      /** The settings a new level-4 run would use; ignored with fromRunId. */
      settings: RunSettingsSchema.optional(),
      /** Preview the bundle of this finished run instead: its own command, environment and level. */
      fromRunId: SegmentId.optional(),
      redact: z.array(z.string().max(200)).max(100).optional(),
    })
    .strict()
    .refine((p) => p.settings !== undefined || p.fromRunId !== undefined, {
      message: 'bundle.preview needs the settings to run or a finished run (fromRunId)',
    }),
  // Sweeps and history (app/sweep, app/history).
  'sweep.plan': z.object({ spec: SweepSpecSchema }).strict(),
  'sweep.start': z.object({ spec: SweepSpecSchema }).strict(),
  'sweep.cancel': z.object({ sweepId: SegmentId }).strict(),
  'sweep.get': z.object({ sweepId: SegmentId }).strict(),
  'history.list': z
    .object({
      filter: z
        .object({
          text: z.string().max(1000).optional(),
          kind: z.enum(['run', 'sweep']).optional(),
          outcome: z.enum(['ok', 'failed', 'running']).optional(),
          sweepId: z.string().max(100).optional(),
          limit: z.number().int().min(1).max(100000).optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  'history.get': z.object({ kind: z.enum(['run', 'sweep']), id: SegmentId }).strict(),
  'history.delete': z.object({ kind: z.enum(['run', 'sweep']), id: SegmentId }).strict(),
  'history.rerun': z.object({ kind: z.enum(['run', 'sweep']), id: SegmentId }).strict(),
  'history.compare': z.object({ a: SegmentId, b: SegmentId }).strict(),
  'history.export': z
    .object({
      format: z.enum(['csv', 'json']),
      ids: z.array(SegmentId).max(100000).optional(),
      sweepId: SegmentId.optional(),
    })
    .strict(),
  // Remote targets (app/remote): this machine, SSH hosts, Docker containers.
  'targets.list': z.object({}).strict(),
  'targets.add': z
    .object({ url: z.string().min(1).max(4096), name: z.string().max(200).optional() })
    .strict(),
  'targets.remove': z.object({ url: z.string().min(1).max(4096) }).strict(),
  'targets.select': z.object({ url: z.string().min(1).max(4096) }).strict(),
  'targets.test': z.object({ url: z.string().min(1).max(4096) }).strict(),
} as const;

export type ApiMethod = keyof typeof ApiParams;
/** What a caller sends for `method` (before zod's defaults and transforms). */
export type ApiParamsOf<M extends ApiMethod> = z.input<(typeof ApiParams)[M]>;
/** What a handler receives for `method`: exactly what its schema produces, so a handler cannot expect more. */
export type ApiParamsOut<M extends ApiMethod> = z.output<(typeof ApiParams)[M]>;

/**
 * The engine's handler table. Each handler's parameter is its schema's output type, so a handler that reads a
 * field its schema never produces, or a schema that changes under a handler, fails `tsc`; a handler annotated
 * with a looser type of its own fails test/unit/contract-types.test.ts (also type-checked).
 */
export type ApiHandlers = { [M in ApiMethod]: (params: ApiParamsOut<M>) => Promise<ApiResults[M]> };

export interface CpuValidation {
  cpus: number[];
  errors: { token: string; message: string }[];
  /** CPUs the text names more than once (each once here); the settings keep the repeat so cpus-duplicate says so. */
  repeated?: number[];
}

export interface ProfileEntry {
  name: string;
  error?: string;
  savedAt?: string;
}

export interface BundleInfo {
  path: string;
  sizeBytes: number;
  downloadUrl?: string;
  note: string;
  files: string[];
}

export interface BundlePreview {
  files: string[];
  env: Record<string, string>;
  command: string;
  redacted: string[];
  /** AIO_DEBUG_MODE of the bundled run: 4 for a new run, a saved run's own level (null: left unset). */
  debugMode: number | null;
  /** Set when the bundle is of a saved run (fromRunId): nothing is re-run. */
  fromRun?: { runId: string | null; logFile: string; startedAt: string };
}

/** The variable catalogue's entries, as app/command/variables.ts defines them (one definition). */
export type { VariableInfo } from '../command/variables';

export interface ApiResults {
  'system.info': SystemInfo;
  'topology.get': Topology;
  'topology.load': Topology;
  'command.build': BuiltCommand;
  'command.parse': { settings: RunSettings; notes: string[] };
  'command.variables': VariableInfo[];
  'cpus.validate': CpuValidation;
  'cpus.preset': { cpus: number[] };
  /**
   * settings null: a fresh form (a new tab while the app runs), nothing saved yet, or a file that could not be
   * used (problem says why; it is ignored).
   */
  'draft.get': { settings: RunSettings | null; problem: string | null };
  'draft.set': { ok: true };
  'profiles.list': ProfileEntry[];
  'profiles.save': ProfileEntry;
  'profiles.load': RunSettings;
  'profiles.delete': { ok: true };
  'profiles.export': { json: string; fileName: string };
  'profiles.import': ProfileEntry;
  'run.start': RunInfo;
  'run.stop': { ok: true };
  'run.list': RunInfo[];
  'log.open': { logId: string; totalLines: number; path: string };
  'log.openText': { logId: string; totalLines: number; path: string };
  'log.query': LogQueryResult;
  /** matches: lines the pattern matches (within the view's levels); ordinal: the found one's place among them (1-based). */
  'log.search': { index: number | null; n: number | null; matches: number; ordinal: number | null };
  'log.line': { n: number; text: string };
  'log.save': { path: string };
  'load.watch': { ok: true };
  'bundle.create': BundleInfo;
  'bundle.preview': BundlePreview;
  'sweep.plan': {
    n: number;
    skipped: string[];
    notes: string[];
    threads: number[];
    points: Omit<SweepPoint, 'cpus'>[];
  };
  'sweep.start': SweepRecord;
  'sweep.cancel': SweepRecord;
  'sweep.get': SweepRecord;
  'history.list': HistoryList;
  'history.get': HistoryDetail;
  'history.delete': { ok: true };
  'history.rerun': { kind: 'run'; run: RunInfo } | { kind: 'sweep'; sweep: SweepRecord };
  'history.compare': RunComparison;
  'history.export': ExportFile;
  'targets.list': TargetList;
  'targets.add': TargetList;
  'targets.remove': TargetList;
  /** The new target's machine, already probed: the map shows it (topology.origin names the target). */
  'targets.select': { list: TargetList; topology: Topology };
  'targets.test': TargetCheck;
}

export interface LoadSample {
  t: number;
  cpus: { cpu: number; busy: number }[];
  /** Busy CPUs outside the current run's selection. */
  outside: number[];
  runId: string | null;
}

/**
 * A run's or sweep's record could not be written (`problem` says why; the record is kept in memory and written
 * again later), or has been written after all (`problem` null). Sent when that changes, not on every retry.
 */
export interface RecordSaveNotice {
  kind: 'run' | 'sweep';
  id: string;
  problem: string | null;
}

/** Events pushed from the engine to every connected UI. */
export interface ApiEvents {
  'run.started': RunInfo;
  'run.lines': { runId: string; logId: string; totalLines: number; lines: LogLine[] };
  'run.exit': RunInfo;
  'load.sample': LoadSample;
  'bundle.progress': { stage: string; detail?: string };
  'sweep.started': SweepRecord;
  'sweep.progress': SweepProgress;
  'sweep.done': SweepRecord;
  'record.unsaved': RecordSaveNotice;
}
export type ApiEvent = keyof ApiEvents;

/**
 * Events a bridge raises itself, never sent by the engine: the browser-mode WebSocket closed (the server stopped
 * or the network went). The renderer listens for them through the same `onEvent` as for engine events.
 */
export interface PseudoEvents {
  'connection.closed': null;
}
export type PseudoEvent = keyof PseudoEvents;
export const CONNECTION_CLOSED: PseudoEvent = 'connection.closed';

export { IPC_CHANNELS } from './ipc';

/** What every request gets back, over IPC and over the WebSocket alike; `replyTo` builds it. */
export type ApiFailure = { message: string; code: string };
export type ApiReply = { ok: true; result: unknown } | { ok: false; error: ApiFailure };

/** Wire messages (WebSocket JSON frames); Electron IPC carries the same reply without `type` and `id`. */
export type WireRequest = { type: 'req'; id: number; method: string; params: unknown };
export type WireResponse = { type: 'res'; id: number } & ApiReply;
export type WireEvent = { type: 'event'; event: ApiEvent; data: unknown };

/** What the preload exposes as `window.aioTuner`, and what the WebSocket client implements. */
export interface Bridge {
  request(method: string, params: unknown): Promise<ApiReply>;
  onEvent(cb: (event: ApiEvent | PseudoEvent, data: unknown) => void): () => void;
  /** Electron only: reveal a file the engine produced (a bundle) in the system file manager. */
  showInFolder?(path: string): Promise<void>;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string = 'error',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Validate raw params for `method`; throws ApiError('bad-request') with a readable message. */
export function validateParams<M extends ApiMethod>(
  method: string,
  params: unknown,
): { method: M; params: z.output<(typeof ApiParams)[M]> } {
  if (!Object.prototype.hasOwnProperty.call(ApiParams, method)) {
    throw new ApiError(`unknown method "${method}"`, 'unknown-method');
  }
  const schema = ApiParams[method as M];
  const r = schema.safeParse(params ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length ? issue.path.join('.') : 'params';
    throw new ApiError(`invalid ${method} request: ${where}: ${issue?.message ?? 'invalid'}`, 'bad-request');
  }
  return { method: method as M, params: r.data as z.output<(typeof ApiParams)[M]> };
}

/** A refused or failed request, as both fronts answer it. */
export function errorReply(message: string, code: string): { ok: false; error: ApiFailure } {
  return { ok: false, error: { message, code } };
}

/**
 * The one place a request's outcome becomes its reply (Electron's IPC handler and the WebSocket server both use
 * it): the result, or the error's message and code, `failed` for anything that is not an ApiError. Never throws.
 */
export async function replyTo(work: () => Promise<unknown>): Promise<ApiReply> {
  try {
    return { ok: true, result: await work() };
  } catch (e) {
    if (e instanceof ApiError) return errorReply(e.message, e.code);
    return errorReply(String((e as Error | null)?.message ?? e), 'failed');
  }
}
