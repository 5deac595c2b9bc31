/** Pure parsers for the procfs/sysfs text files that are not CPU lists. */
import { CpuListError, parseCpuList, parseCpuMask } from '../shared/cpulist';
import { attrText } from './attr-text';

/** A "Key:\tvalue" line of /proc/self/status (or any colon-separated file). */
export function statusField(text: string, key: string): string | null {
  const m = new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text);
  return m ? m[1]!.trim() : null;
}

/** A CPU list that tolerates garbage by returning null: a damaged file must not take the whole probe down. */
export function safeCpuList(text: string | null): number[] | null {
  if (text === null) return null;
  try {
    return parseCpuList(attrText(text));
  } catch (err) {
    if (err instanceof CpuListError) return null;
    throw err;
  }
}

/** A sysfs hex mask ("ffff,0000ffff"), or null when it is not one; surrounding NULs and spaces tolerated. */
export function safeCpuMask(text: string | null): number[] | null {
  const t = text === null ? null : attrText(text);
  if (t === null || !/^[0-9a-f]+(,[0-9a-f]+)*$/i.test(t)) return null;
  return parseCpuMask(t);
}

/**
 * CPUs named by `isolcpus=` on the kernel command line. The parameter may start with flags
 * ("isolcpus=nohz,domain,4-7"), which are not CPU numbers.
 */
export function isolcpusFromCmdline(cmdline: string): number[] | null {
  const m = /(?:^|\s)isolcpus=(\S+)/.exec(cmdline);
  if (!m) return null;
  const items = m[1]!.split(',').filter((item) => /^\d/.test(item));
  return safeCpuList(items.join(','));
}

/** "always [madvise] never" → "madvise". */
export function selectedChoice(text: string | null): string | null {
  if (text === null) return null;
  const m = /\[([^\]]+)\]/.exec(text);
  return m ? m[1]! : text.trim() || null;
}

/** First value of a /proc/cpuinfo key ("model name", "vendor_id"). */
export function cpuinfoField(cpuinfo: string, key: string): string | null {
  const m = new RegExp(`^${key}\\s*:\\s*(.+)$`, 'im').exec(cpuinfo);
  return m ? m[1]!.trim() : null;
}
