/**
 * Precision/engine variants: named sets of variables applied on top of the base run.
 */
import { replacementFor } from './variables';
import { BUILTIN_VARIANTS, type BuiltinVariant, type CustomVariant } from './sweep';

/** Variables the built-in variants control; a built-in clears them first so "fp32" really means none of them. */
export const PRECISION_VARS = [
  'AIO_IMPLICIT_FP16_TRANSFORM_FILTER',
  'AIO_QUANTIZE_INT8_FILTER',
  'AIO_PROCESS_MODE',
] as const;

export const BUILTIN_ENV: Record<BuiltinVariant, Record<string, string>> = {
  fp32: {},
  fp16: { AIO_IMPLICIT_FP16_TRANSFORM_FILTER: '.*' },
  int8: { AIO_QUANTIZE_INT8_FILTER: '.*' },
  'int8-fc': { AIO_QUANTIZE_INT8_FILTER: 'FullyConnected' },
  off: { AIO_PROCESS_MODE: '0' },
};

export const BUILTIN_LABELS: Record<BuiltinVariant, string> = {
  fp32: 'FP32 (engine defaults)',
  fp16: 'Implicit FP16 (all ops)',
  int8: 'Implicit INT8 (all supported ops)',
  'int8-fc': 'Implicit INT8 (Linear only)',
  off: 'Engine off (baseline)',
};

export function isBuiltin(name: string): name is BuiltinVariant {
  return (BUILTIN_VARIANTS as readonly string[]).includes(name);
}

/**
 * The built-in variants among `names` that set AIO_* variables: under the onednn engine (stock PyTorch) they
 * would run the same program as fp32 under another name, so a sweep refuses them rather than rank noise.
 */
export function aioOnlyVariants(names: readonly string[]): BuiltinVariant[] {
  return names.filter((v): v is BuiltinVariant => isBuiltin(v) && Object.keys(BUILTIN_ENV[v]).length > 0);
}

const NAME_RE = /^[A-Za-z0-9][\w.+-]{0,39}$/;
const VAR_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why a custom variant cannot be used, or null. */
export function customVariantProblem(v: CustomVariant): string | null {
  if (!NAME_RE.test(v.name)) return `variant name "${v.name}" must be 1-40 letters, digits, . _ + -`;
  if (isBuiltin(v.name)) return `"${v.name}" is a built-in variant name`;
  for (const k of Object.keys(v.env)) if (!VAR_RE.test(k)) return `"${k}" is not a valid variable name`;
  return null;
}

/** Parse `NAME:VAR=VALUE,VAR2=VALUE2` (VAR without = means "unset it"). Throws with a one-line message. */
export function parseCustomVariant(text: string): CustomVariant {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error(`expected NAME:VAR=VALUE[,VAR=VALUE…], got "${text}"`);
  const v: CustomVariant = { name: text.slice(0, colon).trim(), env: {} };
  for (const part of text.slice(colon + 1).split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq === 0) throw new Error(`"${p}" has no variable name`);
    if (eq < 0) v.env[p] = null;
    else v.env[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const problem = customVariantProblem(v);
  if (problem) throw new Error(problem);
  return v;
}

/**
 * The current name a variable stands for, following renames to the end: DLS_NUM_THREADS → AIO_NUM_THREADS,
 * DLS_QUANTIZE_INT8 → AIO_QUANTIZE_INT8 → AIO_QUANTIZE_INT8_FILTER. Old images read the old names, so leaving
 * an alias beside a swept variable would measure the alias' value under the swept label.
 */
export function currentName(name: string): string {
  let n = name;
  const seen = new Set([n]);
  for (let r = replacementFor(n); r !== null && !seen.has(r); r = replacementFor(n)) {
    n = r;
    seen.add(n);
  }
  return n;
}

/** Variables a sweep sets itself for every row, from the row's thread count and CPUs. */
export const SWEPT_VARS = ['AIO_NUM_THREADS', 'OMP_NUM_THREADS', 'AIO_NUMA_CPUS'] as const;

/**
 * Names of `env` given a value that stand for one of `names` (the names themselves or an alias), except those in
 * `keep`. An explicit unset (null) is never stale: removing an old name only makes the run cleaner.
 */
function staleNames(
  env: Record<string, string | null>,
  names: ReadonlySet<string>,
  keep: ReadonlySet<string> = new Set(),
): string[] {
  return Object.keys(env).filter((k) => env[k] !== null && !keep.has(k) && names.has(currentName(k)));
}

/** The base environment without what the sweep sets per row (thread count, CPUs) nor the old names of those. */
export function withoutSweptVars(base: Record<string, string | null>): Record<string, string | null> {
  const env = { ...base };
  for (const k of staleNames(base, new Set(SWEPT_VARS))) delete env[k];
  return env;
}

/** Base variables a variant replaces: its own variables and their aliases (a built-in: every precision one). */
export function replacedByVariant(
  base: Record<string, string | null>,
  name: string,
  custom: readonly CustomVariant[],
): string[] {
  if (isBuiltin(name)) {
    const own = new Set<string>(PRECISION_VARS);
    // The precision variables themselves go even when explicitly unset: the variant decides them.
    return Object.keys(base).filter((k) => own.has(k) || (base[k] !== null && own.has(currentName(k))));
  }
  const c = custom.find((v) => v.name === name);
  if (!c) return [];
  const set = new Set(Object.keys(c.env).map(currentName));
  return staleNames(base, set, new Set(Object.keys(c.env)));
}

/** The base environment with the variant applied; what the variant sets replaces its old names too. */
export function applyVariant(
  base: Record<string, string | null>,
  name: string,
  custom: readonly CustomVariant[],
): Record<string, string | null> {
  if (!isBuiltin(name) && !custom.some((v) => v.name === name))
    throw new Error(`unknown variant "${name}" (built-in: ${BUILTIN_VARIANTS.join(', ')})`);
  const env = { ...base };
  for (const k of replacedByVariant(base, name, custom)) delete env[k];
  if (isBuiltin(name)) return { ...env, ...BUILTIN_ENV[name] };
  return { ...env, ...custom.find((v) => v.name === name)!.env };
}
