import { Dialog } from '../common/Dialog';
import { SHORTCUTS } from './shortcuts';

/** Every shortcut, from the same table the key handler uses. */
export function HelpOverlay({ open, onClose }: { open: boolean; onClose(): void }) {
  return (
    <Dialog open={open} title="Keyboard shortcuts" onClose={onClose} testId="shortcut-help">
      <table className="shortcut-table">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Does</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys} data-testid="shortcut-row">
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Area keys and <kbd>?</kbd> work when the cursor is not in a text field; <kbd>Ctrl+Enter</kbd> and{' '}
        <kbd>Ctrl+.</kbd> work everywhere (<kbd>Cmd</kbd> on macOS too).
      </p>
    </Dialog>
  );
}
