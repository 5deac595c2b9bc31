/**
 * "Gather logs for support": shows what will go into the bundle (after redaction) before anything is written,
 * then runs it with the engine's progress, then hands over the file and a note for the support e-mail.
 */
import { useEffect, useState } from 'react';
import type { ApiEvents, BundleInfo, RunInfo } from '../../../app/shared/contract';
import type { RunSettings } from '../../../app/shared/command';
import { call, on } from '../api';
import { Dialog } from '../common/Dialog';
import { BundlePreviewView } from './BundlePreviewView';
import { BundleProgress } from './BundleProgress';
import { BundleResultView } from './BundleResultView';
import { useBundlePreview } from './useBundlePreview';
import './bundle.css';

type Phase = { kind: 'plan' } | { kind: 'gathering' } | { kind: 'done'; info: BundleInfo };

export function BundleDialog({
  open,
  onClose,
  settings,
  finishedRun,
  initialSource,
  settingsName = 'the current settings',
}: {
  open: boolean;
  onClose(): void;
  /** What a new level-4 run would use. */
  settings: RunSettings;
  finishedRun: RunInfo | null;
  initialSource: 'fresh' | 'run';
  /** How the fresh option names `settings` (from History they are the saved run's). */
  settingsName?: string;
}) {
  const [source, setSource] = useState<'fresh' | 'run'>(initialSource);
  const [patterns, setPatterns] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'plan' });
  const [events, setEvents] = useState<ApiEvents['bundle.progress'][]>([]);
  const [error, setError] = useState<string | null>(null);
  const fromRun = source === 'run' && finishedRun ? finishedRun : null;
  const redact = patterns
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
  // A saved run is previewed by its id: the engine shows its own command and level, not a level-4 rerun.
  const { preview, error: previewError } = useBundlePreview(
    open ? (fromRun ? { fromRunId: fromRun.runId } : { settings }) : null,
    redact,
  );

  useEffect(() => {
    if (open) setSource(finishedRun ? initialSource : 'fresh');
  }, [open, initialSource, finishedRun]);

  const gather = async () => {
    setPhase({ kind: 'gathering' });
    setEvents([]);
    setError(null);
    const off = on('bundle.progress', (e) => setEvents((list) => [...list, e]));
    try {
      const info = await call(
        'bundle.create',
        fromRun ? { fromRunId: fromRun.runId, redact } : { settings, redact },
      );
      setPhase({ kind: 'done', info });
    } catch (e) {
      setError((e as Error).message);
      setPhase({ kind: 'plan' });
    } finally {
      off();
    }
  };

  const close = () => {
    if (phase.kind === 'gathering') return; // the run keeps going; closing would hide its result
    setPhase({ kind: 'plan' });
    setError(null);
    onClose();
  };

  return (
    <Dialog open={open} title="Gather logs for support" onClose={close} testId="bundle-dialog">
      {phase.kind === 'done' ? (
        <>
          <BundleResultView info={phase.info} />
          <div className="dialog-actions">
            <button type="button" onClick={() => setPhase({ kind: 'plan' })}>
              Gather another
            </button>
            <button type="button" onClick={close}>
              Close
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="muted">
            One .tar.gz with everything support asks for:{' '}
            {fromRun
              ? "the saved run's output as it is (nothing is re-run)"
              : 'the output at AIO_DEBUG_MODE=4'}
            , the exact command and environment, the machine (lscpu, numactl, /proc, kernel, cgroup) and the
            Python installation. Values of variables that look secret (TOKEN, KEY, PASSWORD, …) become
            &lt;redacted&gt;.
          </p>
          {finishedRun && (
            <fieldset className="bundle-source" disabled={phase.kind === 'gathering'}>
              <label className="toggle">
                <input type="radio" checked={source === 'fresh'} onChange={() => setSource('fresh')} />
                Run {settingsName} again at level 4 (recommended)
              </label>
              <label className="toggle">
                <input
                  type="radio"
                  data-testid="bundle-from-run"
                  checked={source === 'run'}
                  onChange={() => setSource('run')}
                />
                Bundle the finished run {finishedRun.runId} as it is (no rerun)
              </label>
            </fieldset>
          )}
          {preview && <BundlePreviewView preview={preview} />}
          {previewError && <p className="inline-error">{previewError}</p>}
          <label htmlFor="bundle-redact">
            Also redact (one per line: a name fragment, or /regex/flags over all text)
          </label>
          <textarea
            id="bundle-redact"
            className="mono"
            rows={2}
            data-testid="bundle-redact"
            placeholder="e.g. MY_COMPANY or /internal\.example\.com/g"
            value={patterns}
            disabled={phase.kind === 'gathering'}
            onChange={(e) => setPatterns(e.target.value)}
          />
          {phase.kind === 'gathering' && <BundleProgress events={events} fromRun={fromRun !== null} />}
          {error && (
            <p className="inline-error" role="alert" data-testid="bundle-error">
              {error}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={close} disabled={phase.kind === 'gathering'}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              data-testid="bundle-gather"
              disabled={phase.kind === 'gathering'}
              onClick={() => void gather()}
            >
              {phase.kind === 'gathering' ? 'Gathering…' : fromRun ? 'Bundle this run' : 'Gather'}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
