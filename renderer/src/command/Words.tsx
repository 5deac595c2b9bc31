import { memo } from 'react';

/**
 * Text drawn so that lines can only break at its whitespace: every run of non-space characters is one unbreakable
 * span, the whitespace between them stays plain text (copying the selection gives the exact text back).
 */
export const Words = memo(function Words({ text }: { text: string }) {
  const parts = text.split(/(\s+)/);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 || p === '' ? (
          p
        ) : (
          <span key={i} className="word">
            {p}
          </span>
        ),
      )}
    </>
  );
});
