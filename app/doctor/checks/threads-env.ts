/**
 * `threads-env-inherited`: threading and affinity variables set in the tool's own environment reach every run
 * it starts, where they silently override (or fight) what the run's settings say.
 */
import type { HostCheck } from '../check';
import { NOT_FROM_A_DUMP } from '../check';

/** Variables a run inherits that decide its thread count or placement behind the tool's back. */
export const INHERITED_THREAD_VARS = [
  'OMP_NUM_THREADS',
  'MKL_NUM_THREADS',
  'OPENBLAS_NUM_THREADS',
  'GOMP_CPU_AFFINITY',
  'OMP_PLACES',
  'OMP_PROC_BIND',
  'KMP_AFFINITY',
] as const;

export const threadsEnvInherited: HostCheck = {
  code: 'threads-env-inherited',
  source:
    'OpenMP 5 spec (OMP_*), libgomp (GOMP_CPU_AFFINITY), Intel OpenMP (KMP_AFFINITY), OpenBLAS and MKL docs',
  run: async ({ place }) => {
    if (!place.env) return { skipped: NOT_FROM_A_DUMP };
    const env = place.env;
    const set = INHERITED_THREAD_VARS.filter((k) => env[k] !== undefined);
    const evidence = set.map((k) => ({ source: `environment of ${place.where}`, value: `${k}=${env[k]}` }));
    if (!set.length)
      return {
        passed: {
          message: `None of ${INHERITED_THREAD_VARS.join(', ')} is set in the environment runs inherit`,
          evidence: [{ source: `environment of ${place.where}`, value: 'none of them set' }],
        },
      };
    return {
      finding: {
        code: 'threads-env-inherited',
        severity: 'warning',
        message:
          `${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set in the environment ${place.kind === 'target' ? `runs on ${place.where} start with` : 'the tool was started with'}, and ` +
          `every run inherits ${set.length > 1 ? 'them' : 'it'} unless its settings set ${set.length > 1 ? 'them' : 'it'} ` +
          `again: thread counts and placement then come from the shell, not from the run's settings`,
        evidence,
        fix: {
          label:
            'Unset them before starting the tool (this shell only; remove them from your shell profile for good)',
          command: `unset ${set.join(' ')}`,
        },
      },
    };
  },
};
