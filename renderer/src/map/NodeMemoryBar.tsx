import { useMemo } from 'react';
import type { MapTree } from './model';
import { intendedNodes, memoryBars } from './placement';
import { useMapPlacement, usePlacementPlan } from './proofStore';
import { formatBytes } from '../common/format';

/** The nodes the shown run meant (memNodes, else its CPUs' nodes): their boxes are highlighted. */
export function useIntendedNodes(tree: MapTree, shown: boolean): Set<number> | null {
  const view = useMapPlacement(shown);
  const plan = usePlacementPlan();
  return useMemo(
    () => (view ? intendedNodes(tree.byId, plan.cpus, plan.memNodes) : null),
    [view, plan, tree],
  );
}

/**
 * The run's resident memory on one node, beside its header: the bar compares nodes with each other (the biggest
 * is full length); memory on a node the run did not mean is in the warning colour.
 */
export function NodeMemoryBar({ node, tree, shown }: { node: number; tree: MapTree; shown: boolean }) {
  const view = useMapPlacement(shown);
  const intended = useIntendedNodes(tree, shown);
  if (!view || !intended || view.memoryByNode.size === 0) return null;
  const bar = memoryBars(view.memoryByNode, intended, [node]).find((b) => b.node === node);
  if (!bar) return null;
  const remote = bar.bytes > 0 && !bar.intended;
  const text = `${formatBytes(bar.bytes)}${bar.share > 0 ? ` (${Math.round(bar.share * 100)}%)` : ''}`;
  return (
    <span
      className={remote ? 'node-memory remote' : 'node-memory'}
      data-testid="node-memory"
      data-node={node}
      data-bytes={bar.bytes}
      data-intended={bar.intended}
      data-remote={remote}
      title={
        `The run's resident memory on node ${node}: ${text}` +
        (bar.intended ? ' — a node the selection meant' : remote ? ' — NOT a node the selection meant' : '')
      }
    >
      <span className="node-memory-label">run memory</span>
      <span className="node-memory-track">
        <span className="node-memory-fill" style={{ width: `${Math.round(bar.width * 100)}%` }} />
      </span>
      <span className="node-memory-value">{text}</span>
    </span>
  );
}
