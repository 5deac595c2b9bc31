/** What the user configures for one run. Shared by the UI, the CLI, profiles, runs and sweeps. */

export type MemPolicy = 'bind' | 'preferred' | 'interleave' | 'local' | 'none';

/**
 * Which inference stack the run tunes: `aio` (Ampere's engine, the AIO_* variables) or `onednn` (stock
 * PyTorch with oneDNN/ACL, as on Graviton: OMP_* and the oneDNN/PyTorch variables, no AIO_*).
 */
export const ENGINES = ['aio', 'onednn'] as const;
export type Engine = (typeof ENGINES)[number];

export interface RunSettings {
  /** Selected logical CPUs, in the order they are bound (numactl list order == AIO_NUMA_CPUS order). */
  cpus: number[];
  /** Pinned thread count; null = follows the selection (number of selected CPUs). */
  threads: number | null;
  memPolicy: MemPolicy;
  /** Nodes for the memory policy; null = the nodes of the selected CPUs. */
  memNodes: number[] | null;
  /** AIO_DEBUG_MODE chosen for the run; null = unset (engine default 2). */
  debugMode: number | null;
  /**
   * Explicit values for known or user variables (AIO_*, OMP_*, DLS_*, anything).
   * A name mapped to null is explicitly *unset* (removed from the environment), distinct from absent (left alone).
   */
  env: Record<string, string | null>;
  /** The workload argv, e.g. ["python3", "run.py", "-p", "fp32"]. */
  workload: string[];
  /** Working directory for the workload; null = the tool's current directory. */
  cwd: string | null;
  /**
   * The selection as typed when it was an expression (`M1:0-3`, `node:1.core:all`; app/shared/selection), kept
   * beside `cpus`, which hold its expansion at the time it was typed or saved. Absent or null for a plain list.
   */
  cpuExpr?: string | null;
  /** The stack the variables are for; absent = 'aio' (settings saved before engines existed load unchanged). */
  engine?: Engine;
}

export type Severity = 'error' | 'warning' | 'info';

export interface CheckFix {
  label: string;
  /** Settings patch that resolves the finding when applied (shallow merge; env merged key by key). */
  patch: Partial<Omit<RunSettings, 'env'>> & { env?: Record<string, string | null> };
  /** Explicit env entries to drop entirely (back to "left alone"), applied after `patch.env`. */
  removeEnv?: string[];
}

export interface Check {
  /** Stable code, e.g. "threads-mismatch" (public contract). */
  code: string;
  severity: Severity;
  message: string;
  fix?: CheckFix;
}

export interface BuiltCommand {
  /** What gets executed: numactl first unless policy is none and no CPUs are bound. */
  argv: string[];
  /** Only what the tool sets (null values = to be removed from the inherited environment). */
  env: Record<string, string>;
  /** Variables the tool removes from the inherited environment. */
  unset: string[];
  /** One bash line: KEY=value … numactl … workload. */
  shell: string;
  /** Runnable bash script. */
  script: string;
  dockerRun: string;
  dockerExec: string;
  envFile: string;
  checks: Check[];
  /** Every other launcher's form (issue 17), by `--format` value: its text and what it cannot express. */
  launchers?: Record<string, { text: string; limits: string[] }>;
}

export const DEFAULT_WORKLOAD = ['python3', 'run.py', '-p', 'fp32'];

export function defaultSettings(): RunSettings {
  return {
    cpus: [],
    threads: null,
    memPolicy: 'bind',
    memNodes: null,
    debugMode: null,
    env: {},
    workload: [...DEFAULT_WORKLOAD],
    cwd: null,
  };
}

/** Apply a fix's patch: fields replaced, env merged key by key, then `removeEnv` entries dropped. */
export function applyFix(s: RunSettings, fix: CheckFix): RunSettings {
  const { env: envPatch, ...rest } = fix.patch;
  const next: RunSettings = { ...s, ...rest, env: { ...s.env, ...(envPatch ?? {}) } };
  for (const name of fix.removeEnv ?? []) delete next.env[name];
  next.cpus = [...next.cpus];
  next.workload = [...next.workload];
  if (next.memNodes) next.memNodes = [...next.memNodes];
  return next;
}
