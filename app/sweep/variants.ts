/**
 * Precision/engine variants: named sets of variables applied on top of the base run.
 */
import { BUILTIN_VARIANTS, type BuiltinVariant, type CustomVariant } from './types';

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

/** The base environment with the variant applied. */
export function applyVariant(
  base: Record<string, string | null>,
  name: string,
  custom: readonly CustomVariant[],
): Record<string, string | null> {
  if (isBuiltin(name)) {
    const env = { ...base };
    for (const k of PRECISION_VARS) delete env[k];
    return { ...env, ...BUILTIN_ENV[name] };
  }
  const c = custom.find((v) => v.name === name);
  if (!c) throw new Error(`unknown variant "${name}" (built-in: ${BUILTIN_VARIANTS.join(', ')})`);
  return { ...base, ...c.env };
}
