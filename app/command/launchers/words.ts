/**
 * Small pieces every launcher shares: reading leading `NAME=value` words, CPU and node lists in their
 * launchers' spellings, and the memory-policy sentences their limits repeat.
 */
import { parseCpuList } from '../../shared/cpulist';
import { parseOrderedCpuList } from '../../shared/presets';
import type { LauncherInput } from './types';

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

/** Leading `NAME=value` words as an environment, and the index of the first word that is not one. */
export function leadingAssignments(words: readonly string[]): { env: Record<string, string>; next: number } {
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length; i++) {
    const m = ASSIGNMENT.exec(words[i]!);
    if (!m) break;
    env[m[1]!] = m[2]!;
  }
  return { env, next: i };
}

/**
 * The `env -u NAME … [--]` the docker and systemd-run forms write before the workload: each NAME is unset in `env`.
 * Returns the index of the workload's first word.
 */
export function envUnsets(words: readonly string[], at: number, env: Record<string, string | null>): number {
  let k = at;
  if (words[k] !== 'env') return k;
  k++;
  while (words[k] === '-u' && words[k + 1] !== undefined) {
    env[words[k + 1]!] = null;
    k += 2;
  }
  return words[k] === '--' ? k + 1 : k;
}

export function basename(cmd: string): string {
  return cmd.slice(cmd.lastIndexOf('/') + 1);
}

/** A list written with commas and/or whitespace, read by `parse`; null when malformed or empty. */
function spacedList(text: string, parse: (commaList: string) => number[]): number[] | null {
  try {
    const ids = parse(
      text
        .trim()
        .split(/[\s,]+/)
        .filter(Boolean)
        .join(','),
    );
    return ids.length > 0 ? ids : null;
  } catch {
    return null;
  }
}

/** A CPU list written with commas and/or whitespace (systemd, GOMP_CPU_AFFINITY), order kept; null when malformed. */
export function orderedList(text: string): number[] | null {
  return spacedList(text, parseOrderedCpuList);
}

/** A node or CPU set (order carries no meaning); null when malformed. */
export function setList(text: string): number[] | null {
  return spacedList(text, parseCpuList);
}

/** The input's memory policy as one sentence, for limits that cannot carry it. */
export function policyText(input: LauncherInput): string {
  const nodes = input.memNodes.join(',');
  switch (input.settings.memPolicy) {
    case 'bind':
      return nodes ? `memory bound to node ${nodes} (numactl --membind)` : 'no memory binding';
    case 'preferred':
      return nodes ? `memory preferred on node ${nodes} (numactl --preferred)` : 'no memory policy';
    case 'interleave':
      return nodes ? `memory interleaved over nodes ${nodes} (numactl --interleave)` : 'no memory policy';
    case 'local':
      return 'local allocation (numactl --localalloc)';
    default:
      return 'no memory policy';
  }
}

/** Does the input ask for a memory policy at all (one that numactl would spell)? */
export function hasMemoryPolicy(input: LauncherInput): boolean {
  const p = input.settings.memPolicy;
  return (
    p === 'local' || ((p === 'bind' || p === 'preferred' || p === 'interleave') && input.memNodes.length > 0)
  );
}

/** The CPU order only AIO_NUMA_CPUS keeps, when a launcher binds a set. */
export function orderLimit(input: LauncherInput, what: string): string[] {
  const ascending = input.cpus.every((id, i) => i === 0 || id > input.cpus[i - 1]!);
  return ascending
    ? []
    : [
        `${what} is a set: the CPU order (${input.cpus.join(',')}) is kept only in AIO_NUMA_CPUS for the engine.`,
      ];
}
