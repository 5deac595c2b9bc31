import { Fragment } from 'react';
import type { MapTree, NodeView } from './model';
import { CpuCell } from './CpuCell';
import { formatMemory, plural } from '../common/format';
import { NodeMemoryBar, useIntendedNodes } from './NodeMemoryBar';
import { CollapsedNode, NodeToggle } from './NodeCollapse';
import { NodeCapacity } from './NodeCapacity';
import { CacheFrame, CachesWithin } from './CacheFrame';
import { cacheTitle, type CacheBoxes, type CacheLabel } from './cacheBoxes';
import type { CoreView } from './model';
import './scale.css';

export interface GroupPick {
  (ids: number[], label: string, additive: boolean): void;
}

function NodeHeader({ view, onTake }: { view: NodeView; onTake: GroupPick }) {
  const n = view.node;
  const label = n ? `Node ${n.id}` : 'Node unknown';
  const mem = n ? formatMemory(n.memoryBytes) : '';
  return (
    <button
      type="button"
      className="group-header node-header"
      data-group={n ? `node-${n.id}` : 'node-unknown'}
      title={`Take every usable CPU of ${label.toLowerCase()} (Ctrl/Cmd adds)`}
      onClick={(e) => onTake(view.cpuIds, label, e.ctrlKey || e.metaKey)}
    >
      <strong>{label}</strong>
      <span>{plural(view.cpuIds.length, 'CPU')}</span>
      {n && <span className={n.memoryBytes === 0 ? 'warn-text' : ''}>{mem}</span>}
      {n?.distances && (
        <span className="distances" title="NUMA distances to each node">
          dist {n.distances.join(' ')}
        </span>
      )}
    </button>
  );
}

export function NodeBox({
  view,
  tree,
  selected,
  pending,
  focusCpu,
  showLoad,
  onTake,
  collapsed,
  onCollapse,
  caches,
  live,
}: {
  view: NodeView;
  tree: MapTree;
  selected: Set<number>;
  pending: Set<number>;
  focusCpu: number | null;
  showLoad: boolean;
  onTake: GroupPick;
  /** Its CPUs are folded into one summary strip (big machines: work on one node, keep the others short). */
  collapsed: boolean;
  onCollapse(collapsed: boolean): void;
  caches: CacheBoxes;
  /** The map is of the machine runs go to: its free memory is live. */
  live: boolean;
}) {
  const label = view.node ? `Node ${view.node.id}` : 'Node unknown';
  const intended = useIntendedNodes(tree, showLoad);
  const meant = view.node !== null && intended?.has(view.node.id) === true;
  const cpusId = `node-cpus-${view.key}`;
  return (
    <div
      className={['node-box', meant ? 'node-intended' : '', collapsed ? 'node-collapsed' : '']
        .filter(Boolean)
        .join(' ')}
      data-node={view.node?.id ?? 'unknown'}
      data-intended={intended && view.node ? meant : undefined}
      data-collapsed={collapsed}
    >
      <div className="node-header-row">
        <NodeToggle label={label} controls={cpusId} collapsed={collapsed} onCollapse={onCollapse} />
        <NodeHeader view={view} onTake={onTake} />
        {view.node && <NodeCapacity node={view.node} live={live} />}
        {view.node && <NodeMemoryBar node={view.node.id} tree={tree} shown={showLoad} />}
      </div>
      <CachesWithin caches={caches.within.get(view.key)} />
      {collapsed ? (
        <CollapsedNode
          id={cpusId}
          view={view}
          tree={tree}
          selected={selected}
          onExpand={() => onCollapse(false)}
        />
      ) : (
        <CacheFrame caches={caches.around.get(view.key)}>
          <div id={cpusId} className="node-cpus" role="group" aria-label={`${label} CPUs`}>
            {view.clusters.map((cl) => (
              <div
                key={cl.key}
                className={view.showClusters ? 'cluster-group' : 'cluster-flat'}
                role="group"
                aria-label={cl.cluster === null ? undefined : `cluster ${cl.cluster}`}
              >
                {view.showClusters && (
                  <button
                    type="button"
                    className="cluster-handle"
                    aria-label={`Take cluster ${cl.cluster} (${plural(cl.cores.length, 'core')})`}
                    title={`Cluster ${cl.cluster}: take its ${plural(cl.cores.length, 'core')}`}
                    onClick={(e) => onTake(cl.cpuIds, `cluster ${cl.cluster}`, e.ctrlKey || e.metaKey)}
                  />
                )}
                <CacheFrame caches={view.showClusters ? caches.around.get(cl.key) : undefined}>
                  {/* The listbox is per cluster, not per node: a listbox may hold only options, and the
                      cluster's take-all button sits beside its CPUs. */}
                  <div
                    className="cluster-cores"
                    role="listbox"
                    aria-multiselectable="true"
                    aria-label={
                      cl.cluster === null || !view.showClusters
                        ? `${label} CPUs`
                        : `${label} cluster ${cl.cluster} CPUs`
                    }
                  >
                    {coreRuns(cl.cores, view.showClusters ? undefined : caches.cores.get(view.key)).map(
                      (run, i) => {
                        const drawn = run.cores.map((core) => {
                          const own = caches.around.get(core.key);
                          const shared = view.showClusters ? caches.around.get(cl.key) : run.caches;
                          // A core's and cluster's caches also go in each cell's tooltip: the cell's own
                          // tooltip is the one shown on hover, and small frames carry no label.
                          const note = [...(own ?? []), ...(shared ?? [])].map(cacheTitle).join('; ');
                          const cell = (id: number, key: number | string) => (
                            <CpuCell
                              key={key}
                              cpu={tree.byId.get(id)!}
                              selected={selected.has(id)}
                              pending={pending.has(id)}
                              focusable={focusCpu === id}
                              showLoad={showLoad}
                              cacheNote={note}
                            />
                          );
                          // A one-CPU core with no cache box of its own: its box would be a flex box around
                          // one cell, which looks the same as the cell alone. Left out, a 384-CPU map has 384
                          // elements fewer to build on its first render.
                          if (core.cpus.length === 1 && !own) return cell(core.cpus[0]!.id, core.key);
                          const cells = core.cpus.map((c) => cell(c.id, c.id));
                          return (
                            <div
                              key={core.key}
                              className={core.cpus.length > 1 ? 'core-box smt' : 'core-box'}
                            >
                              {own ? (
                                <CacheFrame caches={own} quiet={core.cpus.length < 2}>
                                  <div className="cache-cells">{cells}</div>
                                </CacheFrame>
                              ) : (
                                cells
                              )}
                            </div>
                          );
                        });
                        return run.caches ? (
                          <CacheFrame key={`${run.key}@${i}`} caches={run.caches}>
                            <div className="cache-cores">{drawn}</div>
                          </CacheFrame>
                        ) : (
                          <Fragment key={`${run.key}@${i}`}>{drawn}</Fragment>
                        );
                      },
                    )}
                  </div>
                </CacheFrame>
              </div>
            ))}
          </div>
        </CacheFrame>
      )}
    </div>
  );
}

/**
 * A flat node's cores in runs: consecutive cores inside the same core-level cache (an L3 per CCX) form one run
 * drawn in that cache's box; cores in none stand alone.
 */
function coreRuns(
  cores: CoreView[],
  caches: CacheLabel[] | undefined,
): { key: string; cores: CoreView[]; caches: CacheLabel[] | undefined }[] {
  if (!caches) return [{ key: 'all', cores, caches: undefined }];
  const runs: { key: string; cores: CoreView[]; caches: CacheLabel[] | undefined }[] = [];
  for (const core of cores) {
    const id = core.cpus[0]!.id;
    const inside = caches.filter((c) => c.cpus.includes(id));
    const key = inside.map((c) => `${c.level}:${c.cpus[0]}`).join('|');
    const last = runs[runs.length - 1];
    if (last && last.key === key && key !== '') last.cores.push(core);
    else runs.push({ key: key || core.key, cores: [core], caches: inside.length ? inside : undefined });
  }
  return runs;
}
