import type { CpuLoadSummary } from '../../../app/shared/contract';
import { loadClass } from './CpuLoadBar';
import { outsideMessage } from './format';
import { useLiveLoad } from './liveLoad';

/**
 * Per-CPU load in the run panel: live while the run goes, then its average over the run. The selected CPUs are
 * outlined, so "busy where I pointed, idle elsewhere" reads at a glance.
 */
export function LoadStrip({
  selection,
  running,
  peaks,
}: {
  selection: number[];
  running: boolean;
  /** The engine's record of the finished run (mean and peak per CPU), when it has one. */
  peaks: CpuLoadSummary[] | null;
}) {
  const { sample, live, average } = useLiveLoad();
  const peakOf = new Map((live ? [] : (peaks ?? [])).map((c) => [c.cpu, c.peak]));
  const values: Map<number, number> =
    live && sample ? new Map(sample.cpus.map((c) => [c.cpu, c.busy])) : average;
  if (values.size === 0) return null;
  const picked = new Set(selection);
  const cpus = [...values.keys()].sort((a, b) => a - b);
  return (
    <div className="load-strip-wrap">
      <span className="muted load-strip-label">
        {live
          ? 'CPU load now'
          : running
            ? 'CPU load (waiting for samples)'
            : 'CPU load, average over the run'}
      </span>
      <div className="load-strip" data-testid="load-strip" data-live={live}>
        {cpus.map((cpu) => {
          const busy = values.get(cpu) ?? 0;
          const peak = peakOf.get(cpu);
          return (
            <div
              key={cpu}
              className={`load-cell ${picked.has(cpu) ? 'is-picked' : ''}`}
              data-cpu={cpu}
              data-busy={busy.toFixed(2)}
              data-peak={peak?.toFixed(2)}
              title={`CPU ${cpu}: ${Math.round(busy * 100)}% busy${peak !== undefined ? ` on average, peak ${Math.round(peak * 100)}%` : ''}${picked.has(cpu) ? ' (selected)' : ''}`}
            >
              <span
                className={`load-fill ${loadClass(busy)}`}
                style={{ height: `${Math.round(busy * 100)}%` }}
              />
              <span className="load-cpu">{cpu}</span>
              <span className="load-pct">{Math.round(busy * 100)}%</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** The proof-of-binding warning: CPUs busy that the run was not bound to. */
export function OutsideWarning({ runId }: { runId: string }) {
  const { live, outside, runId: watched } = useLiveLoad();
  if (!live || watched !== runId || outside.length === 0) return null;
  return (
    <div className="banner warn" role="alert" data-testid="load-outside">
      {outsideMessage(outside)}
    </div>
  );
}
