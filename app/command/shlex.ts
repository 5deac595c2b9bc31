/**
 * A bash word splitter for pasted command lines: quotes (single, double, $'…' ANSI-C), backslashes, line
 * continuations, comments and command separators. It never expands anything; words containing expansions,
 * globs or redirection/pipe characters are flagged so the parser can say it kept them literally.
 */

export interface Word {
  /** The word after quote removal. */
  value: string;
  /** The word as written, quotes included. */
  raw: string;
  /** Unquoted prefix length of `value`: an assignment's `NAME=` must lie entirely inside it. */
  bareLength: number;
  /** Contains `$…`, backticks or a leading `~` that bash would expand. */
  expansion: boolean;
  /** Contains unquoted `*`, `?` or `[`. */
  glob: boolean;
  /** Contains unquoted `|`, `&`, `<` or `>` (a pipe or redirection, not an argument). */
  operator: boolean;
}

export interface Lexed {
  /** Simple commands, split at newlines, `;`, `&&`, `||`, `(` and `)`. */
  commands: Word[][];
  notes: string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** The assignment a word stands for when it is one to bash (`NAME=value` with an unquoted `NAME=`). */
export function assignmentOf(w: Word): { name: string; value: string } | null {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(w.value);
  if (!m || m[0].length > w.bareLength) return null;
  return { name: m[1]!, value: w.value.slice(m[0].length) };
}

export function lex(text: string): Lexed {
  const commands: Word[][] = [];
  const notes: string[] = [];
  let current: Word[] = [];
  let i = 0;
  const n = text.length;

  const endCommand = () => {
    if (current.length > 0) commands.push(current);
    current = [];
  };

  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\n' || c === ';' || c === '(' || c === ')') {
      endCommand();
      i++;
      continue;
    }
    if ((c === '&' && text[i + 1] === '&') || (c === '|' && text[i + 1] === '|')) {
      if (c === '|') notes.push('"||" (run on failure) was read as a plain command separator');
      endCommand();
      i += 2;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const r = readWord(text, i, notes);
    current.push(r.word);
    i = r.end;
  }
  endCommand();
  return { commands, notes };
}

function readWord(text: string, start: number, notes: string[]): { word: Word; end: number } {
  let value = '';
  let bareLength = -1;
  let expansion = false;
  let glob = false;
  let operator = false;
  let i = start;
  const n = text.length;
  const quoted = () => {
    if (bareLength < 0) bareLength = value.length;
  };

  if (text[i] === '~') expansion = true;

  while (i < n) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '(' || c === ')') break;
    if (c === '\r' && (i + 1 >= n || text[i + 1] === '\n')) break;
    if ((c === '&' && text[i + 1] === '&') || (c === '|' && text[i + 1] === '|')) break;
    if (c === '\\') {
      if (text[i + 1] === '\n') {
        i += 2;
        continue;
      }
      quoted();
      if (i + 1 < n) value += text[i + 1];
      i += 2;
      continue;
    }
    if (c === "'") {
      quoted();
      const close = text.indexOf("'", i + 1);
      if (close < 0) {
        notes.push('unterminated single quote: read to the end of the text');
        value += text.slice(i + 1);
        i = n;
        break;
      }
      value += text.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    if (c === '$' && text[i + 1] === "'") {
      quoted();
      const r = readAnsiC(text, i + 2);
      if (!r.closed) notes.push("unterminated $'…' quote: read to the end of the text");
      value += r.value;
      i = r.end;
      continue;
    }
    if (c === '"' || (c === '$' && text[i + 1] === '"')) {
      quoted();
      const r = readDouble(text, c === '$' ? i + 2 : i + 1);
      if (!r.closed) notes.push('unterminated double quote: read to the end of the text');
      value += r.value;
      expansion ||= r.expansion;
      i = r.end;
      continue;
    }
    if (c === '$' || c === '`') {
      const end = skipExpansion(text, i);
      if (end > i + 1 || c === '`') {
        expansion = true;
        value += text.slice(i, end);
        i = end;
        continue;
      }
    }
    if (c === '*' || c === '?' || c === '[') glob = true;
    if (c === '|' || c === '&' || c === '<' || c === '>') operator = true;
    value += c;
    i++;
  }
  if (bareLength < 0) bareLength = value.length;
  return { word: { value, raw: text.slice(start, i), bareLength, expansion, glob, operator }, end: i };
}

/** End index of a `$…` or backtick expansion starting at `i` (i + 1 when `$` stands for itself). */
function skipExpansion(text: string, i: number): number {
  const n = text.length;
  if (text[i] === '`') {
    const close = text.indexOf('`', i + 1);
    return close < 0 ? n : close + 1;
  }
  const next = text[i + 1];
  if (next === undefined) return i + 1;
  if (next === '{' || next === '(') {
    const open = next;
    const closeCh = open === '{' ? '}' : ')';
    let depth = 0;
    for (let j = i + 1; j < n; j++) {
      if (text[j] === open) depth++;
      else if (text[j] === closeCh && --depth === 0) return j + 1;
    }
    return n;
  }
  if (NAME_START.test(next)) {
    let j = i + 1;
    while (j < n && NAME_CHAR.test(text[j]!)) j++;
    return j;
  }
  if (/[0-9@*#?$!-]/.test(next)) return i + 2;
  return i + 1;
}

function readDouble(
  text: string,
  i: number,
): { value: string; end: number; closed: boolean; expansion: boolean } {
  let value = '';
  let expansion = false;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') return { value, end: i + 1, closed: true, expansion };
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '\n') {
        i += 2;
        continue;
      }
      // Inside double quotes a backslash only escapes these; elsewhere it stays.
      if (next === '$' || next === '`' || next === '"' || next === '\\') {
        value += next;
        i += 2;
        continue;
      }
      value += c;
      i++;
      continue;
    }
    if (c === '$' || c === '`') {
      const end = skipExpansion(text, i);
      if (end > i + 1 || c === '`') {
        expansion = true;
        value += text.slice(i, end);
        i = end;
        continue;
      }
    }
    value += c;
    i++;
  }
  return { value, end: n, closed: false, expansion };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '?': '?',
};

/** Bash's $'…' quoting, starting just after the opening quote. */
function readAnsiC(text: string, i: number): { value: string; end: number; closed: boolean } {
  let value = '';
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === "'") return { value, end: i + 1, closed: true };
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) {
      value += '\\';
      i++;
      continue;
    }
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
      continue;
    }
    let m: RegExpExecArray | null;
    const rest = text.slice(i + 1, i + 10);
    if ((m = /^[0-7]{1,3}/.exec(rest))) {
      value += String.fromCharCode(parseInt(m[0], 8) & 0xff);
      i += 1 + m[0].length;
    } else if ((m = /^x([0-9A-Fa-f]{1,2})/.exec(rest))) {
      value += String.fromCharCode(parseInt(m[1]!, 16));
      i += 1 + m[0].length;
    } else if ((m = /^u([0-9A-Fa-f]{1,4})/.exec(rest)) || (m = /^U([0-9A-Fa-f]{1,8})/.exec(rest))) {
      const cp = parseInt(m[1]!, 16);
      value += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      i += 1 + m[0].length;
    } else if (e === 'c' && i + 2 < n) {
      value += String.fromCharCode(text.charCodeAt(i + 2) & 0x1f);
      i += 3;
    } else {
      // Unknown escapes keep their backslash, as in bash.
      value += '\\' + e;
      i += 2;
    }
  }
  return { value, end: n, closed: false };
}
