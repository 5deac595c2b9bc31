import { useApp, useFieldProblem } from '../store';
import type { MemPolicy } from '../../../app/shared/command';
import { formatCpuList, parseCpuList } from '../../../app/shared/cpulist';
import { nodesTouched } from '../map/selection';
import { useSyncedText } from '../common/useSyncedText';
import { useHelp } from './Help';

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
  const help = useHelp(
    'Memory policy',
    <>
      <p>
        Where numactl puts the run&apos;s memory: <b>bind</b> only on the nodes, <b>preferred</b> on them
        while they have room, <b>interleave</b> spread over them page by page, <b>local</b> on the node where
        the allocating thread runs, <b>none</b> leaves it to the kernel.
      </p>
      <p>
        The nodes are those of the selected CPUs (a node without memory replaced by its nearest node with
        memory) unless you choose them. When numactl binds elsewhere than exactly node 0, prefers or
        interleaves, the command also sets <code>AIO_MEM_BIND=0</code>, since the engine&apos;s own binding
        always means node 0, unless you set <code>AIO_MEM_BIND</code> yourself.
      </p>
    </>,
    'mem-policy-help',
  );

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
        {help.button}
      </div>
      {help.panel}
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
