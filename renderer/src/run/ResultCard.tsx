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
import { LLM_METRICS, LLM_UNITS, type LlmMetricName } from '../../../app/shared/llm';

const PERCENTILES = ['mean', 'median', 'p90', 'p99', 'p99.9'] as const;

const LLM_LABELS: Record<LlmMetricName, string> = {
  tokensPerSecond: 'Generation',
  promptTokensPerSecond: 'Prompt',
  ttftMs: 'Time to first token',
  msPerToken: 'Per token',
};

/** What a runtime echoed about its settings, one phrase (OpenVINO's hint, streams, threads…). */
function runtimeText(rt: NonNullable<NonNullable<RunOutcome['results']>['runtime']>): string {
  const parts = [rt.name];
  if (rt.hint) parts.push(`hint ${rt.hint}`);
  if (rt.nstreams != null) parts.push(`${rt.nstreams} streams`);
  if (rt.nthreads != null) parts.push(`${rt.nthreads} threads`);
  return parts.join(', ');
}

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
      {r && LLM_METRICS.some((k) => typeof r[k] === 'number') && (
        <div className="result-block" data-testid="result-llm">
          <h3>Tokens</h3>
          <dl className="result-grid">
            {LLM_METRICS.filter((k) => typeof r[k] === 'number').map((k) => {
              const sd = r.spread?.[k];
              return (
                <div key={k} data-testid={`result-llm-${k}`}>
                  <dt>{LLM_LABELS[k]}</dt>
                  <dd>
                    {formatNumber(r[k]!)}
                    {sd && (
                      <span
                        title={`standard deviation${sd.n ? ` over ${sd.n} repetitions` : ''}, as the tool printed it`}
                      >
                        {' '}
                        ± {formatNumber(sd.sd)}
                      </span>
                    )}{' '}
                    <span className="muted">{LLM_UNITS[k]}</span>
                  </dd>
                </div>
              );
            })}
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
        {r?.runtime && <span data-testid="result-runtime">{runtimeText(r.runtime)}</span>}
        {r?.latencyMs?.min != null && r.latencyMs.max != null && (
          <span data-testid="result-latency-range">
            latency {formatMs(r.latencyMs.min)} – {formatMs(r.latencyMs.max)}
          </span>
        )}
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
