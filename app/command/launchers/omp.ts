/**
 * OpenMP's own affinity variables, for stacks that read no AIO_ variable (stock PyTorch, ONNX Runtime,
 * llama.cpp built with OpenMP): the same environment plus
 *   OMP_PLACES / OMP_PROC_BIND — OpenMP 4.0+ (spec §6.5 and §6.4): one place per CPU, "{80},{81}", a run of
 *     consecutive CPUs as "{80}:4" (4 places starting at {80}, stride 1); `close` puts thread i on place i;
 *   GOMP_CPU_AFFINITY — GNU libgomp: CPUs separated by spaces or commas, ranges "a-b";
 *   KMP_AFFINITY — Intel/LLVM libomp: "granularity=fine,explicit,proclist=[…]".
 * Each runtime reads its own; OMP_PLACES wins over GOMP_CPU_AFFINITY in libgomp.
 */
import { orderedCpuList } from '../../shared/presets';
import { shellForm } from '../textforms';
import type { Launcher, LauncherInput, LauncherParse } from './types';
import { hasMemoryPolicy, leadingAssignments, orderedList, policyText } from './words';

export const OMP_VARIABLES = ['OMP_PLACES', 'OMP_PROC_BIND', 'GOMP_CPU_AFFINITY', 'KMP_AFFINITY'] as const;

/** OMP_PLACES with one place per CPU, in order; consecutive ascending runs written as `{a}:n`. */
export function ompPlaces(cpus: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < cpus.length) {
    let n = 1;
    while (i + n < cpus.length && cpus[i + n] === cpus[i]! + n) n++;
    parts.push(n > 1 ? `{${cpus[i]}}:${n}` : `{${cpus[i]}}`);
    i += n;
  }
  return parts.join(',');
}

/** OMP_PLACES back to CPUs: `{a}`, `{a}:n`, `{a}:n:s` places of one CPU each; null for anything else. */
export function parseOmpPlaces(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(/,(?![^{]*\})/)) {
    const m = /^\{(\d+)\}(?::(\d+)(?::(-?\d+))?)?$/.exec(part.trim());
    if (!m) return null;
    const [start, n, s] = [Number(m[1]), Number(m[2] ?? 1), Number(m[3] ?? 1)];
    for (let k = 0; k < n; k++) out.push(start + k * s);
  }
  return out.length > 0 && out.every((x) => x >= 0) ? out : null;
}

function ompEnv(input: LauncherInput): Record<string, string> {
  if (input.cpus.length === 0) return {};
  const list = orderedCpuList(input.cpus);
  return {
    OMP_PLACES: ompPlaces(input.cpus),
    OMP_PROC_BIND: 'close',
    GOMP_CPU_AFFINITY: list,
    KMP_AFFINITY: `granularity=fine,explicit,proclist=[${list}]`,
  };
}

export const ompLauncher: Launcher = {
  format: 'omp',
  label: 'OpenMP env',
  render(input) {
    // The user's own explicit values win, as everywhere else.
    const env = { ...input.plan.env };
    for (const [k, v] of Object.entries(ompEnv(input))) if (!(k in input.settings.env)) env[k] = v;
    return shellForm({ env, unset: input.plan.unset }, input.settings.workload, input.settings.cwd);
  },
  limits(input) {
    const out = [
      "Only the OpenMP threads are pinned (thread i on the i-th CPU); the process's other threads and its allocations are not restricted.",
    ];
    if (input.cpus.length === 0) out.push('No CPUs are selected: no affinity variable is written.');
    if (hasMemoryPolicy(input))
      out.push(`OpenMP has no memory policy: the ${policyText(input)} cannot be expressed.`);
    return out;
  },
  parse(words): LauncherParse | null {
    const { env, next } = leadingAssignments(words);
    if (next >= words.length) return null;
    const places = env.OMP_PLACES !== undefined ? parseOmpPlaces(env.OMP_PLACES) : null;
    const gomp = env.GOMP_CPU_AFFINITY !== undefined ? orderedList(env.GOMP_CPU_AFFINITY) : null;
    const kmp = /^granularity=fine,explicit,proclist=\[([^\]]*)\]$/.exec(env.KMP_AFFINITY ?? '');
    const kmpCpus = kmp ? orderedList(kmp[1]!) : null;
    const cpus = places ?? gomp ?? kmpCpus;
    if (cpus === null) return null;
    const notes: string[] = [];
    const same = (x: number[] | null) =>
      x === null || (x.length === cpus.length && x.every((c, i) => c === cpus[i]));
    if (!same(gomp) || !same(kmpCpus))
      notes.push('the OpenMP affinity variables name different CPUs; OMP_PLACES is used');
    const rest: Record<string, string | null> = { ...env };
    // What the omp form writes itself is the selection again; anything else stays the user's.
    if (places !== null) delete rest.OMP_PLACES;
    if (gomp !== null) delete rest.GOMP_CPU_AFFINITY;
    if (kmpCpus !== null) delete rest.KMP_AFFINITY;
    if (rest.OMP_PROC_BIND === 'close') delete rest.OMP_PROC_BIND;
    notes.push('OpenMP affinity pins threads only; the import has no memory policy');
    return {
      settings: { env: rest, cpus, memPolicy: 'none', memNodes: null, workload: words.slice(next) },
      notes,
    };
  },
};
