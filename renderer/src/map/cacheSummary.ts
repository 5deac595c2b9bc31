/** "L1d 64 KiB ×160 · L1i 64 KiB ×160 · L2 1 MiB ×160" from the per-instance cache list. */
import type { CacheInfo } from '../../../app/shared/topology';
import { formatBytes } from '../common/format';

function levelName(c: CacheInfo): string {
  if (c.type === 'Data') return `L${c.level}d`;
  if (c.type === 'Instruction') return `L${c.level}i`;
  return `L${c.level}`;
}

export function cacheSummary(caches: CacheInfo[]): string {
  if (caches.length === 0) return 'caches unknown';
  const groups = new Map<string, Map<number | null, number>>();
  // A plain comparison, not localeCompare: the type names are ASCII, and the first localeCompare of a page
  // costs ~25 ms (ICU's collator) inside the map's first render.
  const sorted = [...caches].sort(
    (a, b) => a.level - b.level || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0),
  );
  for (const c of sorted) {
    const name = levelName(c);
    const sizes = groups.get(name) ?? new Map<number | null, number>();
    sizes.set(c.sizeBytes, (sizes.get(c.sizeBytes) ?? 0) + 1);
    groups.set(name, sizes);
  }
  const parts: string[] = [];
  for (const [name, sizes] of groups) {
    const bySize = [...sizes.entries()].map(
      ([size, count]) => `${size === null ? 'size unknown' : formatBytes(size)} ×${count}`,
    );
    parts.push(`${name} ${bySize.join(' + ')}`);
  }
  return parts.join(' · ');
}
