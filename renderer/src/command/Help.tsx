import { useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import './command.css';

/**
 * The "?" that opens a piece of help. Its name says whose help it is ("Help for Threads"), since a screen
 * reader listing the page's buttons would otherwise read a column of identical question marks.
 */
export function HelpButton({
  topic,
  expanded,
  controls,
  onToggle,
  testId,
}: {
  topic: string;
  expanded: boolean;
  controls: string;
  onToggle(): void;
  testId?: string;
}) {
  return (
    <button
      type="button"
      className="help-toggle"
      aria-label={`Help for ${topic}`}
      aria-expanded={expanded}
      aria-controls={controls}
      data-testid={testId}
      onClick={onToggle}
    >
      ?
    </button>
  );
}

/**
 * A control's help, closed until its "?" is pressed: the button sits where the caller puts `button`, the text
 * opens under the control. The text stays out of the page while closed, so it costs no height.
 */
export function useHelp(topic: string, text: ReactNode, testId?: string) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return {
    button: (
      <HelpButton
        topic={topic}
        expanded={open}
        controls={id}
        onToggle={() => setOpen(!open)}
        testId={testId ? `${testId}-toggle` : undefined}
      />
    ),
    panel: (
      <div id={id} className="help-text muted" hidden={!open} data-testid={testId}>
        {open && text}
      </div>
    ),
  };
}

/**
 * A note drawn on one line, cut with an ellipsis when longer than the room it has; the "?" beside it (shown
 * only when something is cut) unfolds it. The whole text stays in the page either way, so assistive
 * technology and copy reach all of it.
 */
export function OneLineNote({
  topic,
  className,
  children,
  ...rest
}: {
  topic: string;
  className?: string;
  children: ReactNode;
} & Record<`data-${string}`, string | boolean | undefined>) {
  const [open, setOpen] = useState(false);
  const [cut, setCut] = useState(false);
  const textRef = useRef<HTMLSpanElement>(null);
  const id = useId();
  useLayoutEffect(() => {
    const el = textRef.current;
    if (!el || open) return;
    const measure = () => setCut(el.scrollWidth > el.clientWidth + 1);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [open, children]);
  return (
    <p className={`one-line-note ${open ? 'is-open' : ''} ${className ?? ''}`} {...rest}>
      <span id={id} ref={textRef} className="one-line-text">
        {children}
      </span>
      {(cut || open) && (
        <HelpButton topic={topic} expanded={open} controls={id} onToggle={() => setOpen(!open)} />
      )}
    </p>
  );
}
