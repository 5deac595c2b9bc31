import { useEffect, useState } from 'react';
import { call, downloadUrl } from '../../api';
import { takeHandoff } from '../../shell';
import { nativeShell } from '../../shell/native';
import type { LogSource } from './types';

/** Browser mode has no file dialog on the engine's side: files are read in the page, and saved logs downloaded. */
const isBrowserMode = () => !window.aioTuner;

/** Open an old or a colleague's log into the viewer, and save the one shown. */
export function LogFileBar({ source, onOpened }: { source: LogSource | null; onOpened(s: LogSource): void }) {
  const [openPath, setOpenPath] = useState('');
  const [savePath, setSavePath] = useState('');
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);

  const opened = (logId: string, label: string, path: string) =>
    onOpened({ logId, label, path, growing: false, liveTotal: 0, kind: 'file' });
  const fail = (e: unknown) => setNote({ text: (e as Error).message, error: true });
  // Electron's File › Open Log… (renderer/src/shell): the log the native dialog chose, opened by the engine.
  useEffect(
    () =>
      takeHandoff('open-log', (r) =>
        onOpened({
          logId: r.logId,
          label: r.path.split('/').pop() ?? r.path,
          path: r.path,
          growing: false,
          liveTotal: 0,
          kind: 'file',
        }),
      ),
    [onOpened],
  );

  const openFile = async (file: File) => {
    try {
      setNote({ text: `Reading ${file.name}…`, error: false });
      const r = await call('log.openText', { name: file.name, text: await file.text() });
      opened(r.logId, file.name, r.path);
      setNote(null);
    } catch (e) {
      fail(e);
    }
  };
  const openByPath = async () => {
    try {
      const r = await call('log.open', { path: openPath.trim() });
      opened(r.logId, r.path.split('/').pop() ?? r.path, r.path);
      setNote(null);
    } catch (e) {
      fail(e);
    }
  };
  // Electron: the window's native open dialog; the engine opens the chosen log where it is.
  const native = nativeShell();
  const openNative = async () => {
    try {
      const f = await native?.openFile('log');
      if (!f) return;
      const r = await call('log.open', { path: f.path });
      opened(r.logId, f.name, r.path);
      setNote(null);
    } catch (e) {
      fail(e);
    }
  };
  const save = async () => {
    if (!source) return;
    try {
      const r = await call('log.save', { logId: source.logId, path: savePath.trim() });
      setNote({ text: `Saved to ${r.path}`, error: false });
    } catch (e) {
      fail(e);
    }
  };

  return (
    <div className="log-file-bar">
      {native ? (
        <button type="button" data-testid="log-open-native" onClick={() => void openNative()}>
          Open log file…
        </button>
      ) : (
        <>
          <label className="file-button">
            Open log file…
            <input
              type="file"
              data-testid="log-open-file"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void openFile(f);
              }}
            />
          </label>
          <input
            type="text"
            className="mono"
            placeholder="or a path on the engine's machine"
            aria-label="Log file path to open"
            data-testid="log-open-path"
            value={openPath}
            onChange={(e) => setOpenPath(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && openPath.trim() && void openByPath()}
          />
          <button type="button" disabled={!openPath.trim()} onClick={() => void openByPath()}>
            Open
          </button>
        </>
      )}
      <span className="bar-gap" />
      <input
        type="text"
        className="mono"
        placeholder="save to path, e.g. /tmp/run.log"
        aria-label="Save the log to path"
        data-testid="log-save-path"
        value={savePath}
        onChange={(e) => setSavePath(e.target.value)}
      />
      <button
        type="button"
        data-testid="log-save"
        disabled={!source || !savePath.trim()}
        onClick={() => void save()}
      >
        Save
      </button>
      {source && isBrowserMode() && (
        <a
          className="button-link"
          href={downloadUrl(source.path)}
          download={source.path.split('/').pop()}
          data-testid="log-download"
        >
          Download
        </a>
      )}
      {note && (
        <span className={note.error ? 'inline-error' : 'muted'} data-testid="log-file-note" role="status">
          {note.text}
        </span>
      )}
    </div>
  );
}
