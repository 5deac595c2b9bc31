/**
 * The one API contract between the UI and the engine: its types (app/shared/contract.ts, re-exported here) and
 * the zod schemas the engine checks params with.
 * The same definitions serve the Electron IPC bridge (preload) and the browser-mode WebSocket, so the renderer
 * cannot tell which one it talks to. Params are validated here with zod on the engine side: anything crossing
 * the boundary is untrusted (a browser tab can send anything).
 */
import { z } from 'zod';
import { segmentProblem } from '../util/pathsegment';
import { RunSettingsSchema } from '../command/schema';
import { ENGINES } from '../shared/command';
import { SweepSpecSchema } from '../sweep/schema';
import type { ApiMethod, ApiReply, ApiRequests, ApiResults } from '../shared/contract';
import { errorReply, MAX_TOPOLOGY_ARCHIVE_BYTES } from '../shared/contract';
import { INPUT_DTYPES, MAX_SHAPE_ELEMENTS, MAX_SHAPE_RANK } from '../shared/ops';

export * from '../shared/contract';
export { IPC_CHANNELS } from './ipc';

/** An id that names a file or folder (run, sweep, log view): exactly one safe path segment. */
const SegmentId = z.string().superRefine((v, ctx) => {
  const problem = segmentProblem(v);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `not a valid id: ${problem}` });
});

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
    z
      .object({
        kind: z.literal('archive'),
        data: z
          .string()
          .min(4)
          .max(Math.ceil(MAX_TOPOLOGY_ARCHIVE_BYTES / 3) * 4, {
            message: `the archive is larger than ${MAX_TOPOLOGY_ARCHIVE_BYTES / 1024 / 1024} MiB`,
          })
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'not base64' }),
        name: z.string().min(1).max(256),
      })
      .strict(),
  ]),
  'command.build': z
    .object({
      settings: RunSettingsSchema,
      container: z.string().max(256).optional(),
      askRunCpu: z.boolean().optional(),
    })
    .strict(),
  'command.parse': z.object({ text: z.string().max(1024 * 1024) }).strict(),
  'command.variables': z.object({ engine: z.enum(ENGINES).optional() }).strict(),
  'cpus.validate': z.object({ text: z.string().max(100000) }).strict(),
  'cpus.preset': z
    .object({
      preset: z.enum(['first', 'node-count', 'node', 'spread', 'all', 'clear', 'fastest-type']),
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
  'sweep.resume': z.object({ sweepId: SegmentId }).strict(),
  'cpus.held': z.object({}).strict(),
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
  'doctor.run': z
    .object({
      target: z.string().min(1).max(4096).optional(),
      python: z.string().min(1).max(4096).optional(),
      settings: RunSettingsSchema.optional(),
    })
    .strict(),
  'ops.report': z
    .object({
      model: z.string().min(1).max(4096),
      inputShapes: z
        .array(
          z
            .array(z.number().int().min(1))
            .min(1)
            .max(MAX_SHAPE_RANK)
            .refine((dims) => dims.reduce((a, b) => a * b, 1) <= MAX_SHAPE_ELEMENTS, {
              message: `at most ${MAX_SHAPE_ELEMENTS} elements per input`,
            }),
        )
        .max(16)
        .optional(),
      inputDtypes: z.array(z.enum(INPUT_DTYPES)).max(16).optional(),
      python: z.string().min(1).max(4096).optional(),
    })
    .strict(),
} as const;

// Compile-time guard: the schemas and the plain request types the renderer sees must describe the same shapes.
// Mutual assignability is not enough here: it lets an optional field exist on one side only.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type SchemaMatches = { [M in keyof typeof ApiParams]: Same<z.input<(typeof ApiParams)[M]>, ApiRequests[M]> };
const _paramsMatchTypes: { [M in keyof SchemaMatches]: true } = {} as SchemaMatches;
const _methodsMatch: Same<keyof typeof ApiParams, ApiMethod> = true;
void _paramsMatchTypes;
void _methodsMatch;

/** What a handler receives for `method`: exactly what its schema produces, so a handler cannot expect more. */
export type ApiParamsOut<M extends ApiMethod> = z.output<(typeof ApiParams)[M]>;

/**
 * The engine's handler table. Each handler's parameter is its schema's output type, so a handler that reads a
 * field its schema never produces, or a schema that changes under a handler, fails `tsc`; a handler annotated
 * with a looser type of its own fails test/unit/contract-types.test.ts (also type-checked).
 */
export type ApiHandlers = { [M in ApiMethod]: (params: ApiParamsOut<M>) => Promise<ApiResults[M]> };

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
