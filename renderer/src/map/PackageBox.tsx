import type { MapTree, PackageView } from './model';
import { NodeBox, type GroupPick } from './NodeBox';
import { plural } from '../common/format';
import type { CacheBoxes } from './cacheBoxes';
import { CacheFrame, CachesWithin } from './CacheFrame';

export function PackageBox({
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
  view: PackageView;
  tree: MapTree;
  selected: Set<number>;
  pending: Set<number>;
  focusCpu: number | null;
  showLoad: boolean;
  onTake: GroupPick;
  /** Keys of the folded nodes. */
  collapsed: ReadonlySet<string>;
  onCollapse(nodeKey: string, collapsed: boolean): void;
  caches: CacheBoxes;
  live: boolean;
}) {
  // Package ids are opaque kernel labels (56, 76…): show them as they are.
  const label = view.id === null ? 'Package unknown' : `Package ${view.id}`;
  return (
    <div className="package-box" data-package={view.id ?? 'unknown'} role="group" aria-label={label}>
      <button
        type="button"
        className="group-header package-header"
        data-group={view.id === null ? 'package-unknown' : `package-${view.id}`}
        title={`Take every usable CPU of ${label.toLowerCase()} (Ctrl/Cmd adds)`}
        onClick={(e) => onTake(view.cpuIds, label.toLowerCase(), e.ctrlKey || e.metaKey)}
      >
        <strong>{label}</strong>
        <span>
          {plural(view.nodes.length, 'node')} · {plural(view.cpuIds.length, 'CPU')}
        </span>
      </button>
      <CachesWithin caches={caches.within.get(view.key)} />
      <CacheFrame caches={caches.around.get(view.key)}>
        <div className="package-nodes">
          {view.nodes.map((n) => (
            <NodeBox
              key={n.key}
              view={n}
              tree={tree}
              selected={selected}
              pending={pending}
              focusCpu={focusCpu}
              showLoad={showLoad}
              onTake={onTake}
              collapsed={collapsed.has(n.key)}
              onCollapse={(fold) => onCollapse(n.key, fold)}
              caches={caches}
              live={live}
            />
          ))}
        </div>
      </CacheFrame>
    </div>
  );
}
