import { useState } from 'react';
import type { RunInfo } from '../../../app/shared/contract';
import type { RunSettings } from '../../../app/shared/command';
import { BundleDialog } from './BundleDialog';

/** Entry points to the support bundle: a fresh level-4 run, or (after a run) that run as it is. */
export function BundleButton({
  settings,
  finishedRun,
}: {
  settings: RunSettings;
  finishedRun: RunInfo | null;
}) {
  const [open, setOpen] = useState<null | 'fresh' | 'run'>(null);
  return (
    <>
      <button type="button" data-testid="bundle-open" onClick={() => setOpen('fresh')}>
        Gather logs for support…
      </button>
      {finishedRun && (
        <button type="button" data-testid="bundle-this-run" onClick={() => setOpen('run')}>
          Bundle this run…
        </button>
      )}
      <BundleDialog
        open={open !== null}
        initialSource={open ?? 'fresh'}
        onClose={() => setOpen(null)}
        settings={settings}
        finishedRun={finishedRun}
      />
    </>
  );
}
