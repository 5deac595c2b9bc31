import type { MapTree, NodeView } from './model';
import { unavailableReason } from './model';
import { plural } from '../common/format';

/** The ▾/▸ button before a node's header: folds the node's CPUs away or shows them again. */
export function NodeToggle({
  label,
  controls,
  collapsed,
  onCollapse,
}: {
  label: string;
  controls: string;
  collapsed: boolean;
  onCollapse(collapsed: boolean): void;
}) {
  return (
    <button
      type="button"
      className="node-toggle"
      aria-expanded={!collapsed}
      aria-controls={controls}
      aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${label}`}
      title={
        collapsed ? `Show the CPUs of ${label.toLowerCase()}` : `Fold ${label.toLowerCase()} into one line`
      }
      onClick={() => onCollapse(!collapsed)}
    >
      {collapsed ? '▸' : '▾'}
    </button>
  );
}

/**
 * A folded node: how many of its CPUs are selected, and one tick per CPU in map order (selected filled,
 * unavailable hatched), so a selection hidden in a folded node is still seen. A click unfolds it.
 */
export function CollapsedNode({
  id,
  view,
  tree,
  selected,
  onExpand,
}: {
  id: string;
  view: NodeView;
  tree: MapTree;
  selected: Set<number>;
  onExpand(): void;
}) {
  const picked = view.cpuIds.filter((c) => selected.has(c)).length;
  const label = view.node ? `node ${view.node.id}` : 'node unknown';
  return (
    <button
      type="button"
      id={id}
      className="node-fold"
      data-selected-count={picked}
      title={`Show the CPUs of ${label}`}
      onClick={onExpand}
    >
      <span className="node-fold-text">
        {plural(view.cpuIds.length, 'CPU')} folded · {picked} selected
      </span>
      <span className="node-fold-ticks" aria-hidden="true">
        {view.cpuIds.map((c) => {
          const cpu = tree.byId.get(c);
          const cls = selected.has(c)
            ? 'tick is-selected'
            : cpu && unavailableReason(cpu)
              ? 'tick unavailable'
              : 'tick';
          return <i key={c} className={cls} />;
        })}
      </span>
    </button>
  );
}
