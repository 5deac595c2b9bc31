/** Machine architecture names, spelled as `uname -m` spells them (what numactl users and lscpu print). */

const UNAME_MACHINES =
  /^(aarch64|aarch64_be|arm64|armv\w+|x86_64|i[3-6]86|ppc64|ppc64le|s390x|riscv64|loongarch64|mips\w*)$/;

/**
 * Machine field of a `uname -a` line. The kernel version in the middle contains spaces and the trailing
 * processor/platform fields are optional, so pick the last token that looks like a machine name.
 */
export function archFromUname(line: string): string | null {
  const tokens = line.trim().split(/\s+/);
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (UNAME_MACHINES.test(tokens[i]!)) return tokens[i] === 'arm64' ? 'aarch64' : tokens[i]!;
  }
  return null;
}

/** Release field (third) of a `uname -a` line. */
export function releaseFromUname(line: string): string | null {
  return line.trim().split(/\s+/)[2] ?? null;
}

/** Node's process.arch / os.arch() → uname -m spelling. */
export function archFromNode(nodeArch: string): string {
  const map: Record<string, string> = {
    arm64: 'aarch64',
    x64: 'x86_64',
    ia32: 'i686',
    arm: 'armv7l',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
    loong64: 'loongarch64',
  };
  return map[nodeArch] ?? nodeArch;
}

/**
 * Architecture implied by lscpu's "Vendor ID". Needed because `lscpu --sysroot` reports the architecture of the
 * host it ran on, not of the dumped machine.
 */
export function archFromVendor(vendor: string | null, opModes: string | null = null): string | null {
  if (!vendor) return null;
  const is64 = opModes === null || /64-bit/.test(opModes);
  if (/^(GenuineIntel|AuthenticAMD|HygonGenuine|CentaurHauls|Shanghai|VIA VIA VIA)/.test(vendor))
    return is64 ? 'x86_64' : 'i686';
  if (
    /^(ARM|Ampere|APM|Cavium|Broadcom|Fujitsu|HiSilicon|NVIDIA|Qualcomm|Apple|Marvell|Phytium)$/i.test(vendor)
  )
    return 'aarch64';
  return null;
}

/** Page size is fixed on x86 and encoded in the release name of some Arm kernels ("-64k", "-16k"). */
export function pageSizeFromRelease(release: string | null, arch: string | null): number | null {
  if (arch === 'x86_64' || (arch !== null && /^i[3-6]86$/.test(arch))) return 4096;
  if (!release) return null;
  const m = /[-+_](4|16|64)k(?:$|[-+_.])/i.exec(release);
  return m ? Number(m[1]) * 1024 : null;
}
