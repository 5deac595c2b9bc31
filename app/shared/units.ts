/**
 * Size strings as the kernel and lscpu write them. sysfs uses "32K" / "4096K" / "1M" (binary units, no "iB");
 * lscpu uses "64 KiB", "5 MiB", and util-linux < 2.34 wrote "64K". All are powers of 1024.
 */

const UNIT: Record<string, number> = {
  '': 1,
  B: 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/** "32K" → 32768, "5 MiB" → 5242880, "1M" → 1048576; null when the text is not a size. */
export function parseSizeBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return null;
  const factor = UNIT[m[2]!.toUpperCase()];
  if (factor === undefined) return null;
  return Math.round(Number(m[1]) * factor);
}

/** Human binary size for summaries: 65536 → "64 KiB", 1048576 → "1 MiB", 1.5 GiB → "1.5 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  const rounded = value >= 100 || Number.isInteger(value) ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${units[i]}`;
}

/** The "MemTotal:  2017352 kB" style used by /proc/meminfo and nodeN/meminfo; null when the key is absent. */
export function meminfoBytes(text: string, key: string): number | null {
  const m = new RegExp(`(?:^|\\n)(?:Node \\d+ )?${key}:\\s*(\\d+)\\s*kB`).exec(text);
  return m ? Number(m[1]) * 1024 : null;
}
