/** POSIX sh quoting for command strings sent to a remote shell (ssh concatenates its arguments into one line). */

/** One word for sh: bare when it cannot be misread, else single-quoted (exact for any string without NUL). */
export function shq(word: string): string {
  if (word.includes('\0')) throw new Error('a NUL character cannot be passed to a remote command');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shJoin(argv: readonly string[]): string {
  return argv.map(shq).join(' ');
}
