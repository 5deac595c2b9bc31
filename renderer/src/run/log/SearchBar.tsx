/** Regex search over the log (engine-side), with next/previous and "only matching lines". */
export function SearchBar({
  text,
  onText,
  caseSensitive,
  onCaseSensitive,
  onlyMatching,
  onOnlyMatching,
  onNext,
  onPrev,
  message,
  invalid,
  busy,
}: {
  text: string;
  onText(t: string): void;
  caseSensitive: boolean;
  onCaseSensitive(v: boolean): void;
  onlyMatching: boolean;
  onOnlyMatching(v: boolean): void;
  onNext(): void;
  onPrev(): void;
  message: string | null;
  invalid: boolean;
  busy: boolean;
}) {
  return (
    <div className="log-search" role="search">
      <input
        type="text"
        className="mono"
        placeholder="Search (regular expression)"
        aria-label="Search the log"
        aria-invalid={invalid}
        data-testid="log-search"
        spellCheck={false}
        value={text}
        onChange={(e) => onText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          e.preventDefault();
          if (e.shiftKey) onPrev();
          else onNext();
        }}
      />
      <button
        type="button"
        data-testid="log-search-prev"
        disabled={!text || invalid || busy}
        onClick={onPrev}
      >
        ↑ Previous
      </button>
      <button
        type="button"
        data-testid="log-search-next"
        disabled={!text || invalid || busy}
        onClick={onNext}
      >
        ↓ Next
      </button>
      <label className="toggle">
        <input type="checkbox" checked={caseSensitive} onChange={(e) => onCaseSensitive(e.target.checked)} />
        Aa
      </label>
      <label className="toggle">
        <input
          type="checkbox"
          data-testid="log-only-matching"
          checked={onlyMatching}
          disabled={invalid}
          onChange={(e) => onOnlyMatching(e.target.checked)}
        />
        only matching lines
      </label>
      {message && (
        <span
          className={invalid ? 'inline-error' : 'muted'}
          data-testid="log-search-message"
          aria-live="polite"
        >
          {message}
        </span>
      )}
    </div>
  );
}
