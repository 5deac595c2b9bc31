/**
 * Notes about sysfs/procfs files that exist but do not hold what they should (a truncated list, binary garbage):
 * the reader falls back to another file or to "unknown", and the user must learn which file and what was assumed,
 * or a damaged dump would be misread silently.
 */
import { relative } from 'node:path';

/** How many damaged files are named one by one; the rest are counted, so a wrecked dump stays readable. */
const MAX_NAMED = 12;

/**
 * Text from a file made safe to print on a terminal and in JSON: control characters (C0, DEL, C1) escaped as
 * \xNN, so bytes of a corrupt file never reach the terminal raw, and long text shortened.
 */
export function visible(text: string, max = 40): string {
  const cut = [...text].length > max ? [...text].slice(0, max).join('') + '…' : text;
  return cut.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

export class DamageNotes {
  private readonly notes: string[] = [];

  constructor(private readonly root: string) {}

  /** The file as the user knows it: relative to a sysroot, absolute on this host. */
  name(path: string): string {
    return this.root === '/' ? path : relative(this.root, path);
  }

  /** `file: "text" is not <what>; <assumed>.` */
  unreadable(path: string, text: string, what: string, assumed: string): void {
    this.notes.push(`${this.name(path)}: "${visible(text)}" is not ${what}; ${assumed}.`);
  }

  /** A note that does not fit the one-file pattern (e.g. two files contradicting each other). */
  add(note: string): void {
    this.notes.push(note);
  }

  lines(): string[] {
    if (this.notes.length <= MAX_NAMED) return [...this.notes];
    return [
      ...this.notes.slice(0, MAX_NAMED),
      `${this.notes.length - MAX_NAMED} more damaged files were read the same way.`,
    ];
  }
}
