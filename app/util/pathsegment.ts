/**
 * The one rule for any name that arrives from outside (an API call, a CLI flag, a directory listing) and becomes
 * part of a path: it must be exactly one ordinary path segment. `.`/`..`, separators, NUL and control
 * characters would let a name reach outside its folder (`rm -r runs/..` removed the whole data directory).
 */
/** Longest segment accepted: well under every file system's 255-byte name limit, even after a suffix. */
export const MAX_SEGMENT = 100;

const SEGMENT_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Why `name` is not one safe path segment, or null when it is. */
export function segmentProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'not a string';
  if (name.length === 0) return 'empty';
  if (name.length > MAX_SEGMENT) return `longer than ${MAX_SEGMENT} characters`;
  // A leading dot is refused outright: it covers `.`, `..` and hidden files such as our own `.tmp-` files.
  if (!SEGMENT_RE.test(name)) return 'only letters, digits, "_", "-" and "." (not first) are allowed';
  return null;
}

export function isSafeSegment(name: unknown): name is string {
  return segmentProblem(name) === null;
}

/** Thrown for a name that is not one safe segment; `what` names it for the message ("run id", …). */
export class UnsafeSegmentError extends Error {
  constructor(
    readonly what: string,
    readonly value: unknown,
    readonly problem: string,
  ) {
    super(`invalid ${what} ${JSON.stringify(String(value)).slice(0, 120)}: ${problem}`);
    this.name = 'UnsafeSegmentError';
  }
}

export function assertSegment(what: string, name: unknown): string {
  const problem = segmentProblem(name);
  if (problem !== null) throw new UnsafeSegmentError(what, name, problem);
  return name as string;
}

/**
 * `dir/name`, with `name` checked to be one safe segment first: the only way ids should become paths. Plain
 * string joining (no node:path) keeps this module usable by the API contract, which the renderer imports too;
 * a checked segment has no separator, so nothing needs normalising.
 */
export function childPath(dir: string, what: string, name: unknown): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? dir + assertSegment(what, name) : dir + sep + assertSegment(what, name);
}

/**
 * A safe segment made from free text (a pasted log's name, a download's file name): every character the rule
 * refuses becomes `_`, a leading `.`/`-` gets a `_` in front, and it is cut to fit. Not reversible; for names that
 * must come back from the listing use `encodeSegment`.
 */
export function segmentFrom(text: string, fallback: string, maxLength = MAX_SEGMENT): string {
  let s = text.normalize('NFC').replace(/[^A-Za-z0-9_.-]+/g, '_');
  if (/^[.-]/.test(s)) s = '_' + s;
  s = s.slice(0, Math.min(maxLength, MAX_SEGMENT));
  return isSafeSegment(s) ? s : assertSegment('fallback segment', fallback);
}

/** Longest encoded segment (with its suffix): under the 255-byte file-name limit of common file systems. */
export const MAX_ENCODED_SEGMENT = 245;

const ENCODED_RE = /^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/;

/**
 * Any non-empty name as one segment that reads back exactly (a profile named "../x" or "café"): letters, digits,
 * `_` and `-` stay, every other UTF-8 byte becomes `%XX`. No `.`, `/` or `\` survives, so the result can never
 * be `.`/`..` or leave its folder; Windows device names (CON, NUL, COM1…) get their first letter encoded.
 */
export function encodeSegment(name: string): string {
  let out = '';
  const bytes = new TextEncoder();
  for (const ch of name) {
    if (/^[A-Za-z0-9_-]$/.test(ch)) out += ch;
    else for (const b of bytes.encode(ch)) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  if (/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(out))
    out = `%${out.charCodeAt(0).toString(16).toUpperCase()}${out.slice(1)}`;
  return out;
}

/** The name an encoded segment stands for, or null when it is not one `encodeSegment` could have made. */
export function decodeSegment(segment: string): string | null {
  if (!ENCODED_RE.test(segment)) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** `dir/<encoded name><suffix>`: the way free-form names (profiles) become paths. */
export function encodedChildPath(dir: string, what: string, name: string, suffix = ''): string {
  if (name.length === 0) throw new UnsafeSegmentError(what, name, 'empty');
  if (suffix !== '') assertSegment(`${what} suffix`, `x${suffix}`);
  const segment = encodeSegment(name) + suffix;
  if (segment.length > MAX_ENCODED_SEGMENT)
    throw new UnsafeSegmentError(what, name, 'too long once encoded for a file name');
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? dir + segment : dir + sep + segment;
}
