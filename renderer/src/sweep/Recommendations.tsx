import { useMemo, useState } from 'react';
import type { Recommendation, SweepRow } from '../../../app/shared/sweep';
import { recommend } from '../../../app/shared/recommend';
import { CopyButton } from '../common/CopyButton';

function Card({
  title,
  r,
  testId,
  withPlacement,
}: {
  title: string;
  r: Recommendation | null;
  testId: string;
  withPlacement: boolean;
}) {
  return (
    <div className="sweep-rec" data-testid={testId}>
      <h3>{title}</h3>
      {r ? (
        <>
          <p>
            <strong>
              {r.variant}, {r.instances} × {r.threads} thread(s) = {r.cores} core{r.cores === 1 ? '' : 's'}
              {withPlacement ? `, ${r.placement}` : ''}
              {r.batch !== null ? `, batch ${r.batch}` : ''}
            </strong>
            <br />
            {r.latencyMs === null ? '—' : `${r.latencyMs.toFixed(2)} ms`} ·{' '}
            {r.throughput === null ? '—' : `${r.throughput.toFixed(1)}/s`} ·{' '}
            {r.perCore === null ? '—' : `${r.perCore.toFixed(1)}/s per core`}
            {r.repeats > 1 ? ` (mean of ${r.repeats})` : ''}
          </p>
          <pre className="sweep-command">{r.command}</pre>
          <CopyButton text={r.command} testId={`${testId}-copy`} />
        </>
      ) : (
        <p className="muted">No qualifying run yet.</p>
      )}
    </div>
  );
}

/** The four answers a sweep gives, each with the exact command to copy. The budget is applied here, live. */
export function Recommendations({ rows }: { rows: readonly SweepRow[] }) {
  const [budget, setBudget] = useState('');
  const budgetMs = budget.trim() === '' ? null : Number(budget);
  const best = useMemo(
    () => recommend(rows, budgetMs !== null && budgetMs > 0 ? budgetMs : null),
    [rows, budgetMs],
  );
  const withPlacement = new Set(rows.map((r) => r.placement)).size > 1;
  return (
    <div className="sweep-recs">
      <Card title="Lowest latency" r={best.latency} testId="rec-latency" withPlacement={withPlacement} />
      <Card
        title="Highest throughput"
        r={best.throughput}
        testId="rec-throughput"
        withPlacement={withPlacement}
      />
      <Card
        title="Best throughput per core"
        r={best.perCore}
        testId="rec-percore"
        withPlacement={withPlacement}
      />
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
        {budgetMs !== null && budgetMs > 0 ? (
          <Card
            title={`Best per core within ${budgetMs} ms`}
            r={best.withinBudget}
            testId="rec-budget"
            withPlacement={withPlacement}
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
