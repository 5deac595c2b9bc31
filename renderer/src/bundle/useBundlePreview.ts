import { useEffect, useState } from 'react';
import type { BundlePreview } from '../../../app/shared/contract';
import type { RunSettings } from '../../../app/shared/command';
import { call } from '../api';

/** What the bundle is made from: the settings for a new level-4 run, or a finished run as it is. */
export type BundleSource = { settings: RunSettings } | { fromRunId: string };

/** What the bundle will hold, re-asked (debounced) as the user edits redaction patterns. */
export function useBundlePreview(source: BundleSource | null, redact: string[]) {
  const [shown, setShown] = useState<{ sourceKey: string; preview: BundlePreview } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sourceKey = JSON.stringify(source);
  const key = JSON.stringify([source, redact]);
  useEffect(() => {
    if (!source) return;
    let live = true;
    const t = setTimeout(() => {
      call('bundle.preview', { ...source, redact }).then(
        (p) => {
          if (!live) return;
          setShown({ sourceKey, preview: p });
          setError(null);
        },
        (e: Error) => live && setError(e.message),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // key stands for source + redact: their identities change on every render of the parent.
  }, [key]);
  // A preview of another source (the other radio button, another run) would show the wrong command meanwhile.
  return { preview: shown?.sourceKey === sourceKey ? shown.preview : null, error };
}
