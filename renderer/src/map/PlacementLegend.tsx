import { useMapPlacement } from './proofStore';
import './placement.css';

/** What the run's own marks mean, apart from the whole-CPU load meter; shown while a run's placement is on the map. */
export function PlacementLegend({ sampled }: { sampled: boolean }) {
  const view = useMapPlacement(sampled);
  if (!view) return null;
  const outside = [...view.byCpu.values()].some((c) => c.outside);
  return (
    <span data-testid="map-legend-placement">
      <i className="cpu-cell legend-run-cell">
        <span className="run-thread-count">2</span>
        <span className="run-busy-meter">
          <span className="run-busy-fill" style={{ height: '60%' }} />
        </span>
      </i>
      Run {view.runId}
      {view.live ? ' now' : ''}: the badge counts its threads that ran on the CPU, the bar up the left edge
      how busy they kept it (hover a CPU for the threads)
      {outside ? '; a dashed outline and "!" mark a CPU outside the selection that ran them' : ''}
      {view.memoryByNode.size > 0 ? "; beside each node, the run's resident memory there" : ''}
      {!sampled
        ? ' — opened from the history: this map may be of another machine than the one it ran on'
        : ''}
    </span>
  );
}
