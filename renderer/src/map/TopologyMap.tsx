import { useMemo } from 'react';
import type { MapTree } from './model';
import { PackageBox } from './PackageBox';
import { usePicking } from './usePicking';
import { expandPick } from './selection';
import { formatMemory } from '../common/format';

/**
 * The CPU map: packages → nodes → clusters → cores → threads, every CPU a small cell. Picking is described in
 * usePicking; group headers take all usable CPUs of their group.
 */
export function TopologyMap({
  tree,
  selection,
  withSiblings,
  showLoad,
  onChange,
  onStatus,
}: {
  tree: MapTree;
  selection: number[];
  withSiblings: boolean;
  /** Paint each CPU's load: only on a map of the machine whose load is sampled. */
  showLoad: boolean;
  onChange(ids: number[]): void;
  onStatus(msg: string): void;
}) {
  const selected = useMemo(() => new Set(selection), [selection]);
  const { containerRef, focusCpu, band, pending, handlers } = usePicking({
    tree,
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

/** Bigger cells while they fit: small machines read better, 384 CPUs still fit 1920 px without scrolling sideways. */
function density(cpus: number): 'roomy' | 'normal' {
  return cpus <= 192 ? 'roomy' : 'normal';
}
