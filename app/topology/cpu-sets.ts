/**
 * The CPU-set attributes of sysfs in every form the kernel has used: a list file ("0-3,8") and its hex-mask twin
 * ("0000010f"), under old and new names (thread_siblings → core_cpus, core_siblings → package_cpus). Kernels,
 * architectures and dump tools each keep a different subset, so the reader takes the first that reads — list
 * before mask, as lscpu and hwloc do — and remembers which one, so the model can say what it was built from.
 */
import { formatCpuList } from '../shared/cpulist';
import { readAttr } from './fs-read';
import { safeCpuList, safeCpuMask } from './proc';

/** Who shares a physical core with a CPU, in order of preference. */
export const CORE_FORMS = ['core_cpus_list', 'core_cpus', 'thread_siblings_list', 'thread_siblings'] as const;
/** Who shares a package (socket) with a CPU, in order of preference. */
export const PACKAGE_FORMS = [
  'package_cpus_list',
  'package_cpus',
  'core_siblings_list',
  'core_siblings',
] as const;
export const CLUSTER_FORMS = ['cluster_cpus_list', 'cluster_cpus'] as const;
/** Who shares a cache (cpuN/cache/indexK). */
export const CACHE_FORMS = ['shared_cpu_list', 'shared_cpu_map'] as const;

export interface SetRead {
  /** The CPUs, ascending; null when no form reads. */
  cpus: number[] | null;
  /** The file name that gave them. */
  file: string | null;
  /** Files that exist but hold no CPU set (or one without the CPU itself). */
  damaged: { path: string; text: string }[];
}

const isList = (file: string): boolean => file.endsWith('list');

/**
 * Parsed sets by file kind and text: the 80 CPUs of a package hold the same package_cpus_list, parsed once.
 * One per machine read (a Map the caller drops), so nothing outlives it.
 */
export type SetCache = Map<string, number[] | null>;

/** The first of `files` under `dir` that holds a CPU set containing `self` (when given). */
export function readCpuSet(dir: string, files: readonly string[], self?: number, cache?: SetCache): SetRead {
  const damaged: SetRead['damaged'] = [];
  for (const file of files) {
    const text = readAttr(`${dir}/${file}`);
    if (text === null) continue;
    const key = `${isList(file) ? 'l' : 'm'}${text}`;
    let cpus = cache?.get(key);
    if (cpus === undefined) {
      cpus = isList(file) ? safeCpuList(text) : safeCpuMask(text);
      cache?.set(key, cpus);
    }
    if (cpus !== null && (self === undefined || cpus.includes(self))) return { cpus, file, damaged };
    damaged.push({ path: `${dir}/${file}`, text });
  }
  return { cpus: null, file: null, damaged };
}

/**
 * Which form was read for which CPUs, turned into one short note per kind of file (never one per CPU) when a
 * fallback was used: a mask instead of a list, or nothing at all.
 */
export class FormUse {
  private readonly used = new Map<string, Map<string, number[]>>();

  record(what: string, file: string | null, cpu: number): void {
    const byFile = this.used.get(what) ?? new Map<string, number[]>();
    this.used.set(what, byFile);
    const key = file ?? '';
    const ids = byFile.get(key);
    if (ids) ids.push(cpu);
    else byFile.set(key, [cpu]);
  }

  /** The file most CPUs were read from for `what`, or null. */
  main(what: string): string | null {
    const byFile = this.used.get(what);
    if (!byFile) return null;
    return [...byFile].sort((a, b) => b[1].length - a[1].length)[0]![0] || null;
  }

  /**
   * Notes for `what`: `subject(ids)` names who was read ("Cores of CPUs 0-3", "NUMA nodes 0-7"), `where` the
   * file's directory as the user knows it ("cpu*\/topology"); `missing` says what was done where no file read,
   * or null when another note says it.
   */
  notes(what: string, subject: (ids: string) => string, where: string, missing: string | null): string[] {
    const byFile = this.used.get(what);
    if (!byFile) return [];
    const out: string[] = [];
    for (const [file, ids] of byFile) {
      const who = subject(formatCpuList(ids));
      if (file === '') {
        if (missing !== null) out.push(`${who}: no file says; ${missing}.`);
      } else if (!isList(file)) out.push(`${who} read from the ${where}/${file} hex mask (no list file).`);
    }
    return out;
  }
}
