import type { ReactNode } from 'react';

/** A titled panel region; `actions` sit on the title row. */
export function Section({
  title,
  actions,
  children,
  className,
  testId,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`section ${className ?? ''}`} aria-label={title} data-testid={testId}>
      <header className="section-header">
        <h2>{title}</h2>
        {actions && <div className="section-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
