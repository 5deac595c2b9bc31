/**
 * The environment a run had, as support needs to see it: what AIO Tuner set, what it removed, and the inherited
 * variables that change how the engine, the thread pools, the allocator or Python behave. The rest of the
 * inherited environment (terminal, desktop, shell history settings) is left out: noise, and a privacy risk.
 */
import { shellAssignment, shellQuote, isValidEnvName } from '../command';
import type { Redactor } from './redact';

/** Engine, thread and allocator settings: also exported by command.sh (see isPinnedName). */
const PINNED_PREFIXES = [
  'AIO_',
  'DLS_',
  'OMP_',
  'KMP_',
  'GOMP_',
  'MKL_',
  'OPENBLAS_',
  'BLIS_',
  'ONEDNN_',
  'DNNL_',
  'TORCH_',
  'PYTORCH_',
  'MALLOC_',
  'TCMALLOC_',
  'JEMALLOC_',
];
// TORCH (not just TORCH_) also catches TORCHINDUCTOR_* and similar.
const RELEVANT_PREFIXES = [
  ...PINNED_PREFIXES,
  'TORCH',
  'PYTHON',
  'LD_',
  'HF_',
  'TRANSFORMERS_',
  'TOKENIZERS_',
  'CONDA_',
];
const RELEVANT_NAMES = new Set([
  'PATH',
  'VIRTUAL_ENV',
  'RESULTS_DIR',
  'GLIBC_TUNABLES',
  'NUMEXPR_NUM_THREADS',
  'LANG',
  'LC_ALL',
]);

/** Would this inherited variable matter to an inference run? AIO_TUNER_* configure the tool, not the engine. */
export function isRelevantName(name: string): boolean {
  if (name.startsWith('AIO_TUNER_')) return false;
  return RELEVANT_NAMES.has(name) || RELEVANT_PREFIXES.some((p) => name.startsWith(p));
}

const PINNED_NAMES = new Set(['LD_PRELOAD', 'GLIBC_TUNABLES']);

/**
 * Inherited variables that steer the engine, threads or allocator: command.sh exports them too, since the
 * machine it is replayed on will not have the user's shell. Paths such as PATH or PYTHONPATH are left to env.txt:
 * they describe the user's machine, not the run.
 */
export function isPinnedName(name: string): boolean {
  return isRelevantName(name) && (PINNED_NAMES.has(name) || PINNED_PREFIXES.some((p) => name.startsWith(p)));
}

export interface EffectiveEnv {
  /** Set by AIO Tuner, in the builder's order. */
  set: Record<string, string>;
  /** Removed by AIO Tuner from the inherited environment. */
  unset: string[];
  /** Relevant inherited variables the run kept (not overridden, not removed), sorted by name. */
  inherited: Record<string, string>;
}

export function effectiveEnv(
  built: { env: Record<string, string>; unset: string[] },
  inherited: NodeJS.ProcessEnv,
): EffectiveEnv {
  const out: Record<string, string> = {};
  for (const name of Object.keys(inherited).sort()) {
    const v = inherited[name];
    if (v === undefined || !isRelevantName(name) || !isValidEnvName(name)) continue;
    if (name in built.env || built.unset.includes(name)) continue;
    out[name] = v;
  }
  return { set: { ...built.env }, unset: [...built.unset], inherited: out };
}

/** The full environment the workload process sees: inherited, plus what the tool set, minus what it removed. */
export function processEnv(
  built: { env: Record<string, string>; unset: string[] },
  inherited: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...inherited, ...built.env };
  for (const name of built.unset) delete env[name];
  return env;
}

/** One flat name → value map of everything env.txt shows (redacted): what the preview displays. */
export function flatEnv(e: EffectiveEnv, redactor: Redactor): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.set)) out[k] = redactor.envValue(k, v);
  for (const [k, v] of Object.entries(e.inherited)) out[k] = redactor.envValue(k, v);
  return out;
}

/**
 * run/env.txt: bash syntax, so `set -a; . run/env.txt; set +a` recreates the run's variables exactly. `target`
 * names the remote target whose session the inherited variables come from.
 */
export function formatEnvTxt(e: EffectiveEnv, redactor: Redactor, note?: string, target?: string): string {
  const lines = [
    '# Environment of the run, in bash syntax: `set -a; . run/env.txt; set +a` recreates it.',
    '# Values shown as <redacted> were removed because the name looks secret.',
  ];
  if (note) lines.push(`# ${note}`);
  lines.push('', '# Set by AIO Tuner:');
  for (const [k, v] of Object.entries(e.set)) lines.push(shellAssignment(k, redactor.envValue(k, v)));
  if (e.unset.length) {
    lines.push('', '# Removed by AIO Tuner from the inherited environment:');
    for (const k of e.unset) lines.push(`unset ${shellQuote(k)}`);
  }
  lines.push(
    '',
    target
      ? `# Inherited from a new session on ${target}, as a run there starts (variables that affect the run):`
      : '# Inherited from the environment AIO Tuner was started in (variables that affect the run):',
  );
  for (const [k, v] of Object.entries(e.inherited)) lines.push(shellAssignment(k, redactor.envValue(k, v)));
  return lines.join('\n') + '\n';
}
