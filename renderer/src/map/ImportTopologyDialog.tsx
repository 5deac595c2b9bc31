import { useState } from 'react';
import type { Topology } from '../../../app/shared/topology';
import { Dialog } from '../common/Dialog';
import { call } from '../api';

/** Plan for another machine: paste or open what lscpu / numactl printed there. */
export function ImportTopologyDialog({
  open,
  onClose,
  onLoaded,
}: {
  open: boolean;
  onClose(): void;
  onLoaded(t: Topology): void;
}) {
  const [text, setText] = useState('');
  const [name, setName] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      onLoaded(await call('topology.load', { kind: 'text', text, name: name ?? 'pasted text' }));
      setText('');
      setName(undefined);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} title="Import topology" onClose={onClose} testId="import-topology">
      <p className="muted">
        Paste the output of <code>lscpu</code>, <code>lscpu -p</code>, <code>lscpu -e</code>,{' '}
        <code>lscpu -J</code>, <code>numactl -H</code> or <code>lstopo --of xml</code> from another machine,
        or choose a file holding it.
      </p>
      <input
        type="file"
        aria-label="Topology file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (!f) return;
          f.text().then(
            (t) => {
              setText(t);
              setName(f.name);
            },
            (err: Error) => setError(err.message),
          );
        }}
      />
      <textarea
        className="mono"
        rows={14}
        aria-label="Topology text"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setName(undefined);
        }}
        placeholder="Architecture: aarch64&#10;CPU(s): 160&#10;…"
      />
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || text.trim() === ''}
          onClick={() => void load()}
        >
          Load
        </button>
      </div>
    </Dialog>
  );
}
