import type { Topology } from '../../app/shared/topology';

/**
 * What must be equal between two reads of the same machine: free memory moves, origin names the path, and a
 * `--json` print carries the record's schemaVersion, which an in-memory read does not.
 */
export function comparableTopology(t: Topology): Omit<Topology, 'origin'> & { origin: null } {
  const { schemaVersion: _version, ...rest } = t as Topology & { schemaVersion?: number };
  return { ...rest, origin: null, nodes: rest.nodes.map((n) => ({ ...n, freeBytes: null })) };
}
