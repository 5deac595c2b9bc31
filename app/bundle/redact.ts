/**
 * Keeps secrets out of support bundles.
 *
 * Three layers, because a secret reaches a bundle in three shapes:
 * 1. by name: a variable whose name looks secret (HF_TOKEN, AWS_SECRET_ACCESS_KEY, …) is written as
 *    `NAME=<redacted>` in env files and scripts;
 * 2. in text: `NAME=value` pairs and `--token value` / `--api-key=value` options in any line (command lines
 *    echoed in logs, `pip list` output, tracebacks);
 * 3. by value: the literal value of every secret-named variable, wherever it shows up (a workload that prints
 *    its environment as JSON, a URL with the token inside) — the only layer that catches formats we cannot
 *    foresee.
 *
 * Text is handled as latin1 strings so arbitrary bytes (invalid UTF-8 in a log) pass through unchanged: a
 * UTF-8 secret is searched for as its latin1 image.
 */

export const REDACTED = '<redacted>';

/** Name fragments (case-insensitive substrings) that mark a variable as secret. */
export const SECRET_NAME_WORDS = [
  'TOKEN',
  'SECRET',
  'PASSWORD',
  'PASSWD',
  'KEY',
  'CREDENTIAL',
  'AUTH',
  'COOKIE',
  'SESSION',
] as const;

/**
 * Shorter values are redacted by name but not searched for as literals: `XDG_SESSION_TYPE=tty` must not turn
 * every "tty" in a kernel log into `<redacted>`. Real tokens and passwords worth hiding are longer.
 */
export const MIN_LITERAL_LENGTH = 6;

export interface RedactorOptions {
  /**
   * Extra patterns from the user. A plain word is one more name fragment (like TOKEN); `/regex/flags` is matched
   * against every line of text and its matches are redacted (for host names, internal paths, …).
   */
  patterns?: readonly string[];
  /** Environments whose secret-named values must be hidden (the tool's own, the run's explicit variables). */
  envs?: readonly Readonly<Record<string, string | null | undefined>>[];
  /** Further literal values to hide (e.g. the argument after `--token` in the workload's argv). */
  values?: readonly string[];
}

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/re/flags` → RegExp (global); throws PatternError with a readable message. */
function userRegex(p: string): RegExp | null {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(p);
  if (!m) return null;
  const flags = new Set(m[2]!.split(''));
  flags.add('g');
  try {
    return new RegExp(m[1]!, [...flags].join(''));
  } catch (e) {
    throw new PatternError(
      `redaction pattern ${p} is not a valid regular expression: ${(e as Error).message}`,
    );
  }
}

/** Split user patterns into extra name words and text regexes. */
export function parsePatterns(patterns: readonly string[]): { words: string[]; regexes: RegExp[] } {
  const words: string[] = [];
  const regexes: RegExp[] = [];
  for (const raw of patterns) {
    const p = raw.trim();
    if (p === '') continue;
    const re = userRegex(p);
    if (re) regexes.push(re);
    else words.push(p.toUpperCase());
  }
  return { words, regexes };
}

export class Redactor {
  private readonly words: string[];
  private readonly regexes: RegExp[];
  /** latin1 images of the literal secret values, longest first so a value containing another wins. */
  private readonly literals: string[];
  private readonly literalRe: RegExp | null;
  private readonly pairRe: RegExp;
  private readonly optionRe: RegExp;
  /** Cheap test that a line might need redaction at all: most log lines do not, and skip the real work. */
  private readonly mightMatch: RegExp | null;
  /** Names (variables, options) whose values were hidden in what was redacted so far: for the preview and README. */
  readonly redactedNames = new Set<string>();

  constructor(opts: RedactorOptions = {}) {
    const { words, regexes } = parsePatterns(opts.patterns ?? []);
    this.words = [...SECRET_NAME_WORDS, ...words];
    this.regexes = regexes;
    const values = new Set<string>();
    for (const env of opts.envs ?? []) {
      for (const [name, value] of Object.entries(env)) {
        if (!this.isSecretName(name) || value === null || value === undefined) continue;
        values.add(value);
      }
    }
    for (const v of opts.values ?? []) values.add(v);
    this.literals = [...values]
      .filter((v) => v.length >= MIN_LITERAL_LENGTH && v !== REDACTED)
      .map((v) => Buffer.from(v, 'utf8').toString('latin1'))
      .sort((a, b) => b.length - a.length);
    this.literalRe = this.literals.length ? new RegExp(this.literals.map(escapeRegex).join('|'), 'g') : null;
    const alt = this.words.map(escapeRegex).join('|');
    // NAME=value where NAME contains a secret word; the value runs to whitespace, or is a quoted string.
    // Only `=`: with `:` too, every Python `KeyError: 'x'` would lose its message.
    this.pairRe = new RegExp(
      String.raw`\b([A-Za-z_][A-Za-z0-9_]*(?:${alt})[A-Za-z0-9_]*|(?:${alt})[A-Za-z0-9_]*)(=)("[^"]*"|'[^']*'|[^\s"',;]+)`,
      'gi',
    );
    // User regexes can match anything, so with any of them every line takes the full path.
    this.mightMatch = regexes.length
      ? null
      : new RegExp([alt, ...this.literals.map(escapeRegex)].join('|'), 'i');
    // --api-key=value, --token value, -password value: an option whose name contains a secret word.
    this.optionRe = new RegExp(
      String.raw`(^|\s)(--?[A-Za-z0-9_-]*(?:${alt})[A-Za-z0-9_-]*)(=|\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)`,
      'gi',
    );
  }

  /** Redact one line given as a latin1 string (bytes 1:1); the fast path for streaming logs. */
  latin1Line(s: string): string {
    return this.latin1(s);
  }

  /** Does this variable name look secret (built-in words or the user's)? */
  isSecretName(name: string): boolean {
    const upper = name.toUpperCase();
    return this.words.some((w) => upper.includes(w));
  }

  /** A value for an env file or script: the value itself, or REDACTED when the name looks secret. */
  envValue(name: string, value: string): string {
    if (this.isSecretName(name)) {
      this.redactedNames.add(name);
      return REDACTED;
    }
    return this.text(value);
  }

  /** Copy of an environment with secret values replaced. */
  env(env: Readonly<Record<string, string>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) out[k] = this.envValue(k, v);
    return out;
  }

  /**
   * An argv with secrets hidden: the value after a secret-looking option (`--token X`, `--token=X`), any
   * `NAME=value` word with a secret name, and known secret literals.
   */
  argv(argv: readonly string[]): string[] {
    const out: string[] = [];
    let hideNext = false;
    for (const word of argv) {
      if (hideNext && !word.startsWith('-')) {
        out.push(REDACTED);
        hideNext = false;
        continue;
      }
      hideNext = false;
      const opt = /^(--?[A-Za-z0-9_-]+)(=(.*))?$/s.exec(word);
      if (opt && this.isSecretName(opt[1]!.replace(/^-+/, ''))) {
        this.redactedNames.add(opt[1]!);
        if (opt[2] !== undefined) out.push(`${opt[1]}=${REDACTED}`);
        else {
          out.push(word);
          hideNext = true;
        }
        continue;
      }
      out.push(this.text(word));
    }
    return out;
  }

  /**
   * Values the argv passes after secret-looking options or in secret `NAME=value` words: searched for as
   * literals too, so `--token abc` also hides "abc" where the workload echoes it.
   */
  secretArgs(argv: readonly string[]): string[] {
    const found: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const word = argv[i]!;
      const m = /^(-{0,2}[A-Za-z0-9_-]+)=(.+)$/s.exec(word);
      if (m && this.isSecretName(m[1]!)) found.push(m[2]!);
      else if (/^--?[A-Za-z0-9_-]+$/.test(word) && this.isSecretName(word.replace(/^-+/, ''))) {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-')) found.push(next);
      }
    }
    return found;
  }

  /** Redact a JS string (UTF-8 text): everything `bytes` does. */
  text(s: string): string {
    if (s === '') return s;
    return Buffer.from(this.latin1(Buffer.from(s, 'utf8').toString('latin1')), 'latin1').toString('utf8');
  }

  /** Redact raw bytes (one log line, any encoding); returns the same buffer when nothing changed. */
  bytes(buf: Buffer): Buffer {
    const s = buf.toString('latin1');
    const r = this.latin1(s);
    return r === s ? buf : Buffer.from(r, 'latin1');
  }

  private latin1(s: string): string {
    if (this.mightMatch !== null && !this.mightMatch.test(s)) return s;
    let out = s;
    if (this.literalRe) out = out.replace(this.literalRe, REDACTED);
    // An already-quoted placeholder stays as it is, so a redacted script remains valid bash.
    out = out.replace(this.pairRe, (_m, name: string, sep: string, value: string) =>
      value === REDACTED || value.slice(1, -1) === REDACTED
        ? `${name}${sep}${value}`
        : `${name}${sep}${REDACTED}`,
    );
    out = out.replace(this.optionRe, (m: string, lead: string, opt: string, sep: string, value: string) =>
      value === REDACTED || value.slice(1, -1) === REDACTED ? m : `${lead}${opt}${sep}${REDACTED}`,
    );
    for (const re of this.regexes) out = out.replace(re, REDACTED);
    return out;
  }

  /** Deep copy of JSON-like data with every string redacted (keys of secret-named entries hide their value). */
  json<T>(value: T): T {
    return this.deep(value, null) as T;
  }

  private deep(v: unknown, key: string | null): unknown {
    if (typeof v === 'string') return key !== null && this.isSecretName(key) ? REDACTED : this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.deep(x, null));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.deep(x, k);
      return out;
    }
    return v;
  }
}
