import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal built on <dialog>: the browser gives focus trapping, Escape and the backdrop for free, and it works
 * under the strict CSP (no inline scripts).
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  testId,
}: {
  open: boolean;
  title: string;
  onClose(): void;
  children: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-label={title} data-testid={testId} onClose={onClose}>
      <header className="dialog-header">
        <h2>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {open && <div className="dialog-body">{children}</div>}
    </dialog>
  );
}
