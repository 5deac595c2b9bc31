import { useState } from 'react';
import { MAX_TOPOLOGY_ARCHIVE_BYTES } from '../../../app/shared/contract';
import type { Topology } from '../../../app/shared/topology';
import { Dialog } from '../common/Dialog';
import { call } from '../api';
import { chosenTopology, nativeShell } from '../shell/native';

/** A chosen file that is an archive (dump or bundle), sent as it is rather than as text. */
interface Archive {
  name: string;
  size: number;
  data: string;
}

const isArchiveName = (name: string) => /\.(?:tar\.gz|tgz)$/i.test(name);

/** The file's bytes as base64 (readAsDataURL does it natively, without a string per byte). */
function base64Of(f: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error ?? new Error(`cannot read ${f.name}`));
    r.readAsDataURL(f);
  });
}

/**
 * Plan for another machine: paste or open what lscpu / numactl printed there, or open its `aio-tuner dump`
 * archive or support bundle, which replays its map exactly.
 */
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
  const [archive, setArchive] = useState<Archive | null>(null);
  // Electron: the window's native open dialog instead of the page's file field.
  const native = nativeShell();
  const chooseNative = async () => {
    setError(null);
    try {
      const f = await native?.openFile('topology');
      const chosen = f ? chosenTopology(f) : null;
      if (!chosen) return;
      if (chosen.kind === 'archive') setArchive(chosen);
      else {
        setArchive(null);
        setText(chosen.text);
        setName(chosen.name);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      onLoaded(
        await call(
          'topology.load',
          archive
            ? { kind: 'archive', data: archive.data, name: archive.name }
            : { kind: 'text', text, name: name ?? 'pasted text' },
        ),
      );
      setText('');
      setName(undefined);
      setArchive(null);
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
        or choose a file holding it, or its <code>aio-tuner dump</code> archive or support bundle (
        <code>.tar.gz</code>).
      </p>
      {native ? (
        <button type="button" data-testid="import-topology-choose" onClick={() => void chooseNative()}>
          Choose a file…
        </button>
      ) : (
        <input
          type="file"
          aria-label="Topology file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            setError(null);
            if (isArchiveName(f.name)) {
              if (f.size > MAX_TOPOLOGY_ARCHIVE_BYTES) {
                setError(
                  `${f.name} is larger than ${MAX_TOPOLOGY_ARCHIVE_BYTES / 1024 / 1024} MiB: not a dump or support bundle`,
                );
                return;
              }
              base64Of(f).then(
                (data) => setArchive({ name: f.name, size: f.size, data }),
                (err: Error) => setError(err.message),
              );
              return;
            }
            setArchive(null);
            f.text().then(
              (t) => {
                setText(t);
                setName(f.name);
              },
              (err: Error) => setError(err.message),
            );
          }}
        />
      )}
      {archive ? (
        <p data-testid="import-archive">
          Archive <code>{archive.name}</code> ({Math.max(1, Math.round(archive.size / 1024))} KiB): its
          machine is read as with <code>--sysroot</code>.{' '}
          <button type="button" onClick={() => setArchive(null)}>
            Paste text instead
          </button>
        </p>
      ) : (
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
      )}
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
          disabled={busy || (archive === null && text.trim() === '')}
          onClick={() => void load()}
        >
          Load
        </button>
      </div>
    </Dialog>
  );
}
