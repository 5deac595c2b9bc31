import { useEffect, useRef, useState } from 'react';

/**
 * A text field bound to a value kept elsewhere, in both directions. Typing commits through `commit` (which
 * returns an error message or null); the user's own spelling stays while the stored value is what they typed,
 * and is replaced when the value changes from elsewhere (an import, a profile, a preset).
 */
export function useSyncedText(external: string, commit: (text: string) => string | null) {
  const [text, setText] = useState(external);
  const [error, setError] = useState<string | null>(null);
  const committed = useRef(external);

  useEffect(() => {
    if (external === committed.current) return;
    committed.current = external;
    setText(external);
    setError(null);
  }, [external]);

  const onChange = (next: string) => {
    setText(next);
    const err = commit(next);
    setError(err);
  };
  /** Tell the hook which external value the last commit produces, so it does not overwrite the user's text. */
  const expect = (value: string) => {
    committed.current = value;
  };
  return { text, error, onChange, expect };
}
