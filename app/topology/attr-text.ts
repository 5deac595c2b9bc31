/** Pure: shared by the file reader and the parsers, so every attribute is cleaned the same way. */

/**
 * An attribute's text without what kernels and dump tools leave around it: surrounding whitespace, a missing or
 * extra newline, and trailing NUL bytes (a real Arm server's dump has node0/cpulist = "0-31\n\0"). lscpu and
 * hwloc read such files; a NUL inside the text is left in, for the caller to reject as damage.
 */
export function attrText(text: string): string {
  // A loop, not a regex: this runs on each of the ~2,500 attributes of a 160-CPU read, and the regex was a tenth
  // of the probe's JS time.
  let start = 0;
  let end = text.length;
  while (start < end && isPad(text.charCodeAt(start))) start++;
  while (end > start && isPad(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** NUL, or what `\s` matches in the ASCII range and the Unicode spaces it also takes. */
function isPad(c: number): boolean {
  if (c === 0 || c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 128) return false;
  return /\s/.test(String.fromCharCode(c));
}
