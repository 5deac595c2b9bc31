import type { BundlePreview } from '../../../app/shared/contract';

/** What the command heading says: a new run is at level 4; a saved run is shown with the level it had. */
export function commandHeading(p: BundlePreview): string {
  if (!p.fromRun) return 'Command (run at AIO_DEBUG_MODE=4)';
  const run = p.fromRun.runId ? `saved run ${p.fromRun.runId}` : 'the saved run';
  return p.debugMode === 4
    ? `Command of ${run}, not re-run (it was at AIO_DEBUG_MODE=4)`
    : `Command of ${run}, not re-run (it was NOT at AIO_DEBUG_MODE=4: level ${p.debugMode ?? 'unset, so 2'})`;
}

/** The plan shown before anything is written: the command, the environment (redactions marked), the files. */
export function BundlePreviewView({ preview }: { preview: BundlePreview }) {
  const redacted = new Set(preview.redacted);
  const env = Object.entries(preview.env).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div
      className="bundle-preview"
      data-testid="bundle-preview"
      data-source={preview.fromRun ? 'saved-run' : 'new-run'}
      data-level={preview.debugMode ?? 'unset'}
    >
      <h3 data-testid="bundle-command-heading">{commandHeading(preview)}</h3>
      <pre className="bundle-command" data-testid="bundle-command">
        {preview.command}
      </pre>
      <details open>
        <summary>
          Environment: {env.length} variables
          {redacted.size > 0 ? `, ${redacted.size} redacted` : ''}
        </summary>
        {/* It scrolls (a long environment): focusable, so keyboard users can scroll it too. */}
        <table
          className="bundle-env"
          data-testid="bundle-env"
          tabIndex={0}
          aria-label="Environment variables the bundle records"
        >
          <tbody>
            {env.map(([k, v]) => (
              <tr key={k} className={redacted.has(k) ? 'is-redacted' : ''} data-name={k}>
                <td className="mono">{k}</td>
                <td className="mono">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <details>
        <summary>Files: {preview.files.length}</summary>
        <ul className="bundle-files mono" data-testid="bundle-files">
          {preview.files.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      </details>
    </div>
  );
}
