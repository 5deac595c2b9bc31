/**
 * One finding model for the whole tool: command checks, run and sweep validity findings, placement, host and log
 * findings all have this shape. Field names are a public contract (`run --json`, `sweep --json`, run.json).
 */
import type { CheckFix } from './command';

export type FindingSeverity = 'error' | 'warning' | 'info';

/** What a finding rests on: where a value was read and the value itself (as text, as read). */
export interface Evidence {
  source: string;
  value: string;
}

export interface FindingFix {
  label: string;
  /** A settings patch, as the command checks' fixes (shallow merge; env key by key). */
  patch?: CheckFix['patch'];
  /** Explicit env entries to drop (back to "left alone"), applied after `patch.env`. */
  removeEnv?: string[];
  /** A shell command for the user to run (e.g. on the host); never run by the tool. */
  command?: string;
}

export interface Finding {
  /** Stable code, e.g. "engine-absent" (public contract). */
  code: string;
  severity: FindingSeverity;
  message: string;
  evidence?: Evidence[];
  fix?: FindingFix;
}

/**
 * The Ampere engine probe: `'_aio_profiler_print' in dir(torch._C)` run with the workload's own interpreter,
 * environment and working directory. `null` in place of this object: the workload is not Python (not probed).
 */
export interface EngineInfo {
  /** The engine is in the interpreter's PyTorch. */
  present: boolean;
  /** AIO version (the image's /.release), when known. */
  version: string | null;
  /** Python version of the interpreter, null when it could not be run. */
  python: string | null;
  /** torch.__version__, null when PyTorch cannot be imported. */
  torch: string | null;
  /** Why the probe could not answer (interpreter missing, import failed…). */
  error?: string;
}
