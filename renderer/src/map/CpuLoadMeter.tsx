/**
 * One CPU's load as a channel of its own: a meter along the bottom edge of the cell, filled by length in one
 * colour of its own, so it never changes the cell's fill or outline, which say "selected" and "unavailable".
 * The cell reads the value (it also puts it in its tooltip).
 */
export function CpuLoadMeter({ busy }: { busy: number }) {
  return (
    <span
      className="cpu-load-meter"
      data-testid="cpu-load-meter"
      data-busy={busy.toFixed(2)}
      aria-hidden="true"
    >
      <span className="cpu-load-fill" style={{ width: `${Math.round(busy * 100)}%` }} />
    </span>
  );
}
