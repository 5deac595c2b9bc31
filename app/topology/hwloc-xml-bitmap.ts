/**
 * hwloc's bitmap text ("0x000000ff,0xffffffff": 32-bit words, most significant first, each with its own 0x), as
 * cpuset and nodeset attributes carry it.
 */

const MAX_WORDS = 2048;

/** Ids of the set bits, ascending; null when the text is not a bitmap. An infinite prefix ("0xf...f,") is dropped. */
export function parseHwlocBitmap(text: string): number[] | null {
  const body = text.trim().replace(/^0xf\.\.\.f,?/i, '');
  if (body === '') return [];
  const words = body.split(',');
  // 2048 words = 65536 ids, past any kernel's NR_CPUS: a longer mask is not a machine, only a way to exhaust memory.
  if (words.length > MAX_WORDS) return null;
  // An all-zero word may be written empty ("0x000000ff,,0x0000ffff"), as hwloc does for sparse sets.
  if (!words.every((w) => /^((0x)?[0-9a-f]{1,8})?$/i.test(w))) return null;
  const out: number[] = [];
  words.reverse().forEach((word, wi) => {
    const value = word === '' ? 0 : parseInt(word.replace(/^0x/i, ''), 16);
    for (let bit = 0; bit < 32; bit++) if (Math.floor(value / 2 ** bit) % 2 === 1) out.push(wi * 32 + bit);
  });
  return out.sort((a, b) => a - b);
}

/** The bitmap text hwloc itself writes for these ids ("0x0" for none). */
export function formatHwlocBitmap(ids: Iterable<number>): string {
  const words: number[] = [];
  for (const id of new Set(ids)) {
    const w = Math.floor(id / 32);
    while (words.length <= w) words.push(0);
    words[w] = (words[w]! + 2 ** (id % 32)) >>> 0;
  }
  while (words.length > 0 && words[words.length - 1] === 0) words.pop();
  if (words.length === 0) return '0x0';
  return words
    .reverse()
    .map((w) => '0x' + w.toString(16).padStart(8, '0'))
    .join(',');
}
