import { useState } from 'react';
import { call } from '../api';
import { useApp } from '../store';
import { usablePhysicalCoreCount } from '../../../app/shared/presets';
import type { ApiParamsOf } from '../../../app/shared/contract';

type PresetParams = ApiParamsOf<'cpus.preset'>;

/** N until the user types one: 16 cores, or every usable core on a smaller machine (a preset never clamps). */
const DEFAULT_COUNT = 16;

/** One-click selections computed by the engine (one thread per physical core, usable CPUs only). */
export function Presets() {
  const { topology, selectCpus, setStatus } = useApp();
  const nodes = (topology?.nodes ?? []).filter((n) => n.cpus.length > 0);
  const [typed, setCount] = useState<number | null>(null);
  const count =
    typed ?? Math.max(1, Math.min(DEFAULT_COUNT, topology ? usablePhysicalCoreCount(topology) : 0));
  const [node, setNode] = useState<number>(nodes[0]?.id ?? 0);
  const nodeValue = nodes.some((n) => n.id === node) ? node : (nodes[0]?.id ?? 0);

  const run = (params: PresetParams, what: string) => {
    call('cpus.preset', params).then(
      (r) => {
        selectCpus(r.cpus);
        setStatus(`${what}: ${r.cpus.length} CPU(s).`);
      },
      // The engine refuses what this machine cannot give ("only 160 usable cores"); the selection stays.
      (e: Error) => setStatus(`${what}: ${e.message}`),
    );
  };

  return (
    <div className="presets" role="group" aria-label="Selection presets">
      <label>
        N
        <input
          type="number"
          min={1}
          className="narrow"
          aria-label="Number of cores"
          data-testid="preset-count"
          value={count}
          onChange={(e) => setCount(Math.max(1, Number(e.target.value) || 1))}
        />
      </label>
      <label>
        node
        <select
          aria-label="Node"
          data-testid="preset-node"
          value={nodeValue}
          onChange={(e) => setNode(Number(e.target.value))}
        >
          {nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.id}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => run({ preset: 'first', count }, `First ${count} cores`)}>
        First N cores
      </button>
      <button
        type="button"
        onClick={() =>
          run({ preset: 'node-count', count, node: nodeValue }, `${count} cores on node ${nodeValue}`)
        }
      >
        N on node
      </button>
      <button type="button" onClick={() => run({ preset: 'node', node: nodeValue }, `Node ${nodeValue}`)}>
        Whole node
      </button>
      <button type="button" onClick={() => run({ preset: 'spread', count }, `${count} spread over nodes`)}>
        Spread N
      </button>
      {(topology?.coreTypes?.length ?? 0) > 1 && (
        <button
          type="button"
          title={`Only the fastest core type: ${topology!.coreTypes![0]!.name}`}
          onClick={() => run({ preset: 'fastest-type' }, `Fastest type (${topology!.coreTypes![0]!.name})`)}
        >
          Fastest type
        </button>
      )}
      <button type="button" onClick={() => run({ preset: 'all' }, 'All available cores')}>
        All
      </button>
      <button type="button" onClick={() => run({ preset: 'clear' }, 'Cleared')}>
        Clear
      </button>
    </div>
  );
}
