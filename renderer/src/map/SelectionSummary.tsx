import type { MapTree } from './model';
import { nodesTouched } from './selection';
import { formatMemory, plural } from '../common/format';
import type { NodeInfo } from '../../../app/shared/topology';

/** Always-visible facts about the selection, the SMT sibling switch, and the last picking message. */
export function SelectionSummary({
  tree,
  nodes,
  selection,
  withSiblings,
  onWithSiblings,
  status,
}: {
  tree: MapTree;
  nodes: NodeInfo[];
  selection: number[];
  withSiblings: boolean;
  onWithSiblings(v: boolean): void;
  status: string;
}) {
  const touched = nodesTouched(tree, selection);
  const mem = touched.map((id) => nodes.find((n) => n.id === id)?.memoryBytes ?? null);
  const memKnown = mem.every((m) => m !== null);
  const memTotal = mem.reduce<number>((a, m) => a + (m ?? 0), 0);
  return (
    <div className="selection-summary" data-testid="selection-summary">
      <span data-testid="selection-count">
        <strong>{plural(selection.length, 'CPU')}</strong> selected
      </span>
      <span data-testid="selection-nodes">
        {touched.length === 0
          ? 'no node'
          : `${touched.length === 1 ? 'node' : 'nodes'} ${touched.join(', ')}`}
      </span>
      <span data-testid="selection-memory">
        {touched.length === 0
          ? ''
          : memKnown
            ? `${formatMemory(memTotal)} on those nodes`
            : 'node memory unknown'}
      </span>
      {tree.smt && (
        <label className="toggle">
          <input type="checkbox" checked={withSiblings} onChange={(e) => onWithSiblings(e.target.checked)} />
          include SMT siblings
        </label>
      )}
      <span className="status-line" role="status" aria-live="polite" data-testid="pick-status">
        {status}
      </span>
    </div>
  );
}
