/**
 * CPU feature flags from /proc/cpuinfo: "Features" on Arm (the kernel's hwcaps), "flags" on x86. Only flags
 * every listed CPU has are kept, so on a mixed machine (big.LITTLE) a thread that may land on any core can rely
 * on them.
 */
export function cpuinfoFlags(cpuinfo: string): string[] | null {
  let common = null as Set<string> | null;
  for (const line of cpuinfo.split('\n')) {
    const m = /^(?:Features|flags)\s*:(.*)$/.exec(line);
    if (!m) continue;
    const flags = new Set(m[1]!.trim().split(/\s+/).filter(Boolean));
    const prev: Set<string> | null = common;
    common = prev === null ? flags : new Set([...prev].filter((f) => flags.has(f)));
  }
  return common === null ? null : [...common].sort();
}
