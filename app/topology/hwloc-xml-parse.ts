/**
 * A small, strict reader for the XML subset hwloc writes (as hwloc's own "nolibxml" backend reads it): an optional
 * declaration and DOCTYPE, comments, one root element, elements with quoted attributes, self-closing tags, text,
 * and the five predefined entities plus numeric character references. Anything else (CDATA, processing
 * instructions past the declaration, a DOCTYPE internal subset, unknown entities) is refused with its line number:
 * a topology file is never half-read.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside the element, entities decoded (hwloc keeps distance values here). */
  text: string;
  /** 1-based line of the start tag, for messages about the content. */
  line: number;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly line: number,
    what: string,
  ) {
    super(`line ${line}: ${what}`);
  }
}

/** Deeper than any hwloc topology (a dozen levels): a guard against input built to exhaust the stack. */
const MAX_DEPTH = 256;

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /[ \t\r\n]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** A short, printable quote of what was found, for messages (control characters escaped). */
function shown(text: string): string {
  const cut = text.length > 20 ? text.slice(0, 20) + '…' : text;
  return JSON.stringify(cut);
}

export function parseXml(text: string): XmlElement {
  let pos = 0;
  let line = 1;
  const advance = (to: number): void => {
    for (let i = pos; i < to; i++) if (text.charCodeAt(i) === 10) line++;
    pos = to;
  };
  const fail = (what: string, at = line): never => {
    throw new XmlSyntaxError(at, what);
  };
  const skipSpace = (): void => {
    SPACE.lastIndex = pos;
    SPACE.exec(text);
    advance(SPACE.lastIndex);
  };
  const name = (what: string): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(text);
    if (!m) fail(`expected ${what}, found ${shown(text.slice(pos, pos + 20) || 'the end of the file')}`);
    advance(NAME.lastIndex);
    return m![0];
  };
  const decode = (raw: string, at: number): string =>
    raw.replace(/&([^;&<\s]*);?/g, (whole, ent: string) => {
      if (!whole.endsWith(';')) fail(`"&" not starting an entity (write &amp;)`, at);
      if (ENTITIES[ent] !== undefined) return ENTITIES[ent];
      const m = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ent);
      if (m) {
        const code = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
        if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff))
          return String.fromCodePoint(code);
      }
      return fail(`unknown entity ${shown(whole)}`, at);
    });
  const until = (end: string, what: string): string => {
    const i = text.indexOf(end, pos);
    if (i < 0) fail(`${what} is never closed (no "${end}")`);
    const body = text.slice(pos, i);
    advance(i + end.length);
    return body;
  };

  // Prolog: declaration, comments, DOCTYPE, in any order hwloc writers use.
  if (text.startsWith('\uFEFF')) pos = 1;
  skipSpace();
  if (text.startsWith('<?xml', pos)) {
    advance(pos + 5);
    until('?>', 'the <?xml declaration');
  }
  for (;;) {
    skipSpace();
    if (text.startsWith('<!--', pos)) {
      advance(pos + 4);
      until('-->', 'a comment');
    } else if (text.startsWith('<!DOCTYPE', pos)) {
      const start = line;
      advance(pos + 9);
      const body = until('>', 'the DOCTYPE');
      if (body.includes('[')) fail('a DOCTYPE with an internal subset is not hwloc XML', start);
    } else if (text.startsWith('<?', pos)) {
      fail('processing instructions are not part of hwloc XML');
    } else break;
  }
  if (text[pos] !== '<')
    fail(`expected the root element, found ${shown(text.slice(pos, pos + 20) || 'nothing')}`);

  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  while (pos < text.length) {
    const open = stack[stack.length - 1];
    const lt = text.indexOf('<', pos);
    const chunkEnd = lt < 0 ? text.length : lt;
    if (chunkEnd > pos) {
      const raw = text.slice(pos, chunkEnd);
      const at = line;
      if (!open) {
        if (raw.trim() !== '') fail(`text after the root element: ${shown(raw.trim())}`, at);
      } else {
        if (raw.includes(']]>')) fail('"]]>" in text', at);
        open.text += decode(raw, at);
      }
      advance(chunkEnd);
      continue;
    }
    if (text.startsWith('<!--', pos)) {
      advance(pos + 4);
      const body = until('-->', 'a comment');
      if (body.includes('--')) fail('"--" inside a comment');
      continue;
    }
    if (text.startsWith('<![CDATA[', pos)) fail('CDATA sections are not part of hwloc XML');
    if (text.startsWith('<!', pos) || text.startsWith('<?', pos))
      fail(`unexpected ${shown(text.slice(pos, pos + 9))} inside the document`);
    if (text.startsWith('</', pos)) {
      const at = line;
      advance(pos + 2);
      const closing = name('an element name after "</"');
      skipSpace();
      if (text[pos] !== '>') fail(`expected ">" to end </${closing}`);
      advance(pos + 1);
      if (!open) fail(`</${closing}> closes nothing`, at);
      if (open!.name !== closing)
        fail(`</${closing}> closes <${open!.name}> opened on line ${open!.line}`, at);
      stack.pop();
      continue;
    }
    // A start tag.
    if (!open && root) fail('a second root element (a document has one)');
    const at = line;
    advance(pos + 1);
    const el: XmlElement = {
      name: name('an element name after "<"'),
      attrs: {},
      children: [],
      text: '',
      line: at,
    };
    for (;;) {
      const before = pos;
      skipSpace();
      if (text.startsWith('/>', pos)) {
        advance(pos + 2);
        break;
      }
      if (text[pos] === '>') {
        advance(pos + 1);
        stack.push(el);
        if (stack.length > MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH} levels`);
        break;
      }
      if (pos >= text.length) fail(`<${el.name}> is never closed (no ">")`, at);
      if (pos === before) fail(`expected a space before the next attribute of <${el.name}>`);
      const attr = name(`an attribute name or ">" in <${el.name}>`);
      skipSpace();
      if (text[pos] !== '=') fail(`expected "=" after attribute ${attr} of <${el.name}>`);
      advance(pos + 1);
      skipSpace();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'")
        fail(`the value of attribute ${attr} of <${el.name}> must be quoted`);
      advance(pos + 1);
      const end = text.indexOf(quote!, pos);
      if (end < 0) fail(`the value of attribute ${attr} of <${el.name}> is never closed`);
      const raw = text.slice(pos, end);
      if (raw.includes('<')) fail(`"<" in the value of attribute ${attr} of <${el.name}> (write &lt;)`);
      if (Object.hasOwn(el.attrs, attr)) fail(`attribute ${attr} given twice in <${el.name}>`);
      const valueLine = line;
      el.attrs[attr] = decode(raw, valueLine);
      advance(end + 1);
    }
    if (open) open.children.push(el);
    else root = el;
  }
  if (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    fail(`<${top.name}> opened on line ${top.line} is never closed (the file ends first)`);
  }
  if (!root) fail('no root element');
  return root!;
}

/** Text safe inside a double-quoted attribute value (hwloc's writer escapes the same characters). */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '') // not representable in XML 1.0
    .replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}
