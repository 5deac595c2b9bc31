/** Pure: shared by the file reader and the parsers, so every attribute is cleaned the same way. */

/**
 * An attribute's text without what kernels and dump tools leave around it: surrounding whitespace, a missing or
 * extra newline, and trailing NUL bytes (a real Arm server's dump has node0/cpulist = "0-31\n\0"). lscpu and
 * hwloc read such files; a NUL inside the text is left in, for the caller to reject as damage.
 */
export function attrText(text: string): string {
  return text.replace(/^[\s\0]+|[\s\0]+$/g, '');
}
