/**
 * Says so in the app's error banner when a run's or sweep's record could not be written (the engine keeps it
 * in memory and tries again), and takes the notice down once a later write saved it.
 */
import { useEffect } from 'react';
import type { RecordSaveNotice } from '../../../app/shared/contract';
import { on } from '../api';

export function recordNoticeText(n: RecordSaveNotice & { problem: string }): string {
  const what = n.kind === 'run' ? `Run ${n.id}` : `Sweep ${n.id}`;
  const retry = n.kind === 'run' ? 'with the next run' : 'after its next row or with the next sweep';
  return `${what} is not saved: ${n.problem}. It is kept while AIO Tuner runs and saved again ${retry}; quitting first loses it.`;
}

export function useRecordNotices(setError: (update: (shown: string | null) => string | null) => void): void {
  useEffect(() => {
    const shown = new Map<string, string>();
    return on('record.unsaved', (n) => {
      const key = `${n.kind}:${n.id}`;
      if (n.problem !== null) {
        const text = recordNoticeText({ ...n, problem: n.problem });
        shown.set(key, text);
        setError(() => text);
        return;
      }
      const text = shown.get(key);
      shown.delete(key);
      // Saved after all: the notice goes, unless something else has replaced it meanwhile.
      if (text !== undefined) setError((current) => (current === text ? null : current));
    });
  }, [setError]);
}
