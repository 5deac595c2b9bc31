import { useEffect, useState } from 'react';
import type { LogLine } from '../../../../app/shared/contract';
import { call } from '../../api';
import { Dialog } from '../../common/Dialog';
import { CopyButton } from '../../common/CopyButton';

/** Characters added to the DOM per step: a 10 MB line shown at once would stall layout for seconds. */
const CHUNK = 200_000;

/** The whole text of one line; a truncated line is fetched in full from the engine first. */
export function LineDialog({
  logId,
  line,
  onClose,
}: {
  logId: string;
  line: LogLine | null;
  onClose(): void;
}) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState(CHUNK);

  useEffect(() => {
    setShown(CHUNK);
    setError(null);
    if (!line) return setText(null);
    if (!line.truncated) return setText(line.text);
    setText(null);
    let live = true;
    call('log.line', { logId, n: line.n }).then(
      (r) => live && setText(r.text),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [logId, line]);

  return (
    <Dialog
      open={line !== null}
      title={line ? `Line ${line.n}` : 'Line'}
      onClose={onClose}
      testId="line-dialog"
    >
      {error && <p className="inline-error">{error}</p>}
      {text === null && !error && <p className="muted">Loading the whole line…</p>}
      {text !== null && (
        <>
          <div className="field-row">
            <span className="muted" data-testid="line-length">
              {text.length.toLocaleString()} characters
            </span>
            <CopyButton text={text} label="Copy line" />
          </div>
          <pre className="line-full" data-testid="line-full">
            {text.slice(0, shown)}
          </pre>
          {shown < text.length && (
            <button type="button" onClick={() => setShown((s) => s + CHUNK * 5)}>
              Show more ({(text.length - shown).toLocaleString()} characters left)
            </button>
          )}
        </>
      )}
    </Dialog>
  );
}
