import { useApp } from '../store';
import { ENGINES, type Engine, type RunSettings } from '../../../app/shared/command';
import { useHelp } from './Help';

const LABELS: Record<Engine, string> = {
  aio: 'AIO (Ampere engine)',
  onednn: 'oneDNN (stock PyTorch)',
};

/** Settings for another engine: absent means aio, so choosing aio drops the field (old drafts stay equal). */
export function withEngine(s: RunSettings, engine: Engine): RunSettings {
  const { engine: _old, ...rest } = s;
  return engine === 'aio' ? rest : { ...rest, engine };
}

/**
 * Which stack the run tunes. It decides the variables table below and what the command sets: AIO_* for Ampere's
 * engine, OMP_* and the oneDNN/PyTorch variables for stock PyTorch (as on Graviton).
 */
export function EngineSelect() {
  const { settings, setSettings } = useApp();
  const engine = settings.engine ?? 'aio';
  const help = useHelp(
    'Engine',
    <p>
      <strong>AIO</strong>: Ampere&apos;s optimized PyTorch; the command sets <code>AIO_NUM_THREADS</code>,{' '}
      <code>AIO_NUMA_CPUS</code> and the other <code>AIO_*</code> variables. <strong>oneDNN</strong>: stock
      PyTorch with oneDNN (and the Arm Compute Library on Arm), tuned as AWS&apos;s Graviton guide describes;
      the command sets <code>OMP_NUM_THREADS</code>, <code>OMP_PLACES</code> and <code>OMP_PROC_BIND</code>{' '}
      from the selection and no <code>AIO_*</code> variable.
    </p>,
    'engine-help',
  );
  return (
    <>
      <div className="field-row" role="group" aria-label="Engine">
        <label htmlFor="engine-select">Engine</label>
        <select
          id="engine-select"
          data-testid="engine-select"
          value={engine}
          onChange={(e) => setSettings(withEngine(settings, e.target.value as Engine))}
        >
          {ENGINES.map((k) => (
            <option key={k} value={k}>
              {LABELS[k]}
            </option>
          ))}
        </select>
        {help.button}
      </div>
      {help.panel}
    </>
  );
}
