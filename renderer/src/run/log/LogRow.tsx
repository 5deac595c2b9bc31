import { memo } from 'react';
import type { LogLine } from '../../../../app/shared/contract';
import { splitMatches } from './highlight';

/** One log line at a fixed height: number, stream, text (search hits marked), and "show all" when cut. */
export const LogRow = memo(function LogRow({
  line,
  highlight,
  current,
  onExpand,
}: {
  line: LogLine;
  highlight: RegExp | null;
  current: boolean;
  onExpand(line: LogLine): void;
}) {
  const cls = [
    'log-row',
    `lvl-${line.level}`,
    line.stream === 'stderr' ? 'is-stderr' : '',
    current ? 'is-current' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <div
      className={cls}
      data-testid="log-row"
      data-n={line.n}
      data-level={line.level}
      data-stream={line.stream ?? undefined}
      aria-current={current ? 'true' : undefined}
      onDoubleClick={() => onExpand(line)}
    >
      <span className="log-n">{line.n}</span>
      <span className="log-stream" title={line.stream ?? 'no stream recorded'}>
        {line.stream === 'stderr' ? 'err' : line.stream === 'stdout' ? 'out' : ''}
      </span>
      <span className="log-text">
        {splitMatches(line.text, highlight).map((p, i) =>
          p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>,
        )}
      </span>
      {line.truncated && (
        <button type="button" className="log-more" data-testid="log-show-all" onClick={() => onExpand(line)}>
          … show all
        </button>
      )}
    </div>
  );
});

export function PlaceholderRow({ index }: { index: number }) {
  return (
    <div className="log-row is-loading" data-testid="log-row-loading" data-index={index}>
      <span className="log-n" />
      <span className="log-stream" />
      <span className="log-text muted">…</span>
    </div>
  );
}
