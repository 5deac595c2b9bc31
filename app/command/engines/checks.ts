/**
 * Findings that depend on the engine the settings are for (`engine` in RunSettings): AIO variables under stock
 * PyTorch/oneDNN, oneDNN settings the machine cannot use, and diagnostics that cost time. Codes are a public
 * contract like those of ../checks.ts, which calls this.
 */
import type { CheckFix, RunSettings, Severity } from '../../shared/command';
import type { Topology } from '../../shared/topology';
import { hasBf16 } from '../../shared/variables';
import { engineOf, type RunPlan } from '../plan';

type Add = (code: string, severity: Severity, message: string, fix?: CheckFix) => void;

const FPMATH_VARS = ['ONEDNN_DEFAULT_FPMATH_MODE', 'DNNL_DEFAULT_FPMATH_MODE'];
const VERBOSE_VARS = ['ONEDNN_VERBOSE', 'DNNL_VERBOSE'];
/** Values that leave oneDNN's verbose printing off. */
const QUIET = ['0', 'none', ''];

/** Names only the AIO engine (or its images before the rename) reads. */
export function isAioName(name: string): boolean {
  return name.startsWith('AIO_') || name.startsWith('DLS_');
}

export function checkEngine(s: RunSettings, t: Topology | null, plan: RunPlan, add: Add): void {
  const { env } = plan;
  if (engineOf(s) === 'onednn') {
    const aio = Object.keys(s.env).filter((k) => s.env[k] !== null && isAioName(k));
    const debug = s.debugMode !== null;
    if (aio.length > 0 || debug) {
      const names = [...aio, ...(debug ? ['AIO_DEBUG_MODE (the debug level)'] : [])];
      add(
        'aio-var-with-onednn',
        'warning',
        `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} set, but engine onednn is stock PyTorch, ` +
          'which reads no AIO_* variable: the run would not do what the setting says.',
        {
          label: `Remove ${names.length === 1 ? 'it' : 'them'}`,
          patch: debug ? { debugMode: null } : {},
          removeEnv: aio,
        },
      );
    }
  }

  const flags = t?.cpuFlags ?? null;
  for (const name of FPMATH_VARS) {
    const value = env[name];
    if (value === undefined || value.toLowerCase() !== 'bf16' || flags === null || hasBf16(flags)) continue;
    add(
      'fpmath-bf16-unsupported',
      'warning',
      `${name}=${value} asks oneDNN for bfloat16 maths, but this CPU has no bf16 instructions ` +
        '(not in /proc/cpuinfo): oneDNN keeps FP32 kernels, so the setting changes nothing here.',
      { label: `Remove ${name}`, patch: {}, removeEnv: [name] },
    );
  }

  for (const name of VERBOSE_VARS) {
    const value = env[name];
    if (value === undefined || QUIET.includes(value.trim().toLowerCase())) continue;
    add(
      'onednn-verbose-cost',
      'info',
      `${name}=${value} makes oneDNN print a line per primitive; useful to see which kernels run, but the ` +
        'printing slows the run, so do not compare its timings with quiet runs.',
      { label: `Remove ${name}`, patch: {}, removeEnv: [name] },
    );
  }

  if (env.THP_MEM_ALLOC_ENABLE === '1' && t?.kernel?.thp === 'never') {
    add(
      'thp-alloc-thp-never',
      'warning',
      'THP_MEM_ALLOC_ENABLE=1 asks for transparent huge pages, but the kernel\'s THP mode is "never", so ' +
        'none are given. Set /sys/kernel/mm/transparent_hugepage/enabled to "madvise" (as root).',
    );
  }
}
