import { useApp } from '../store';
import { useHelp } from './Help';

/** AIO_NUM_THREADS = OMP_NUM_THREADS: one per selected CPU unless the user pins a number. */
export function ThreadsControl() {
  const { settings, patch } = useApp();
  const pinned = settings.threads !== null;
  const shown = settings.threads ?? settings.cpus.length;
  const help = useHelp(
    'Threads',
    <p>
      How many threads the engine runs, written as both <code>AIO_NUM_THREADS</code> and{' '}
      <code>OMP_NUM_THREADS</code> (the Ampere benchmark scripts stop when the two differ). It follows the
      selection, one thread per selected CPU; pin it to keep a count of your own when the selection changes.
    </p>,
    'threads-help',
  );
  return (
    <>
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
        {help.button}
      </div>
      {help.panel}
    </>
  );
}
