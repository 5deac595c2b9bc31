import { useMemo, useState } from 'react';
import type {
  ConfigStats,
  Recommendation,
  SweepBest,
  SweepRecord,
  SweepRow,
} from '../../../app/shared/sweep';
import { analyzeSweep, recordOptions } from '../../../app/shared/recommend';
import { LLM_HIGHER_BETTER, LLM_UNITS, type LlmMetricName } from '../../../app/shared/llm';
import { CopyButton } from '../common/CopyButton';
import {
  cardFigures,
  hasEngineStats,
  isTied,
  mergeCards,
  SHORT_TITLES,
  statsOf,
  tieLines,
  type CardModel,
} from './view';

/** The card of the sweep's --metric: the configuration, its value with the 95 % interval, tied or significant. */
function MetricCard({
  name,
  rec,
  configs,
}: {
  name: LlmMetricName;
  rec: Recommendation | null;
  configs: readonly ConfigStats[] | undefined;
}) {
  const st = rec ? configs?.[rec.config]?.metricStats : undefined;
  const tied = rec !== null && !rec.significant;
  return (
    <div
      className={tied ? 'sweep-rec tied' : 'sweep-rec'}
      data-testid="rec-metric"
      data-tied={tied ? 'true' : 'false'}
    >
      <h3>
        Best {name} ({LLM_HIGHER_BETTER[name] ? 'highest' : 'lowest'})
        {tied && <span className="badge warn sweep-tied">tied</span>}
        {rec?.significant && <span className="badge sweep-significant">significant</span>}
      </h3>
      {rec ? (
        <>
          <p>
            <strong>
              {rec.variant}, {rec.instances} × {rec.threads} thread(s) = {rec.cores} core
              {rec.cores === 1 ? '' : 's'}
            </strong>
            <br />
            <span data-testid="rec-metric-value">
              {rec.metricValue != null ? rec.metricValue.toFixed(2) : '—'} {LLM_UNITS[name]}
              {st?.ci95 ? ` (95 % CI ${st.ci95[0].toFixed(2)}–${st.ci95[1].toFixed(2)})` : ''}
              {st ? `, n=${st.n ?? '?'}` : ''}
            </span>
          </p>
          {rec.tiedWith.length > 0 && (
            <p className="warn-text sweep-tie">
              tied with:{' '}
              {rec.tiedWith
                .map((i) => configs?.[i])
                .filter((c): c is ConfigStats => c !== undefined)
                .map((c) => `${c.variant}, ${c.instances} × ${c.threads}`)
                .join('; ')}
            </p>
          )}
          <pre className="sweep-command">{rec.command}</pre>
        </>
      ) : (
        <p className="muted">No run printed {name} yet.</p>
      )}
    </div>
  );
}

function Card({
  card,
  best,
  configs,
  withPlacement,
  practicalPct,
}: {
  card: CardModel;
  best: Pick<SweepBest, 'latency' | 'throughput' | 'perCore'>;
  configs: readonly ConfigStats[] | undefined;
  withPlacement: boolean;
  practicalPct: number;
}) {
  const r = card.rec;
  const stats = statsOf(r, configs);
  const ties = tieLines(card, best, configs, withPlacement);
  const tied = card.keys.some((k) => {
    const x = best[k];
    return x !== null && isTied(x);
  });
  const significant = r !== null && stats !== null && r.significant === true;
  const f = r ? cardFigures(r, stats) : null;
  return (
    <div
      className={tied ? 'sweep-rec tied' : 'sweep-rec'}
      data-testid={card.testId}
      data-covers={card.keys.join(' ')}
      data-tied={tied ? 'true' : 'false'}
    >
      <h3>
        {card.title}
        {tied && (
          <span
            className="badge warn sweep-tied"
            data-testid="rec-tied"
            title="No significant difference (95 %) of at least the practical threshold from the configurations named below"
          >
            tied
          </span>
        )}
        {significant && !tied && (
          <span
            className="badge sweep-significant"
            data-testid="rec-significant"
            title={`Better than every other configuration: significant at 95 % and by more than ${practicalPct} %`}
          >
            significant
          </span>
        )}
      </h3>
      {card.keys.length > 1 && (
        <p className="muted" data-testid="rec-merged">
          One configuration gives all {card.keys.length} answers.
        </p>
      )}
      {r && f ? (
        <>
          <p>
            <strong>
              {r.variant}, {r.instances} × {r.threads} thread(s) = {r.cores} core{r.cores === 1 ? '' : 's'}
              {withPlacement ? `, ${r.placement}` : ''}
              {r.batch !== null ? `, batch ${r.batch}` : ''}
            </strong>
            <br />
            {stats ? (
              <span className="sweep-rec-stats" data-testid="rec-ci">
                latency {f.latency}
                <br />
                throughput {f.throughput}
                <br />
                per core {f.perCore}
                <br />
                <span className="muted">
                  {stats.basis === 'repeats'
                    ? `from the means of ${stats.runs} repeats`
                    : `from the per-pass samples of ${stats.runs === 1 ? 'one run' : `${stats.runs} runs`}`}
                </span>
              </span>
            ) : (
              <>
                {f.latency} · {f.throughput} · {f.perCore}
                {r.repeats > 1 ? ` (mean of ${r.repeats})` : ''}
              </>
            )}
          </p>
          {ties.map((t) => (
            <p key={t.about ?? 'all'} className="warn-text sweep-tie" data-testid="rec-tied-with">
              {t.about ? `${SHORT_TITLES[t.about]}: ` : ''}tied with: {t.names.join(', ')}
            </p>
          ))}
          <pre className="sweep-command">{r.command}</pre>
          <CopyButton text={r.command} testId={`${card.testId}-copy`} />
        </>
      ) : (
        <p className="muted">No qualifying run yet.</p>
      )}
    </div>
  );
}

/**
 * The answers a sweep gives, each with the exact command to copy. A finished sweep with statistics shows the
 * engine's recommendations: their 95 % intervals, "tied" (and with which configurations) when the difference is
 * not significant or too small to matter, and one card where several answers name the same configuration.
 * While a sweep runs, and for older records, they are worked out here from the rows. The budget is applied live.
 */
export function Recommendations({
  rows,
  record = null,
  running = false,
}: {
  rows: readonly SweepRow[];
  record?: SweepRecord | null;
  running?: boolean;
}) {
  const [budget, setBudget] = useState('');
  const budgetMs = budget.trim() === '' ? null : Number(budget);
  const validBudget = budgetMs !== null && budgetMs > 0 ? budgetMs : null;
  const engine = hasEngineStats(record, running);
  // Worked out with the record's own threshold, engine probe and variants: a budget typed here ties as the
  // engine would (no engine: variants differing only in AIO_* are the same program).
  const live = useMemo(
    () => analyzeSweep(rows, { ...recordOptions(record), budgetMs: validBudget }),
    [rows, validBudget, record],
  );
  const best: SweepBest = engine ? record!.best : live.best;
  const configs = engine ? record!.configs : undefined;
  // The engine's budget answer holds only for the budget it was given; another typed here is worked out live.
  const fromRecord = engine && record!.best.budgetMs === validBudget;
  const withinBudget: Recommendation | null = fromRecord ? record!.best.withinBudget : live.best.withinBudget;
  const withPlacement = new Set(rows.map((r) => r.placement)).size > 1;
  const practicalPct = record?.spec.practicalPct ?? 2;
  const cardProps = { best, configs, withPlacement, practicalPct };
  return (
    <div className="sweep-recs">
      {mergeCards(best).map((card) => (
        <Card key={card.testId} card={card} {...cardProps} />
      ))}
      {best.metricName && (
        <MetricCard name={best.metricName} rec={best.metric ?? null} configs={configs ?? live.configs} />
      )}
      <div className="sweep-rec-budget">
        <label>
          Latency budget (ms){' '}
          <input
            type="text"
            className="narrow"
            data-testid="sweep-budget"
            value={budget}
            placeholder="e.g. 20"
            aria-invalid={budgetMs !== null && !(budgetMs > 0)}
            onChange={(e) => setBudget(e.target.value)}
          />
        </label>
        {validBudget !== null ? (
          <Card
            card={{
              keys: ['perCore'],
              title: `Best per core within ${validBudget} ms`,
              testId: 'rec-budget',
              rec: withinBudget,
            }}
            best={{ latency: null, throughput: null, perCore: withinBudget }}
            configs={fromRecord ? configs : live.configs}
            withPlacement={withPlacement}
            practicalPct={practicalPct}
          />
        ) : (
          <p className="muted">
            Type a budget to get the cheapest setting (most throughput per core) that meets it.
          </p>
        )}
      </div>
    </div>
  );
}
