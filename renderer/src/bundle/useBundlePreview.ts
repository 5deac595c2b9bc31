import { useEffect, useState } from 'react';
import type { BundlePreview } from '../../../app/api/contract';
import type { RunSettings } from '../../../app/command/types';
import { call } from '../api';

/** What the bundle will hold, re-asked (debounced) as the user edits redaction patterns. */
export function useBundlePreview(settings: RunSettings | null, redact: string[]) {
  const [preview, setPreview] = useState<BundlePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify([settings, redact]);
  useEffect(() => {
    if (!settings) return;
    let live = true;
    const t = setTimeout(() => {
      call('bundle.preview', { settings, redact }).then(
        (p) => {
          if (!live) return;
          setPreview(p);
          setError(null);
        },
        (e: Error) => live && setError(e.message),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // key stands for settings + redact: their identities change on every render of the parent.
  }, [key]);
  return { preview, error };
}
