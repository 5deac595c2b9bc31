import { useEffect, useState } from 'react';
import { copyText } from './clipboard';

/** A Copy button that says "Copied" for a moment, or why it failed. */
export function CopyButton({
  text,
  label = 'Copy',
  testId,
  describedBy,
}: {
  text: string;
  label?: string;
  testId?: string;
  /** Id of what is copied (e.g. the command's box), so assistive technology says what "Copy" copies. */
  describedBy?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), 1800);
    return () => clearTimeout(t);
  }, [state]);
  return (
    <button
      type="button"
      className="copy-button"
      data-testid={testId}
      aria-describedby={describedBy}
      onClick={() => {
        copyText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  );
}
