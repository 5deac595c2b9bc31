import { memo } from 'react';
import { useSparklinePath } from './loadHistory';
import { SPARK_H, SPARK_W } from './sparkline';
import './sparkline.css';

/**
 * One CPU's load over the last 60 s, a thin line across the cell's lower half. Its path is drawn in place by the
 * load history (loadHistory.ts), so a new sample does not re-render the cell.
 */
export const Sparkline = memo(function Sparkline({ cpu }: { cpu: number }) {
  const ref = useSparklinePath(cpu);
  return (
    <svg
      className="cpu-sparkline"
      data-testid="cpu-sparkline"
      viewBox={`0 0 ${SPARK_W} ${SPARK_H}`}
      preserveAspectRatio="none"
      aria-hidden="true"
      focusable="false"
    >
      <path ref={ref} vectorEffect="non-scaling-stroke" />
    </svg>
  );
});
