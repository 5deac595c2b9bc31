import type { RunOutcome } from '../../../app/shared/contract';
import {
  countOf,
  describeEnd,
  describePeak,
  formatDuration,
  formatMs,
  formatNumber,
  outcomeKind,
} from './format';
import { RunFindings } from './RunFindings';
import { PlacementSection } from './PlacementSection';

const PERCENTILES = ['mean', 'median', 'p90', 'p99', 'p99.9'] as const;

/** The benchmark's numbers as soon as the run ends; a run without recognisable results says so. */
export function ResultCard({ outcome, selection = [] }: { outcome: RunOutcome; selection?: number[] }) {
  const r = outcome.results;
  const kind = outcomeKind(outcome);
  return (
    <section
      className={`result-card outcome-${kind}`}
      aria-label="Results"
      data-testid="result-card"
      data-outcome={kind}
    >
      {r?.latencyMs && (
        <div className="result-block">
          <h3>Latency</h3>
          <dl className="result-grid">
            {PERCENTILES.map((k) => (
              <div key={k} data-testid={`result-latency-${k}`}>
                <dt>{k}</dt>
                <dd>{formatMs(r.latencyMs?.[k])}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
      {r?.throughput && (
        <div className="result-block">
          <h3>Throughput</h3>
          <p className="result-big" data-testid="result-throughput">
            {formatNumber(r.throughput.value)} <span className="muted">{r.throughput.unit}</span>
          </p>
        </div>
      )}
      {!r && <p className="muted">No results were recognised in the output.</p>}
      <div className="result-block result-meta">
        {r?.passes != null && <span data-testid="result-passes">{countOf(r.passes, 'pass', 'passes')}</span>}
        {r?.warmups != null && <span>{countOf(r.warmups, 'warm-up')} not counted</span>}
        <span>{describeEnd(outcome)}</span>
        <span>{formatDuration(outcome.durationMs)}</span>
        <span>{describePeak(outcome.peakRssBytes)}</span>
      </div>
      <RunFindings outcome={outcome} />
      <PlacementSection outcome={outcome} selection={selection} />
    </section>
  );
}
