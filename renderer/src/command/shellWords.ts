/**
 * Split one line the way bash splits a simple command's words (quotes and backslashes; no expansion), so the
 * workload field accepts what users paste from a terminal. Joining goes through the engine's own quoting, so
 * split(join(argv)) == argv for any argv.
 */
import { shellJoin } from '../../../app/shared/quote';

export { shellJoin };

export class ShellSplitError extends Error {}

export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const n = line.length;
  while (i < n) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw new ShellSplitError('unclosed single quote');
      word += line.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = line[i]!;
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        // Inside double quotes a backslash only escapes these; elsewhere it stays literal (bash rules).
        if (c === '\\' && i + 1 < n && '"\\$`\n'.includes(line[i + 1]!)) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
          continue;
        }
        word += c;
        i++;
      }
      if (!closed) throw new ShellSplitError('unclosed double quote');
    } else if (ch === '\\') {
      if (i + 1 >= n) throw new ShellSplitError('a backslash ends the line');
      if (line[i + 1] !== '\n') word += line[i + 1];
      else if (word === '') inWord = false;
      i += 2;
    } else {
      word += ch;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
