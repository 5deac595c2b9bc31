import type { ReactNode } from 'react';
import { cacheText, cacheTitle, type CacheLabel } from './cacheBoxes';
import { formatCpuList } from '../../../app/shared/cpulist';
import './caches.css';

/**
 * The boxes of the caches shared by exactly this group's CPUs, outermost (highest level) first, each with its
 * label in the top-left corner as lstopo draws it. `quiet` keeps the label in the tooltip only (a core's L2 in a
 * one-CPU core, compact cells).
 */
export function CacheFrame({
  caches,
  quiet = false,
  children,
}: {
  caches: CacheLabel[] | undefined;
  quiet?: boolean;
  children: ReactNode;
}) {
  if (!caches || caches.length === 0) return <>{children}</>;
  return caches.reduceRight<ReactNode>(
    (inner, c) => (
      <div
        className={quiet ? 'cache-box quiet' : 'cache-box'}
        data-testid="cache-box"
        data-cache={c.level}
        data-cpus={formatCpuList(c.cpus)}
        data-size={c.sizeBytes ?? undefined}
        title={cacheTitle(c)}
      >
        {!quiet && (
          <span className="cache-label" aria-hidden="true">
            {cacheText(c)}
          </span>
        )}
        {inner}
      </div>
    ),
    children,
  );
}

/** Caches inside a group that match none of its parts (e.g. an L3 per CCX in a node drawn flat): said in words. */
export function CachesWithin({ caches }: { caches: CacheLabel[] | undefined }) {
  if (!caches || caches.length === 0) return null;
  const byLevel = new Map<string, CacheLabel[]>();
  for (const c of caches) byLevel.set(c.level, [...(byLevel.get(c.level) ?? []), c]);
  return (
    <div className="cache-within" data-testid="cache-within">
      {[...byLevel.values()].map((list) => (
        <span key={list[0]!.level} title={list.map(cacheTitle).join('\n')}>
          {cacheText(list[0]!)} ×{list.length}: {list.map((c) => formatCpuList(c.cpus)).join(' | ')}
        </span>
      ))}
    </div>
  );
}
