import { useLayoutEffect, useMemo, useState } from 'react';
import type { MapTree } from './model';
import { PackageBox } from './PackageBox';
import { usePicking } from './usePicking';
import { expandPick } from './selection';
import { formatMemory } from '../common/format';
import type { CacheInfo } from '../../../app/shared/topology';
import { cacheBoxes } from './cacheBoxes';

/**
 * The CPU map: packages → nodes → clusters → cores → threads, every CPU a small cell. Picking is described in
 * usePicking; group headers take all usable CPUs of their group.
 */
export function TopologyMap({
  tree,
  selection,
  withSiblings,
  showLoad,
  live,
  caches,
  onChange,
  onStatus,
}: {
  tree: MapTree;
  selection: number[];
  withSiblings: boolean;
  /** Paint each CPU's load: only on a map of the machine whose load is sampled. */
  showLoad: boolean;
  /** The map is of the machine runs go to (its free memory per node is live). */
  live: boolean;
  caches: CacheInfo[];
  onChange(ids: number[]): void;
  onStatus(msg: string): void;
}) {
  // Read by `npm run bench` (bench/browser.bench.ts): a new machine's cells are in the page.
  useLayoutEffect(() => void performance.mark('aio:map-rendered'), [tree]);
  const selected = useMemo(() => new Set(selection), [selection]);
  const boxes = useMemo(() => cacheBoxes(tree, caches), [tree, caches]);
  // Folded nodes belong to the map they were folded on: another topology starts with every node open.
  const [folded, setFolded] = useState<{ tree: MapTree; keys: Set<string> }>({ tree, keys: new Set() });
  const collapsed = folded.tree === tree ? folded.keys : EMPTY;
  const setCollapsed = (key: string, fold: boolean) => {
    const keys = new Set(collapsed);
    if (fold) keys.add(key);
    else keys.delete(key);
    setFolded({ tree, keys });
  };
  // Arrow keys walk the CPUs on screen: a folded node's cells are not there to focus.
  const shown = useMemo(() => {
    if (collapsed.size === 0) return tree.order;
    const hidden = new Set(
      tree.packages.flatMap((p) => p.nodes.filter((n) => collapsed.has(n.key)).flatMap((n) => n.cpuIds)),
    );
    return tree.order.filter((id) => !hidden.has(id));
  }, [tree, collapsed]);
  const { containerRef, focusCpu, band, pending, handlers } = usePicking({
    tree,
    shown,
    selection,
    withSiblings,
    onChange,
    onStatus,
  });

  const takeGroup = (ids: number[], label: string, additive: boolean) => {
    const picked = expandPick(tree, ids, withSiblings);
    if (picked.length === 0) {
      onStatus(`No usable CPU in ${label}.`);
      return;
    }
    if (additive && picked.every((id) => selected.has(id))) {
      const drop = new Set(picked);
      onChange(selection.filter((id) => !drop.has(id)));
      return;
    }
    onChange(additive ? [...selection, ...picked] : picked);
    onStatus(`Took ${picked.length} CPU(s) of ${label}.`);
  };

  return (
    <div
      className={`topology-map density-${density(tree.order.length)}`}
      data-testid="topology-map"
      ref={containerRef}
      {...handlers}
    >
      {tree.packages.map((p) => (
        <PackageBox
          key={p.key}
          view={p}
          tree={tree}
          selected={selected}
          pending={pending}
          focusCpu={focusCpu}
          showLoad={showLoad}
          onTake={takeGroup}
          collapsed={collapsed}
          onCollapse={setCollapsed}
          caches={boxes}
          live={live}
        />
      ))}
      {tree.cpulessNodes.length > 0 && (
        <div className="cpuless-nodes" aria-label="Nodes without CPUs">
          {tree.cpulessNodes.map((n) => (
            <span key={n.id} className="cpuless-node" data-node={n.id}>
              Node {n.id}: no CPUs · {formatMemory(n.memoryBytes)}
            </span>
          ))}
        </div>
      )}
      {band && (
        <div
          className="rubber-band"
          style={{ left: band.left, top: band.top, width: band.width, height: band.height }}
          aria-hidden="true"
        />
      )}
    </div>
  );
}

const EMPTY: ReadonlySet<string> = new Set();

/**
 * Bigger cells while they fit: small machines read better; past 256 CPUs compact cells keep a 384-CPU machine
 * with two-core clusters (arm64 servers) on one screen's width, each node a few rows.
 */
function density(cpus: number): 'roomy' | 'normal' | 'compact' {
  return cpus <= 192 ? 'roomy' : cpus <= 256 ? 'normal' : 'compact';
}
