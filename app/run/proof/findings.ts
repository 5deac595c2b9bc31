/**
 * Placement findings (issue 13) from a run's proof, judged against its plan. Placeholder until they land.
 */
import type { Finding } from '../../shared/findings';
import type { RunProof } from '../../shared/proof';
import type { Topology } from '../../shared/topology';

export interface PlacementPlan {
  /** The CPUs the run was bound to (empty = not bound). */
  cpus: readonly number[];
  /** The NUMA nodes memory was meant for (membind/preferred nodes, else those of the CPUs); null = any. */
  memNodes: readonly number[] | null;
  topology: Topology;
}

export function placementFindings(_proof: RunProof, _plan: PlacementPlan): Finding[] {
  return [];
}
