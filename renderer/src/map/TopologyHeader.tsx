import { useState } from 'react';
import type { Topology } from '../../../app/shared/topology';
import { cacheSummary } from './cacheSummary';
import { ImportTopologyDialog } from './ImportTopologyDialog';
import { call } from '../api';
import { formatMemory, plural } from '../common/format';

const SOURCE_TEXT: Record<Topology['source'], string> = {
  sysfs: 'sysfs',
  lscpu: 'lscpu summary',
  'lscpu-p': 'lscpu -p',
  'lscpu-e': 'lscpu -e',
  'lscpu-J': 'lscpu -J',
  'numactl-H': 'numactl -H',
  systeminformation: 'systeminformation',
  'hwloc-xml': 'hwloc XML',
};

/** What machine this is, where the picture came from, and the way to swap it for another one. */
export function TopologyHeader({
  topology,
  onLoaded,
  onError,
}: {
  topology: Topology;
  onLoaded(t: Topology): void;
  onError(msg: string): void;
}) {
  const [importing, setImporting] = useState(false);
  // An imported dump archive or bundle is read like sysfs (source "sysfs") but is another machine all the same.
  const isImported =
    (topology.source !== 'sysfs' && topology.source !== 'systeminformation') ||
    /\.(?:tar\.gz|tgz)$/i.test(topology.origin ?? '');
  const online = topology.cpus.filter((c) => c.online).length;
  const backToHost = () => {
    call('topology.load', { kind: 'host' }).then(onLoaded, (e: Error) => onError(e.message));
  };
  return (
    <div className="topology-header" data-testid="topology-header">
      <div className="topology-title">
        <h2 data-testid="cpu-model">{topology.model ?? 'Unknown CPU'}</h2>
        <span className="muted">
          {topology.arch ?? 'arch unknown'} · {plural(topology.packages.length, 'package')} ·{' '}
          {plural(topology.nodes.length, 'node')} · {plural(topology.cpus.length, 'CPU')}
          {online !== topology.cpus.length ? ` (${online} online)` : ''}
          {topology.memTotalBytes ? ` · ${formatMemory(topology.memTotalBytes)}` : ''}
        </span>
      </div>
      <div className="topology-caches muted" data-testid="cache-summary">
        {cacheSummary(topology.caches)}
      </div>
      <div className="topology-source">
        <span data-testid="topology-origin">
          Source: <strong>{topology.origin ?? 'this host'}</strong> ({SOURCE_TEXT[topology.source]})
        </span>
        <button type="button" onClick={() => setImporting(true)}>
          Import topology…
        </button>
        {isImported && (
          <button
            type="button"
            onClick={backToHost}
            title="Read the machine this tool runs on (or its --sysroot)"
          >
            Back to this host
          </button>
        )}
      </div>
      {topology.bindingSupported === false && (
        <div className="banner warn" role="note">
          This host is not Linux: the map is approximate and binding (numactl) needs Linux. Import a Linux
          machine's lscpu output to plan for it.
        </div>
      )}
      {topology.coarse && (
        <div className="banner info" role="note">
          Coarse import: only summary data was given, so cores and clusters are approximated from ranges.
        </div>
      )}
      {(topology.notes ?? []).length > 0 && (
        <ul className="topology-notes" data-testid="topology-notes">
          {topology.notes!.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <ImportTopologyDialog
        open={importing}
        onClose={() => setImporting(false)}
        onLoaded={(t) => {
          setImporting(false);
          onLoaded(t);
        }}
      />
    </div>
  );
}
