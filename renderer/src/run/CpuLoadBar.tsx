import { useCpuLoad } from './liveLoad';

/**
 * A fill bar for one CPU of the topology map, shown only while a run is live. Meant to sit inside the map's cell
 * (`<CpuLoadBar cpu={cpu.id} />`): it renders nothing when there is no load to show, so the cell is unchanged.
 */
export function CpuLoadBar({ cpu }: { cpu: number }) {
  const busy = useCpuLoad(cpu);
  if (busy === null) return null;
  const pct = Math.round(busy * 100);
  return (
    <span
      className={`cpu-load-bar ${loadClass(busy)}`}
      style={{ height: `${pct}%` }}
      data-testid="cpu-load-bar"
      data-busy={busy.toFixed(2)}
      aria-hidden="true"
      title={`${pct}% busy`}
    />
  );
}

export function loadClass(busy: number): string {
  return busy >= 0.75 ? 'load-high' : busy >= 0.25 ? 'load-mid' : 'load-low';
}
