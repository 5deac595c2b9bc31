import { useDeferredValue } from 'react';
import type { CacheInfo, Topology } from '../../../app/shared/topology';
import { formatCpuList } from '../../../app/shared/cpulist';
import { Section } from '../common/Section';
import { formatBytes, formatMemory, plural } from '../common/format';
import { cacheSummary } from '../map/cacheSummary';
import { useApp } from '../store';
import { topologySource } from './topologySource';

/** One row per cache level and type: how many instances, their size, and how many CPUs share one. */
function cacheRows(caches: CacheInfo[]) {
  const groups = new Map<string, CacheInfo[]>();
  for (const c of caches) {
    const k = `L${c.level} ${c.type}`;
    const list = groups.get(k);
    if (list) list.push(c);
    else groups.set(k, [c]);
  }
  // ASCII names: a plain comparison (localeCompare's collator is slow to start, on the first render).
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, list]) => {
      const sizes = [...new Set(list.map((c) => c.sizeBytes))];
      const sharing = [...new Set(list.map((c) => c.cpus.length))].sort((a, b) => a - b);
      return {
        name,
        count: list.length,
        size: sizes.map((s) => (s === null ? 'unknown' : formatBytes(s))).join(' / '),
        sharing: sharing.join(' / '),
      };
    });
}

/** The machine the map shows, as tables: what the map draws, in numbers to read or copy. */
export function TopologyDetails() {
  const { topology: shown, system } = useApp();
  // Rendered after the map, at lower priority: a new machine's tables (its cache rows, a few thousand caches on
  // a big machine) need not hold up the map's first render.
  const topology = useDeferredValue(shown);
  if (!topology) return null;
  return (
    <Section title="Topology" className="topology-details" testId="topology-details">
      <TopologyFacts topology={topology} startOrigin={system?.topologyOrigin ?? null} />
    </Section>
  );
}

function TopologyFacts({ topology: t, startOrigin }: { topology: Topology; startOrigin: string | null }) {
  const src = topologySource(t, startOrigin);
  const online = t.cpus.filter((c) => c.online).length;
  return (
    <>
      <dl className="facts">
        <dt>CPU</dt>
        <dd data-testid="details-model">{t.model ?? 'unknown'}</dd>
        <dt>Architecture</dt>
        <dd>{t.arch ?? 'unknown'}</dd>
        <dt>CPUs</dt>
        <dd data-testid="details-cpus">
          {t.cpus.length}
          {online !== t.cpus.length ? ` (${online} online)` : ''} in {plural(t.packages.length, 'package')},{' '}
          {plural(t.nodes.length, 'NUMA node')}
        </dd>
        <dt>Memory</dt>
        <dd>{t.memTotalBytes ? formatMemory(t.memTotalBytes) : 'unknown'}</dd>
        <dt>Caches</dt>
        <dd>{cacheSummary(t.caches) || 'unknown'}</dd>
        <dt>Source</dt>
        <dd data-testid="details-source">
          {src.kind === 'host' ? 'this host' : `${src.kind}: ${src.text}`} ({t.source})
        </dd>
        {t.kernel?.release && (
          <>
            <dt>Kernel</dt>
            <dd className="mono">{t.kernel.release}</dd>
          </>
        )}
      </dl>
      <table className="details-table" data-testid="details-nodes">
        <caption>NUMA nodes</caption>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">CPUs</th>
            <th scope="col">Memory</th>
            <th scope="col">Free</th>
            <th scope="col">Distances</th>
          </tr>
        </thead>
        <tbody>
          {t.nodes.map((n) => (
            <tr key={n.id}>
              <th scope="row">{n.id}</th>
              <td className="mono">{formatCpuList(n.cpus) || 'none'}</td>
              <td>{n.memoryBytes === null ? 'unknown' : formatMemory(n.memoryBytes)}</td>
              <td>{n.freeBytes === null ? 'unknown' : formatMemory(n.freeBytes)}</td>
              <td className="mono">{n.distances?.join(' ') ?? 'unknown'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="details-table" data-testid="details-packages">
        <caption>Packages</caption>
        <thead>
          <tr>
            <th scope="col">Package</th>
            <th scope="col">CPUs</th>
          </tr>
        </thead>
        <tbody>
          {t.packages.map((p) => (
            <tr key={p.id}>
              <th scope="row">{p.id}</th>
              <td className="mono">{formatCpuList(p.cpus)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {t.caches.length === 0 && <p className="muted">Caches: the source does not describe them.</p>}
      <table className="details-table" data-testid="details-caches" hidden={t.caches.length === 0}>
        <caption>Caches</caption>
        <thead>
          <tr>
            <th scope="col">Cache</th>
            <th scope="col">Instances</th>
            <th scope="col">Size each</th>
            <th scope="col">CPUs sharing one</th>
          </tr>
        </thead>
        <tbody>
          {cacheRows(t.caches).map((r) => (
            <tr key={r.name}>
              <th scope="row">{r.name}</th>
              <td>{r.count}</td>
              <td>{r.size}</td>
              <td>{r.sharing}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
