/**
 * Split a line into plain and matching parts for <mark>; bounded to `max` hits. The viewer passes a pattern only
 * once the engine has run it over the log within its time budget, so a catastrophic one never reaches here.
 */
export function splitMatches(text: string, re: RegExp | null, max = 50): { text: string; hit: boolean }[] {
  if (!re) return [{ text, hit: false }];
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  const parts: { text: string; hit: boolean }[] = [];
  let last = 0;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = g.exec(text)) && n++ < max) {
    if (m[0].length === 0) {
      g.lastIndex++; // an empty match would loop forever
      continue;
    }
    if (m.index > last) parts.push({ text: text.slice(last, m.index), hit: false });
    parts.push({ text: m[0], hit: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), hit: false });
  return parts;
}

/** The search box's text as a RegExp, or the reason it is not one. */
export function compileSearch(source: string, caseSensitive: boolean): RegExp | string | null {
  if (!source) return null;
  try {
    return new RegExp(source, caseSensitive ? '' : 'i');
  } catch (e) {
    // V8 says "Invalid regular expression: /(/i: Unterminated group" itself: no second prefix.
    const m = (e as Error).message;
    return /^invalid regular expression/i.test(m) ? m : `Invalid regular expression: ${m}`;
  }
}
