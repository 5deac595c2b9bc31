/**
 * Quoting for the three text forms a command is shown in: bash words, `docker --env-file` lines and a
 * `KEY=value` block that bash can `source`.
 *
 * Bash quoting is exact for every string an argv or environment can hold. The one thing no form can carry is
 * a NUL character (execve ends strings at NUL), so quoting such a string throws instead of producing a command
 * that silently runs with a different value.
 */

import { printable } from './printable';

export { printable };

export class QuoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuoteError';
  }
}

/**
 * Characters that never mean anything special to bash inside a word, in any position. `~` (tilde expansion at
 * word start), `{}` (brace expansion), `#` (comment at word start) and `!` (history expansion in interactive
 * shells) are left out on purpose: a pasted command must behave the same in an interactive terminal.
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A bare `NAME=value` word would be taken as an assignment when it is the first word of a command. */
const ASSIGNMENT_SHAPED = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** Reserved words are only special unquoted in command position, but quoting is cheap and context-free. */
const RESERVED = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'case',
  'esac',
  'for',
  'select',
  'while',
  'until',
  'do',
  'done',
  'in',
  'function',
  'time',
  'coproc',
]);

/** Valid shell variable name: the only names bash can assign, export or unset. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isValidEnvName(name: string): boolean {
  return ENV_NAME.test(name);
}

/**
 * Quote one string as a single bash word that expands to exactly that string.
 * Bare when safe, otherwise single quotes (which keep every byte literal) with each `'` written as `'\''`; a
 * string holding control characters uses `$'…'` instead, so what is shown or copied stays one printable line.
 */
export function shellQuote(s: string): string {
  if (s.includes('\0'))
    throw new QuoteError('a NUL character cannot be passed in a command line or environment');
  if (SAFE_WORD.test(s) && !ASSIGNMENT_SHAPED.test(s) && !RESERVED.has(s)) return s;
  if (CONTROL.test(s)) return ansiCQuote(s);
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Control characters (C0, DEL, C1) and the Unicode line/paragraph separators: exact inside single quotes, but
 * shown raw they move the cursor, clear the screen or break the line a user copies.
 */
const CONTROL = /[\x01-\x1f\x7f-\x9f\u2028\u2029]/;

// Node and browsers both have TextEncoder, but its type comes with the DOM's or Node's, which shared/ is checked
// without (app/shared/tsconfig.json): this module-local declaration types the global for this file only.
declare const TextEncoder: { new (): { encode(input: string): Uint8Array } };

/**
 * Bash's `$'…'` form, which spells control characters as escapes. Each one is written as the \xHH bytes of its
 * UTF-8 encoding, which bash decodes the same way in every locale (`\u` escapes depend on the locale). `!` is
 * escaped too, so history expansion in an interactive shell cannot touch it.
 */
function ansiCQuote(s: string): string {
  let out = "$'";
  for (const ch of s) {
    if (ch === "'" || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '!' || CONTROL.test(ch))
      for (const b of new TextEncoder().encode(ch)) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + "'";
}

/** Quote every word and join with spaces. */
export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** `NAME=value` as a bash assignment word (the name is never quoted: a quoted name is not an assignment). */
export function shellAssignment(name: string, value: string): string {
  if (!isValidEnvName(name)) throw new QuoteError(`"${name}" is not a valid shell variable name`);
  return `${name}=${value === '' ? "''" : shellQuote(value)}`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why `value` cannot be written in a `docker --env-file` line, or null when it can.
 *
 * Docker reads env files line by line and takes everything after the first `=` literally: there is no quoting
 * and no escaping. So a newline ends the value, a trailing carriage return is stripped by the line reader, and
 * the file must be valid UTF-8 (a lone UTF-16 surrogate in a JS string would turn into U+FFFD).
 */
export function envFileProblem(value: string): string | null {
  if (value.includes('\0')) return 'contains a NUL character';
  if (value.includes('\n')) return 'contains newline';
  if (value.endsWith('\r')) return 'ends with a carriage return';
  if (LONE_SURROGATE.test(value)) return 'is not valid Unicode';
  return null;
}

/**
 * One `docker --env-file` line. Values that such a file cannot express become a comment saying so, never a
 * line that would silently give the container a different value.
 */
export function envFileLine(name: string, value: string): string {
  if (!isValidEnvName(name))
    return `# ${sanitizeComment(name)} cannot be expressed in an env file (invalid name)`;
  const problem = envFileProblem(value);
  if (problem !== null) return `# ${name} cannot be expressed in an env file (${problem})`;
  return `${name}=${value}`;
}

/**
 * A whole `docker --env-file` file. Unset variables are listed as comments: an env file can only add variables,
 * it cannot remove one the image defines.
 */
export function formatEnvFile(env: Readonly<Record<string, string>>, unset: readonly string[] = []): string {
  const lines = [
    '# docker --env-file format: NAME=value, taken literally (no quotes, no escapes, one line).',
  ];
  for (const [name, value] of Object.entries(env)) lines.push(envFileLine(name, value));
  for (const name of unset)
    lines.push(`# ${sanitizeComment(name)} must be unset; an env file cannot remove a variable`);
  return lines.join('\n') + '\n';
}

/**
 * `KEY=value` lines with bash quoting: readable as a dotenv-style block and exact when `source`d by bash
 * (`set -a; source file; set +a`). Unset variables become `unset NAME` lines, which bash honours.
 */
export function formatDotenv(env: Readonly<Record<string, string>>, unset: readonly string[] = []): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(env)) lines.push(shellAssignment(name, value));
  for (const name of unset) lines.push(`unset ${shellQuote(name)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Keep a comment on one line whatever the text holds. */
function sanitizeComment(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}
