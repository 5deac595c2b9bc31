/** Small display helpers shared by the panels. */
import { formatBytes } from '../../../app/shared/units';

export { formatBytes };

/** "64 GiB" or a plain word when the source did not say. */
export function formatMemory(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return 'memory unknown';
  if (bytes === 0) return 'no memory';
  return formatBytes(bytes);
}

/** "1 CPU" / "3 CPUs". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
