/**
 * Runtime validation of RunSettings, shared by profiles, the API and imports: anything that reaches the builder
 * from outside goes through here first.
 */
import { z } from 'zod';
import { ENGINES, type RunSettings } from '../shared/command';

/** NUL cannot exist in argv or the environment, so a setting holding one could never run as written. */
const noNul = (what: string) =>
  z.string().refine((s) => !s.includes('\0'), `${what} must not contain a NUL character`);

export const EnvNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are letters, digits and _, not starting with a digit');

export const MemPolicySchema = z.enum(['bind', 'preferred', 'interleave', 'local', 'none']);

export const RunSettingsSchema = z.object({
  cpus: z.array(z.number().int().min(0)),
  threads: z.number().int().min(1).nullable(),
  memPolicy: MemPolicySchema,
  memNodes: z.array(z.number().int().min(0)).nullable(),
  debugMode: z.number().int().min(0).max(4).nullable(),
  env: z.record(EnvNameSchema, noNul('a variable value').nullable()),
  workload: z.array(noNul('a workload argument')),
  cwd: noNul('the working directory').nullable(),
  cpuExpr: z.string().max(100000).nullable().optional(),
  engine: z.enum(ENGINES).optional(),
});

// Compile-time guard: the schema and the hand-written type must describe the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _schemaMatchesType: Same<z.infer<typeof RunSettingsSchema>, RunSettings> = true;
void _schemaMatchesType;

/** Parse untrusted data into RunSettings, or throw a ZodError listing every problem. */
export function parseRunSettings(data: unknown): RunSettings {
  return RunSettingsSchema.parse(data);
}
