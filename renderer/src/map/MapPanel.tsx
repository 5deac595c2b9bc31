import { useEffect, useRef, useState } from 'react';
import type { Topology } from '../../../app/shared/topology';
import { useApp } from '../store';
import { TopologyHeader } from './TopologyHeader';
import { TopologyMap } from './TopologyMap';
import { SelectionSummary } from './SelectionSummary';
import { Presets } from '../command/Presets';
import { CpuListField } from '../command/CpuListField';
import { useLiveLoad } from '../run/liveLoad';
import { CoreTypeLegend, CoreTypeShading } from './CoreTypeLegend';
import { MapLegend, type LoadOnMap } from './MapLegend';
import { resetLoadHistory } from './loadHistory';
import { useMapLoadWatch, usePageVisible } from './loadWatch';
import { AREAS_WITH_MAP, useWorkspace } from '../workspace/areas';

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
  const { area } = useWorkspace();
  const visible = usePageVisible();
  // Sparklines and free memory stay live while the map is on screen, run or no run.
  useMapLoadWatch(topology?.loadSampled === true && AREAS_WITH_MAP.has(area) && visible);
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
        live={topology.loadSampled === true}
        caches={topology.caches}
        onChange={selectCpus}
        onStatus={setStatus}
      />
      <CoreTypeShading types={topology.coreTypes} />
      <MapLegend tree={tree} topology={topology} load={load} />
      <CoreTypeLegend types={topology.coreTypes} />
    </div>
  );
}

/**
 * Whether the load in the live-load store belongs on this map. Only a map the engine marks as the sampled
 * machine can show it, and a run's average only on the machine it was measured on: after switching targets, the
 * last run's load is another machine's.
 */
function useLoadOnThisMap(topology: Topology | null): LoadOnMap {
  const { live } = useLiveLoad();
  const machine = topology?.loadSampled ? `${topology.source}:${topology.origin ?? ''}` : null;
  const [measuredOn, setMeasuredOn] = useState<string | null>(null);
  // The sparklines' history is of the machine sampled: another one starts with none (an import shown meanwhile
  // is no other machine to the sampler, so coming back to the same one keeps it).
  const lastMachine = useRef<string | null>(null);
  useEffect(() => {
    if (machine === null) return;
    if (lastMachine.current !== null && lastMachine.current !== machine) resetLoadHistory();
    lastMachine.current = machine;
  }, [machine]);
  useEffect(() => {
    // `live` is a run's samples, and targets cannot be switched during a run: they are this machine's.
    if (live && machine !== null) setMeasuredOn(machine);
  }, [live, machine]);
  if (machine === null) return 'not-sampled';
  return live || measuredOn === null || measuredOn === machine ? 'shown' : 'other-machine';
}
