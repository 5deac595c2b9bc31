import type { NodeInfo } from '../../../app/shared/topology';
import { useLiveNodeFree } from './loadHistory';
import { useMapPlacement } from './proofStore';
import { formatBytes } from '../common/format';
import './nodeCapacity.css';

/**
 * A node's memory as lstopo and numastat give it: one bar the length of the node's total, filled with what is in
 * use (total minus free), and inside that, during or after a run, the run's own resident share on the node.
 * Free memory is live only on the machine runs go to (each load sample carries it); a dump or an import has at
 * most the value read with it, and the bar says "not live".
 */
export function NodeCapacity({ node, live }: { node: NodeInfo; live: boolean }) {
  const sampled = useLiveNodeFree(node.id);
  const placement = useMapPlacement(live);
  const total = node.memoryBytes;
  if (total === null || total === 0) return null;
  const free = live && sampled !== null ? sampled : node.freeBytes;
  const run = placement?.memoryByNode.get(node.id) ?? null;
  const used = free === null ? null : Math.max(0, total - free);
  const pct = (v: number) => `${Math.min(100, (v / total) * 100).toFixed(1)}%`;
  const freeText =
    free === null
      ? 'free: not live'
      : live
        ? `${formatBytes(free)} free`
        : `${formatBytes(free)} free when read, not live`;
  const runText = run !== null && run > 0 ? `run ${formatBytes(run)}` : null;
  const label =
    `Node ${node.id} memory: ${formatBytes(total)} total, ${freeText}` +
    (runText ? `, ${runText} of it` : '');
  return (
    <span
      className="node-capacity"
      data-testid="node-capacity"
      data-node={node.id}
      data-total={total}
      data-free={free ?? undefined}
      data-live={live && free !== null}
      data-sampled={live && sampled !== null}
      data-run={run ?? undefined}
      role="img"
      aria-label={label}
      title={
        label +
        (live
          ? ' — free memory is read again with each load sample (while the map is on screen)'
          : ' — this map is not of the machine runs go to')
      }
    >
      <span className="node-capacity-track">
        {used !== null && <span className="node-capacity-used" style={{ width: pct(used) }} />}
        {runText && <span className="node-capacity-run" style={{ width: pct(run!) }} />}
      </span>
      <span className="node-capacity-text">
        {formatBytes(total)} · {freeText}
        {runText ? ` · ${runText}` : ''}
      </span>
    </span>
  );
}
