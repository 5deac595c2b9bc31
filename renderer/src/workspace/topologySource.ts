import type { Topology } from '../../../app/shared/topology';

export type SourceKind = 'host' | 'sysroot' | 'imported';

/**
 * Where the map's picture came from: this host, the dump the engine was started on (`--sysroot`), or a file
 * imported since. The engine's start-up origin tells a sysroot from an import of the same kind of dump.
 */
export function topologySource(
  topology: Pick<Topology, 'source' | 'origin'>,
  startOrigin: string | null,
): { kind: SourceKind; text: string } {
  const origin = topology.origin ?? 'this host';
  const read = topology.source === 'sysfs' || topology.source === 'systeminformation';
  if (read && origin === 'this host') return { kind: 'host', text: 'this host' };
  if (read && startOrigin !== null && origin === startOrigin) return { kind: 'sysroot', text: origin };
  return { kind: 'imported', text: origin };
}
