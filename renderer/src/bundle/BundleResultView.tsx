import type { BundleInfo } from '../../../app/shared/contract';
import { downloadUrl } from '../api';
import { CopyButton } from '../common/CopyButton';
import { formatBytes } from '../common/format';

/** Where the bundle is, how to get at it in this shell, and the note to paste into the support e-mail. */
export function BundleResultView({ info }: { info: BundleInfo }) {
  const reveal = window.aioTuner?.showInFolder;
  const name = info.path.split('/').pop() ?? 'bundle.tar.gz';
  return (
    <div className="bundle-result" data-testid="bundle-result">
      <p>
        <strong>Bundle ready:</strong> <code data-testid="bundle-path">{info.path}</code> ·{' '}
        <span data-testid="bundle-size">{formatBytes(info.sizeBytes)}</span> · {info.files.length} files
      </p>
      <div className="field-row">
        {reveal ? (
          <button type="button" data-testid="bundle-show" onClick={() => void reveal(info.path)}>
            Show in folder
          </button>
        ) : (
          <a
            className="button-link"
            href={downloadUrl(info.path)}
            download={name}
            data-testid="bundle-download"
          >
            Download {name}
          </a>
        )}
        <CopyButton text={info.path} label="Copy path" />
      </div>
      <label htmlFor="bundle-note">Note for the support e-mail</label>
      <textarea
        id="bundle-note"
        className="mono"
        readOnly
        rows={7}
        value={info.note}
        data-testid="bundle-note"
      />
      <div className="field-row">
        <CopyButton text={info.note} label="Copy note" testId="bundle-note-copy" />
      </div>
    </div>
  );
}
