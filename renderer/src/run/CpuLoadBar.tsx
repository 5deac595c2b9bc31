import { useCpuLoad } from './liveLoad';

/**
 * A fill bar for one CPU of the topology map: live load during a run, the run's average after it. Meant to sit
 * inside the map's cell (`<CpuLoadBar cpu={cpu.id} />`): it renders nothing before any run, so the cell is
 * unchanged then.
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
    />
  );
}

export function loadClass(busy: number): string {
  return busy >= 0.75 ? 'load-high' : busy >= 0.25 ? 'load-mid' : 'load-low';
}
