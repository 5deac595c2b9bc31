/**
 * Terminal escape handling for display. The log file keeps the original bytes; only what is shown is cleaned.
 */

// CSI (colours, cursor moves), OSC (titles, hyperlinks; BEL or ST terminated), and the remaining two-byte
// ESC sequences. The 8-bit CSI (0x9b) is included because some tools emit it on non-UTF-8 terminals.
const ANSI_RE =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]/g;

/** Remove ANSI/VT escape sequences. Cheap when there are none (the common case). */
export function stripAnsi(text: string): string {
  if (text.indexOf('\x1b') === -1 && text.indexOf('\x9b') === -1) return text;
  return text.replace(ANSI_RE, '');
}

/**
 * What a terminal would finally show for one line: escapes removed, a trailing CR (CRLF files) dropped, and for
 * progress bars that redraw with bare CRs (tqdm) only the last non-empty segment kept, so a 60 s progress bar is
 * one readable line rather than thousands of overdrawn copies.
 */
export function displayText(text: string): string {
  let s = stripAnsi(text);
  if (s.endsWith('\r')) s = s.slice(0, -1);
  if (s.indexOf('\r') !== -1) {
    const parts = s.split('\r');
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i];
      if (p !== undefined && p.trim() !== '') return p;
    }
    return '';
  }
  return s;
}
