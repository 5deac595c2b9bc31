/**
 * Reading the examined machine for the checks: each value comes with the evidence line that names where it was
 * read, so a finding never says less than what it rests on.
 */
import { formatCpuList } from '../../shared/cpulist';
import type { Evidence } from '../../shared/findings';
import type { DoctorPlace } from '../place';

/** Evidence naming a file of the examined machine (and the dump or target it belongs to, when not this one). */
export function fileEvidence(place: DoctorPlace, path: string, value: string): Evidence {
  return { source: place.kind === 'host' ? path : `${path} (${place.where})`, value };
}

/** A file's trimmed text, or null when absent. */
export async function readTrimmed(place: DoctorPlace, path: string): Promise<string | null> {
  const text = await place.read(path);
  return text === null ? null : text.trim();
}

/** The skip reason for a file the examined machine does not have. */
export function absent(place: DoctorPlace, path: string, why: string): { skipped: string } {
  return {
    // A dump holds only what its maker copied: the file's absence there says nothing about the kernel.
    skipped:
      place.kind === 'sysroot'
        ? `${path} is not in the dump ${place.where} (the dump did not copy it, or the kernel lacks it)`
        : `${path} is absent on ${place.where}: ${why}`,
  };
}

/** "CPU 3" or "CPUs 0-2,4" (a list of ids, formatted the kernel's way). */
export function cpuWord(ids: number[]): string {
  return `${ids.length === 1 ? 'CPU' : 'CPUs'} ${formatCpuList(ids)}`;
}
