/**
 * Human CPU names for Arm parts. Arm servers do not expose a marketing name to the kernel (no "model name" in
 * /proc/cpuinfo), so the name comes from the MIDR register: implementer + part number.
 */

export interface Midr {
  implementer: number;
  variant: number;
  part: number;
  revision: number;
}

const ARM_PARTS: Record<number, string> = {
  // 32-bit Armv7 parts (old boards and big.LITTLE A15/A7 pairs).
  0xc05: 'Cortex-A5',
  0xc07: 'Cortex-A7',
  0xc08: 'Cortex-A8',
  0xc09: 'Cortex-A9',
  0xc0e: 'Cortex-A17',
  0xc0f: 'Cortex-A15',
  0xd03: 'Cortex-A53',
  0xd04: 'Cortex-A35',
  0xd05: 'Cortex-A55',
  0xd06: 'Cortex-A65',
  0xd07: 'Cortex-A57',
  0xd08: 'Cortex-A72',
  0xd09: 'Cortex-A73',
  0xd0a: 'Cortex-A75',
  0xd0b: 'Cortex-A76',
  0xd0c: 'Neoverse-N1',
  0xd0d: 'Cortex-A77',
  0xd0e: 'Cortex-A76AE',
  0xd40: 'Neoverse-V1',
  0xd41: 'Cortex-A78',
  0xd42: 'Cortex-A78AE',
  0xd43: 'Cortex-A65AE',
  0xd44: 'Cortex-X1',
  0xd46: 'Cortex-A510',
  0xd47: 'Cortex-A710',
  0xd48: 'Cortex-X2',
  0xd49: 'Neoverse-N2',
  0xd4a: 'Neoverse-E1',
  0xd4b: 'Cortex-A78C',
  0xd4c: 'Cortex-X1C',
  0xd4d: 'Cortex-A715',
  0xd4e: 'Cortex-X3',
  0xd4f: 'Neoverse-V2',
  0xd80: 'Cortex-A520',
  0xd81: 'Cortex-A720',
  0xd82: 'Cortex-X4',
  0xd84: 'Neoverse-V3',
  0xd85: 'Cortex-X925',
  0xd87: 'Cortex-A725',
  0xd8e: 'Neoverse-N3',
};

const AMPERE_PARTS: Record<number, string> = {
  0xac3: 'AmpereOne',
  0xac4: 'AmpereOne (Ampere-1a)',
};

/** Vendor names for the MIDR implementer byte (the ones lscpu also knows). */
const IMPLEMENTERS: Record<number, string> = {
  0x41: 'ARM',
  0x42: 'Broadcom',
  0x43: 'Cavium',
  0x46: 'Fujitsu',
  0x48: 'HiSilicon',
  0x4e: 'NVIDIA',
  0x50: 'APM',
  0x51: 'Qualcomm',
  0x61: 'Apple',
  0xc0: 'Ampere',
};

/** Parse "0x00000000414fd0c1" (sysfs, 64-bit) or "0x414fd0c1". */
export function parseMidr(text: string): Midr | null {
  const m = /^\s*0x([0-9a-f]+)\s*$/i.exec(text);
  if (!m) return null;
  const value = Number(BigInt('0x' + m[1]) & 0xffffffffn);
  return {
    implementer: (value >>> 24) & 0xff,
    variant: (value >>> 20) & 0xf,
    part: (value >>> 4) & 0xfff,
    revision: value & 0xf,
  };
}

/** MIDR rebuilt from /proc/cpuinfo's "CPU implementer" / "CPU variant" / "CPU part" / "CPU revision" lines. */
export function midrFromCpuinfo(cpuinfo: string): Midr | null {
  const field = (name: string): number | null => {
    const m = new RegExp(`^${name}\\s*:\\s*(0x[0-9a-f]+|\\d+)`, 'im').exec(cpuinfo);
    return m ? Number(m[1]) : null;
  };
  const implementer = field('CPU implementer');
  const part = field('CPU part');
  if (implementer === null || part === null) return null;
  return { implementer, part, variant: field('CPU variant') ?? 0, revision: field('CPU revision') ?? 0 };
}

/** Normalised 32-bit MIDR text, e.g. "0x414fd0c1"; the architecture nibble of Armv8+ parts is always 0xf. */
export function formatMidr(midr: Midr): string {
  const value =
    ((midr.implementer << 24) | (midr.variant << 20) | (0xf << 16) | (midr.part << 4) | midr.revision) >>> 0;
  return '0x' + value.toString(16).padStart(8, '0');
}

export function implementerName(implementer: number): string | null {
  return IMPLEMENTERS[implementer] ?? null;
}

/** Core name without the platform: "Neoverse-N1", "AmpereOne", or "ARM part 0xd99" for parts we do not know. */
export function armCoreName(midr: Midr): string {
  const hex = (n: number): string => '0x' + n.toString(16).padStart(3, '0');
  if (midr.implementer === 0xc0) return AMPERE_PARTS[midr.part] ?? `AmpereOne (part ${hex(midr.part)})`;
  if (midr.implementer === 0x41) return ARM_PARTS[midr.part] ?? `ARM part ${hex(midr.part)}`;
  const vendor = IMPLEMENTERS[midr.implementer] ?? `implementer 0x${midr.implementer.toString(16)}`;
  return `${vendor} part ${hex(midr.part)}`;
}

export interface PlatformHints {
  /** Physical cores per package, when known: separates Altra (≤ 80) from Altra Max (96-128) and others (> 128). */
  coresPerPackage?: number | null;
  /** DMI system vendor or lscpu's "BIOS Vendor ID", when known. */
  boardVendor?: string | null;
  /** lscpu's "BIOS Model name" (e.g. "Ampere(R) Altra(R) Max Processor M128-30"), when known. */
  biosModel?: string | null;
}

/**
 * Platform name for a core name. Neoverse-N1 is licensed by several vendors, but the servers this tool targets
 * are Ampere's: every N1 is named Altra unless the board says it is an AWS Graviton2. Altra Max shares the
 * MIDR with Altra; only the core count (or the BIOS model string) tells them apart.
 */
export function platformName(coreName: string, hints: PlatformHints = {}): string {
  if (coreName !== 'Neoverse-N1') return coreName;
  const bios = hints.biosModel ?? '';
  const vendor = `${hints.boardVendor ?? ''} ${bios}`;
  if (/amazon|aws/i.test(vendor)) return 'AWS Graviton2 (Neoverse-N1)';
  // No Ampere part has more than 128 N1 cores a socket: more is something else (a QEMU `virt` guest, say).
  if (/qemu/i.test(vendor) || (hints.coresPerPackage ?? 0) > 128) return coreName;
  const isMax = /altra\S*\s+max/i.test(bios) || (hints.coresPerPackage ?? 0) >= 96;
  return isMax ? 'Ampere Altra Max (Neoverse-N1)' : 'Ampere Altra (Neoverse-N1)';
}

/** Names lscpu prints for Ampere's own parts, mapped to ours. */
const LSCPU_AMPERE_NAMES: Record<string, string> = {
  'ampere-1': 'AmpereOne',
  'ampere-1a': 'AmpereOne (Ampere-1a)',
};

/** lscpu's "Model name" (already a core name on Arm) → our platform name. x86 names pass through verbatim. */
export function modelFromLscpuName(name: string, hints: PlatformHints = {}): string {
  const ampere = LSCPU_AMPERE_NAMES[name.trim().toLowerCase()];
  if (ampere) return ampere;
  return platformName(name.trim(), hints);
}
