import { useApp } from '../store';

/** AIO_NUM_THREADS = OMP_NUM_THREADS: one per selected CPU unless the user pins a number. */
export function ThreadsControl() {
  const { settings, patch } = useApp();
  const pinned = settings.threads !== null;
  const shown = settings.threads ?? settings.cpus.length;
  return (
    <div className="field-row" role="group" aria-label="Threads">
      <label htmlFor="threads-input">Threads</label>
      <input
        id="threads-input"
        type="number"
        min={1}
        className="narrow"
        data-testid="threads"
        value={shown === 0 ? '' : shown}
        placeholder="auto"
        disabled={!pinned}
        onChange={(e) => {
          const n = Math.floor(Number(e.target.value));
          if (n >= 1) patch({ threads: n });
        }}
      />
      <label className="toggle" title="Pinned: the count stays when the selection changes">
        <input
          type="checkbox"
          data-testid="threads-pin"
          checked={pinned}
          onChange={(e) => patch({ threads: e.target.checked ? Math.max(1, settings.cpus.length) : null })}
        />
        pin
      </label>
      <span className="muted">{pinned ? 'pinned' : 'follows the selection'}</span>
    </div>
  );
}
