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
