import { useApp, useFieldProblem } from '../store';
import type { MemPolicy } from '../../../app/shared/command';
import { formatCpuList, parseCpuList } from '../../../app/shared/cpulist';
import { nodesTouched } from '../map/selection';
import { useSyncedText } from '../common/useSyncedText';

const POLICIES: { value: MemPolicy; label: string }[] = [
  { value: 'bind', label: 'bind (--membind)' },
  { value: 'preferred', label: 'preferred (--preferred)' },
  { value: 'interleave', label: 'interleave (--interleave)' },
  { value: 'local', label: 'local (--localalloc)' },
  { value: 'none', label: 'none (no memory policy)' },
];

/** numactl's memory policy and its nodes, which follow the selection's nodes unless set by hand. */
export function MemPolicyControl() {
  const { settings, patch, tree, topology } = useApp();
  const selectionNodes = tree ? nodesTouched(tree, settings.cpus) : [];
  const custom = settings.memNodes !== null;
  const needsNodes =
    settings.memPolicy === 'bind' ||
    settings.memPolicy === 'preferred' ||
    settings.memPolicy === 'interleave';
  const maxNode = Math.max(0, ...(topology?.nodes.map((n) => n.id) ?? [0]));
  const nodesField = useSyncedText(formatCpuList(settings.memNodes ?? []), (text) => {
    try {
      const nodes = parseCpuList(text, { max: maxNode });
      nodesField.expect(formatCpuList(nodes));
      patch({ memNodes: nodes });
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  });
  useFieldProblem('Memory nodes', custom && needsNodes ? nodesField.error : null);

  return (
    <div className="field-group" role="group" aria-label="Memory policy">
      <div className="field-row">
        <label htmlFor="mem-policy">Memory policy</label>
        <select
          id="mem-policy"
          data-testid="mem-policy"
          value={settings.memPolicy}
          onChange={(e) => patch({ memPolicy: e.target.value as MemPolicy })}
        >
          {POLICIES.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
      </div>
      {needsNodes && (
        <div className="field-row">
          <label className="toggle">
            <input
              type="checkbox"
              data-testid="mem-nodes-custom"
              checked={custom}
              onChange={(e) => patch({ memNodes: e.target.checked ? selectionNodes : null })}
            />
            choose nodes
          </label>
          {custom ? (
            <input
              type="text"
              className="mono narrow-wide"
              aria-label="Memory nodes"
              data-testid="mem-nodes"
              value={nodesField.text}
              onChange={(e) => nodesField.onChange(e.target.value)}
              aria-invalid={nodesField.error !== null}
            />
          ) : (
            <span className="muted" data-testid="mem-nodes-auto">
              {selectionNodes.length
                ? `nodes of the selection: ${selectionNodes.join(', ')}`
                : 'nodes of the selection (none yet)'}
            </span>
          )}
        </div>
      )}
      {nodesField.error && custom && <p className="inline-error">{nodesField.error}</p>}
    </div>
  );
}
