import { useEffect, useState } from 'react';
import type { Topology } from '../../../app/shared/topology';
import { useApp } from '../store';
import { TopologyHeader } from './TopologyHeader';
import { TopologyMap } from './TopologyMap';
import { SelectionSummary } from './SelectionSummary';
import { Presets } from '../command/Presets';
import { CpuListField } from '../command/CpuListField';
import { useLiveLoad } from '../run/liveLoad';
import { useAnyHeld } from './heldCpus';
import { PlacementLegend } from './PlacementLegend';
import { CoreTypeLegend, CoreTypeShading } from './CoreTypeLegend';

/** The first screen's left side: what the machine is, how to pick, and the map itself. */
export function MapPanel() {
  const {
    topology,
    tree,
    settings,
    selectCpus,
    withSiblings,
    setWithSiblings,
    status,
    setStatus,
    setTopology,
    setError,
  } = useApp();
  const load = useLoadOnThisMap(topology);
  if (!topology || !tree) return <p className="muted loading">Reading topology…</p>;
  const showLoad = load === 'shown';
  return (
    <div className="map-panel">
      <TopologyHeader topology={topology} onLoaded={setTopology} onError={setError} />
      <div className="picker-bar">
        <SelectionSummary
          tree={tree}
          nodes={topology.nodes}
          selection={settings.cpus}
          withSiblings={withSiblings}
          onWithSiblings={setWithSiblings}
          status={status}
        />
        <div className="picker-tools">
          <Presets />
          <CpuListField />
        </div>
      </div>
      <TopologyMap
        tree={tree}
        selection={settings.cpus}
        withSiblings={withSiblings}
        showLoad={showLoad}
        onChange={selectCpus}
        onStatus={setStatus}
      />
      <CoreTypeShading types={topology.coreTypes} />
      <MapLegend smt={tree.smt} unknown={tree.unknownAvailability} load={load} />
      <CoreTypeLegend types={topology.coreTypes} />
    </div>
  );
}

type LoadOnMap = 'shown' | 'not-sampled' | 'other-machine';

/**
 * Whether the load in the live-load store belongs on this map. Only a map the engine marks as the sampled
 * machine can show it, and a run's average only on the machine it was measured on: after switching targets, the
 * last run's load is another machine's.
 */
function useLoadOnThisMap(topology: Topology | null): LoadOnMap {
  const { live } = useLiveLoad();
  const machine = topology?.loadSampled ? `${topology.source}:${topology.origin ?? ''}` : null;
  const [measuredOn, setMeasuredOn] = useState<string | null>(null);
  useEffect(() => {
    // Samples come only while a run goes, and targets cannot be switched then: they are this machine's.
    if (live && machine !== null) setMeasuredOn(machine);
  }, [live, machine]);
  if (machine === null) return 'not-sampled';
  return live || measuredOn === null || measuredOn === machine ? 'shown' : 'other-machine';
}

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
      <i className="cpu-cell legend-load-cell">
        <span className="cpu-load-meter">
          <span className="cpu-load-fill" style={{ width: '25%' }} />
        </span>
      </i>
      <i className="cpu-cell legend-load-cell">
        <span className="cpu-load-meter">
          <span className="cpu-load-fill" style={{ width: '100%' }} />
        </span>
      </i>
      {live ? 'CPU load now' : 'CPU load, average over the last run'}: the bar along a cell's bottom fills
      with its busy share (here 25% and 100%)
    </span>
  );
}

/** Shown while another run of this tool holds CPUs of the machine on the map. */
function HeldLegend({ load }: { load: LoadOnMap }) {
  const any = useAnyHeld();
  if (!any || load !== 'shown') return null;
  return (
    <span data-testid="map-legend-held">
      <i className="cpu-cell held" /> in use by another run of AIO Tuner (hover for which)
    </span>
  );
}

function MapLegend({ smt, unknown, load }: { smt: boolean; unknown: boolean; load: LoadOnMap }) {
  return (
    <div className="map-legend muted" aria-hidden="true">
      <span>
        <i className="cpu-cell cpu-usable is-selected" /> selected
      </span>
      <span>
        <i className="cpu-cell cpu-offline" /> offline
      </span>
      <span>
        <i className="cpu-cell cpu-isolated" /> isolated
      </span>
      <span>
        <i className="cpu-cell cpu-not-allowed" /> not allowed
      </span>
      <LoadLegend load={load} />
      <PlacementLegend sampled={load === 'shown'} />
      <HeldLegend load={load} />
      {unknown && (
        <span data-testid="availability-unknown">
          Isolation and affinity: unknown for an imported topology (CPUs can be picked)
        </span>
      )}
      <span>
        Click, Shift-click a range, drag a rectangle, Ctrl/Cmd-click to toggle, click a header for a whole
        group
        {smt ? ', Alt-click for a single SMT thread' : ''}. Keys: arrows, Space, Shift+arrows.
      </span>
    </div>
  );
}
