/**
 * Runtime validation of sweep specs (API params, saved records): a browser tab or a file on disk can hold
 * anything, so nothing reaches the planner unchecked.
 */
import { z } from 'zod';
import { EnvNameSchema, RunSettingsSchema } from '../command/schema';
import type { SweepSpec } from '../shared/sweep';
import { LLM_METRICS } from '../shared/llm';

const count = z.number().int().min(1).max(65536);

export const CustomVariantSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][\w.+-]{0,39}$/, 'variant names are 1-40 letters, digits, . _ + -'),
    env: z.record(EnvNameSchema, z.string().max(10000).nullable()),
  })
  .strict();

export const SweepSpecSchema = z
  .object({
    settings: RunSettingsSchema,
    threads: z.union([z.literal('doubling'), z.array(count).min(1).max(64)]),
    placement: z.union([
      z.enum(['compact', 'spread']),
      z
        .array(z.enum(['compact', 'spread']))
        .min(1)
        .max(2),
    ]),
    variants: z.array(z.string().min(1).max(40)).min(1).max(32),
    customVariants: z.array(CustomVariantSchema).max(32),
    instances: z.array(count).min(1).max(64),
    batches: z.array(z.number().int().min(1).max(1_000_000)).max(64).nullable(),
    repeat: z.number().int().min(1).max(100),
    untilStablePct: z.number().positive().max(100).optional(),
    practicalPct: z.number().min(0).max(100).optional(),
    timeoutS: z
      .number()
      .positive()
      .max(7 * 86400)
      .optional(),
    latencyBudgetMs: z.number().positive().optional(),
    metric: z.enum(LLM_METRICS).optional(),
  })
  .strict();

// Compile-time guard: the schema and the hand-written type must describe the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _schemaMatchesType: Same<z.infer<typeof SweepSpecSchema>, SweepSpec> = true;
void _schemaMatchesType;

/** Enough structure that a saved sweep can be listed, shown and exported; extra fields are kept as they are. */
export const SweepRecordSchema = z.looseObject({
  sweepId: z.string().min(1),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  state: z.enum(['running', 'done', 'cancelled', 'failed']),
  spec: SweepSpecSchema,
  host: z.looseObject({ hostname: z.string(), target: z.string().optional() }),
  planned: z.number(),
  skipped: z.array(z.string()),
  rows: z.array(
    z.looseObject({
      i: z.number(),
      threads: z.number(),
      instances: z.number(),
      cores: z.number(),
      variant: z.string(),
      latencyMs: z.number().nullable(),
      throughput: z.number().nullable(),
      exitCode: z.number().nullable(),
      logFile: z.string(),
      runId: z.string(),
      commands: z.array(z.string()),
    }),
  ),
  best: z.looseObject({}),
});
