import { LEVELS, emitsHint, levelsEmittedAt, type Level } from '../levels';

/** Level toggles with their counts, and what the run's AIO_DEBUG_MODE makes the engine print. */
export function LevelFilter({
  levels,
  onChange,
  counts,
  mode,
}: {
  levels: Set<Level>;
  onChange(next: Set<Level>): void;
  counts: Record<Level, number> | null;
  mode: number;
}) {
  const toggle = (l: Level) => {
    const next = new Set(levels);
    if (next.has(l)) next.delete(l);
    else next.add(l);
    onChange(next);
  };
  const only = (l: Level) => onChange(new Set([l]));
  return (
    <div className="level-filter" role="group" aria-label="Levels">
      {LEVELS.map((l) => (
        <button
          key={l}
          type="button"
          className={`level-toggle lvl-${l}`}
          aria-pressed={levels.has(l)}
          data-testid={`level-${l}`}
          title={`Show or hide ${l} lines (double-click: only ${l})`}
          onClick={() => toggle(l)}
          onDoubleClick={() => only(l)}
        >
          {l} <span data-testid={`level-count-${l}`}>{counts ? counts[l].toLocaleString() : '–'}</span>
        </button>
      ))}
      <button
        type="button"
        data-testid="level-all"
        disabled={levels.size === LEVELS.length}
        onClick={() => onChange(new Set(LEVELS))}
      >
        All
      </button>
      <span className="muted level-hint" data-testid="level-hint">
        AIO_DEBUG_MODE {emitsHint(mode)}
      </span>
      {mode > 0 && (
        <button
          type="button"
          data-testid="level-show-mode"
          onClick={() => onChange(new Set(levelsEmittedAt(mode)))}
        >
          Show what level {mode} emits
        </button>
      )}
    </div>
  );
}
