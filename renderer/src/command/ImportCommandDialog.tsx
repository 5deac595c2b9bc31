import { useState } from 'react';
import { Dialog } from '../common/Dialog';
import { call } from '../api';
import { useApp } from '../store';

/** Turn a command line someone already uses into settings; what the parser keeps verbatim is listed. */
export function ImportCommandDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const { setSettings, selectCpus } = useApp();
  const [text, setText] = useState('');
  const [notes, setNotes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const parse = async () => {
    setError(null);
    try {
      const r = await call('command.parse', { text });
      setSettings(r.settings);
      // Keep the (node, id) order the rest of the UI uses; the parser returns the typed order.
      selectCpus(r.settings.cpus);
      setNotes(r.notes);
      if (r.notes.length === 0) onClose();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <Dialog
      open={open}
      title="Paste a command line"
      onClose={() => {
        setNotes(null);
        onClose();
      }}
      testId="import-command"
    >
      <p className="muted">
        <code>VAR=…</code> prefixes, <code>env VAR=…</code>, <code>export</code> lines, <code>numactl</code>{' '}
        and <code>taskset -c</code> are understood; anything else stays in the workload as written.
      </p>
      <textarea
        className="mono"
        rows={8}
        aria-label="Command line"
        data-testid="import-command-text"
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {notes && notes.length > 0 && (
        <div className="import-notes" data-testid="import-notes">
          <p>Imported. Notes:</p>
          <ul>
            {notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {notes ? 'Close' : 'Cancel'}
        </button>
        <button type="button" className="primary" disabled={text.trim() === ''} onClick={() => void parse()}>
          Import
        </button>
      </div>
    </Dialog>
  );
}
