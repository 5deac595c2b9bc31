import { OP_PRECISION_LABELS, OP_PRECISIONS, type OpsReport } from '../../../app/shared/ops';
import { msText, opLabel } from './OpTable';

/** What each precision leaves to plain PyTorch, heaviest first: where a model would lose the engine's speed. */
export function HeaviestUnaccelerated({ report }: { report: OpsReport }) {
  return (
    <div className="ops-heaviest" data-testid="ops-heaviest">
      <h3>Heaviest ops not accelerated</h3>
      <ul>
        {OP_PRECISIONS.map((p) => {
          const top = report.heaviestUnaccelerated[p];
          return (
            <li key={p} data-testid={`ops-heaviest-${p}`}>
              <strong>{OP_PRECISION_LABELS[p]}:</strong>{' '}
              {top.length === 0
                ? 'none'
                : top
                    .map(
                      (o) =>
                        `${opLabel(o)} (${o.timeMs !== undefined ? `${msText(o.timeMs)} ms` : `×${o.count}`})`,
                    )
                    .join(', ')}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
