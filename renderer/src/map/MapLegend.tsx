/**
 * The map's legend: one entry for every colour and mark the map draws, each with a swatch made of the same CSS
 * as the mark itself, so the legend cannot drift from the map. Channels never share a means: selection is the
 * cell's fill, unavailability its texture, keyboard focus an outline, load a meter along the bottom edge and a
 * sparkline above it, core type a stripe along the top edge, the run's threads a badge and a bar up the left
 * edge, caches frames around groups, memory a bar per node.
 */
import type { Topology } from '../../../app/shared/topology';
import type { MapTree } from './model';
import { useLiveLoad } from '../run/liveLoad';
import { useAnyHeld } from './heldCpus';
import { PlacementLegend } from './PlacementLegend';
import { useHasLoadHistory } from './loadHistory';
import './caches.css';
import './sparkline.css';
import './nodeCapacity.css';

export type LoadOnMap = 'shown' | 'not-sampled' | 'other-machine';

const HIDDEN_TEXT: Record<Exclude<LoadOnMap, 'shown'>, string> = {
  'not-sampled': 'CPU load is not shown: this map describes another machine than the one runs go to',
  'other-machine': "The last run's CPU load is not shown: it ran on another machine than this map's",
};

/** The load entries: what the meter means while there is load to show, or why it is not on this map. */
function LoadLegend({ load }: { load: LoadOnMap }) {
  const { live, average } = useLiveLoad();
  if (!live && average.size === 0) return null;
  if (load !== 'shown') return <span data-testid="map-load-hidden">{HIDDEN_TEXT[load]}</span>;
  return (
    <span data-testid="map-legend-load">
      <i className="cpu-cell legend-load-cell" aria-hidden="true">
        <span className="cpu-load-meter">
          <span className="cpu-load-fill" style={{ width: '25%' }} />
        </span>
      </i>
      <i className="cpu-cell legend-load-cell" aria-hidden="true">
        <span className="cpu-load-meter">
          <span className="cpu-load-fill" style={{ width: '100%' }} />
        </span>
      </i>
      {live ? 'CPU load now' : 'CPU load, average over the last run'}: the bar along a cell's bottom fills
      with its busy share (here 25% and 100%)
    </span>
  );
}

function SparklineLegend({ load }: { load: LoadOnMap }) {
  const has = useHasLoadHistory();
  if (!has || load !== 'shown') return null;
  return (
    <span data-testid="map-legend-sparkline">
      <i className="cpu-cell legend-load-cell" aria-hidden="true">
        <svg className="cpu-sparkline" viewBox="0 0 60 10" preserveAspectRatio="none">
          <path d="M0 9L15 9L20 2L40 1L45 8L60 8" vectorEffect="non-scaling-stroke" />
        </svg>
      </i>
      the line above it: that CPU&apos;s load over the last 60 s (newest at the right), sampled while the map
      is on screen
    </span>
  );
}

/** Shown while another run of this tool holds CPUs of the machine on the map. */
function HeldLegend({ load }: { load: LoadOnMap }) {
  const any = useAnyHeld();
  if (!any || load !== 'shown') return null;
  return (
    <span data-testid="map-legend-held">
      <i className="cpu-cell held" aria-hidden="true" /> in use by another run of AIO Tuner (hover for which)
    </span>
  );
}

export function MapLegend({ tree, topology, load }: { tree: MapTree; topology: Topology; load: LoadOnMap }) {
  const caches = topology.caches.some((c) => c.level >= 2);
  const memory = topology.nodes.some((n) => n.memoryBytes !== null && n.memoryBytes > 0);
  return (
    <div className="map-legend muted" data-testid="map-legend">
      <span data-legend="selected">
        <i className="cpu-cell cpu-usable is-selected" aria-hidden="true" /> selected (filled)
      </span>
      <span data-legend="usable">
        <i className="cpu-cell cpu-usable" aria-hidden="true" /> usable
      </span>
      <span data-legend="focus">
        <i className="cpu-cell cpu-usable legend-focus" aria-hidden="true" /> keyboard focus (outline)
      </span>
      <span data-legend="offline">
        <i className="cpu-cell cpu-offline" aria-hidden="true" /> offline
      </span>
      <span data-legend="isolated">
        <i className="cpu-cell cpu-isolated" aria-hidden="true" /> isolated
      </span>
      <span data-legend="not-allowed">
        <i className="cpu-cell cpu-not-allowed" aria-hidden="true" /> not allowed
      </span>
      {caches && (
        <span data-legend="cache" data-testid="map-legend-cache">
          <i className="cache-box legend-cache" aria-hidden="true">
            <span className="cache-label">L3</span>
          </i>
          a frame around the CPUs that share a cache, labelled with its level and size (hover for the CPUs)
        </span>
      )}
      {memory && (
        <span data-legend="memory" data-testid="map-legend-memory">
          <i className="node-capacity-track legend-memory" aria-hidden="true">
            <span className="node-capacity-used" style={{ width: '60%' }} />
            <span className="node-capacity-run" style={{ width: '25%' }} />
          </i>
          node memory: the bar is the node&apos;s total, filled with what is in use
          {topology.loadSampled ? ' (live)' : ''}, the run&apos;s own share darker at its start; the rest is
          free
        </span>
      )}
      <LoadLegend load={load} />
      <SparklineLegend load={load} />
      <PlacementLegend sampled={load === 'shown'} />
      <HeldLegend load={load} />
      {tree.unknownAvailability && (
        <span data-testid="availability-unknown">
          Isolation and affinity: unknown for an imported topology (CPUs can be picked)
        </span>
      )}
      <span>
        Click, Shift-click a range, drag a rectangle, Ctrl/Cmd-click to toggle, click a header for a whole
        group
        {tree.smt ? ', Alt-click for a single SMT thread' : ''}. Keys: Tab into the map, arrows to move, Space
        or Enter to toggle, Shift+arrows to extend, Ctrl+A all, Escape none.
      </span>
    </div>
  );
}
