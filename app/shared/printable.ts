/**
 * Text safe to print on one terminal line inside a message: control characters (C0, DEL, C1) and the Unicode
 * line/paragraph separators become visible escapes (`\n`, `\x1b`, `\u2028`); everything else is kept. Raw, they
 * would break the one-line message, move the cursor or clear the screen.
 */
export function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}
