import { useApp } from '../store';
import { TopologyHeader } from './TopologyHeader';
import { TopologyMap } from './TopologyMap';
import { SelectionSummary } from './SelectionSummary';
import { Presets } from '../command/Presets';
import { CpuListField } from '../command/CpuListField';

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
  if (!topology || !tree) return <p className="muted loading">Reading topology…</p>;
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
        onChange={selectCpus}
        onStatus={setStatus}
      />
      <MapLegend smt={tree.smt} unknown={tree.unknownAvailability} />
    </div>
  );
}

function MapLegend({ smt, unknown }: { smt: boolean; unknown: boolean }) {
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
