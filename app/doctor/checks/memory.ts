/**
 * Kernel memory settings that change how fast the same run goes: transparent huge pages, automatic NUMA
 * balancing, swap, and (on arm64) the base page size.
 */
import { formatBytes, meminfoBytes } from '../../shared/units';
import { selectedChoice, statusField } from '../../topology/proc';
import type { HostCheck } from '../check';
import { NOT_FROM_A_DUMP } from '../check';
import { absent, fileEvidence, readTrimmed } from './read';

const THP = '/sys/kernel/mm/transparent_hugepage/enabled';

export const thpNotAlways: HostCheck = {
  code: 'thp-not-always',
  source:
    "Ampere's AML benchmark scripts (warn unless THP is `always`); kernel docs admin-guide/mm/transhuge.rst",
  run: async ({ place }) => {
    const text = await readTrimmed(place, THP);
    if (text === null) return absent(place, THP, 'the kernel has no transparent huge pages to judge');
    const mode = selectedChoice(text);
    const evidence = [fileEvidence(place, THP, text)];
    if (mode === 'always') return { passed: { message: 'Transparent huge pages are `always`', evidence } };
    return {
      finding: {
        code: 'thp-not-always',
        severity: 'warning',
        message:
          `Transparent huge pages are \`${mode}\`, not \`always\`: ${mode === 'madvise' ? 'only memory a program asks for with madvise gets huge pages, which PyTorch and the engine mostly do not' : 'no memory gets huge pages'}, ` +
          `so large weight and activation buffers take many more TLB misses. Ampere's benchmark scripts warn about this.`,
        evidence,
        fix: {
          label:
            'Until the next reboot; to keep it, add transparent_hugepage=always to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub)',
          command: `echo always | sudo tee ${THP}`,
        },
      },
    };
  },
};

const NUMA_BALANCING = '/proc/sys/kernel/numa_balancing';

export const numaBalancingOn: HostCheck = {
  code: 'numa-balancing-on',
  source: 'kernel docs admin-guide/sysctl/kernel.rst (numa_balancing); AWS Graviton performance runbook',
  run: async ({ place }) => {
    const text = await readTrimmed(place, NUMA_BALANCING);
    if (text === null)
      return absent(place, NUMA_BALANCING, 'the kernel was built without automatic NUMA balancing');
    const evidence = [fileEvidence(place, NUMA_BALANCING, text)];
    if (text === '0') return { passed: { message: 'Automatic NUMA balancing is off', evidence } };
    return {
      finding: {
        code: 'numa-balancing-on',
        severity: 'warning',
        message:
          `Automatic NUMA balancing is on (kernel.numa_balancing = ${text}): the kernel unmaps pages to sample ` +
          `their accesses and migrates them between nodes while the run goes, which adds page faults and moves ` +
          `memory the run's binding placed on purpose.`,
        evidence,
        fix: {
          label:
            'Until the next reboot; to keep it, write kernel.numa_balancing = 0 to a file in /etc/sysctl.d/ (or add numa_balancing=disable to the kernel command line)',
          command: 'sudo sysctl -w kernel.numa_balancing=0',
        },
      },
    };
  },
};

export const swapInUse: HostCheck = {
  code: 'swap-in-use',
  source: 'kernel docs filesystems/proc.rst (/proc/meminfo SwapTotal, SwapFree; /proc/swaps)',
  run: async ({ place }) => {
    const meminfo = await place.read('/proc/meminfo');
    if (meminfo === null) return absent(place, '/proc/meminfo', 'swap use cannot be read');
    const total = meminfoBytes(meminfo, 'SwapTotal');
    const free = meminfoBytes(meminfo, 'SwapFree');
    if (total === null || free === null) return { skipped: '/proc/meminfo has no SwapTotal/SwapFree lines' };
    const used = total - free;
    const evidence = [
      fileEvidence(place, '/proc/meminfo', `SwapTotal ${formatBytes(total)}, SwapFree ${formatBytes(free)}`),
    ];
    if (used <= 0)
      return {
        passed: {
          message: total === 0 ? 'No swap is configured' : 'Swap is configured but nothing is swapped out',
          evidence,
        },
      };
    const swaps = await readTrimmed(place, '/proc/swaps');
    if (swaps) evidence.push(fileEvidence(place, '/proc/swaps', swaps));
    return {
      finding: {
        code: 'swap-in-use',
        severity: 'warning',
        message:
          `${formatBytes(used)} of memory is swapped out: the machine has run short of memory, and a run whose ` +
          `pages (or whose neighbours' pages) come back from swap measures disk waits, not inference.`,
        evidence,
        fix: {
          label:
            'Brings swapped pages back into memory (needs that much free memory) and keeps swap off until the next reboot; to keep it off, remove the swap lines from /etc/fstab',
          command: 'sudo swapoff -a',
        },
      },
    };
  },
};

const PMD_SIZE = '/sys/kernel/mm/transparent_hugepage/hpage_pmd_size';
const KIB64 = 65536;

/**
 * The base page size of an arm64 kernel. A live machine answers `getconf PAGESIZE`; a dump holds the PMD huge
 * page size, which on arm64 is fixed by the base page (4 KiB → 2 MiB, 16 KiB → 32 MiB, 64 KiB → 512 MiB: a page
 * table page of 8-byte entries maps PAGE_SIZE²/8). /proc/meminfo's Hugepagesize is not it: default_hugepagesz=
 * changes that one.
 */
async function pageSize(
  place: Parameters<HostCheck['run']>[0]['place'],
): Promise<{ bytes: number; evidence: { source: string; value: string } } | { skipped: string }> {
  const run = place.run('getconf', ['PAGESIZE']);
  if (run) {
    const r = await run;
    const n = Number(r.stdout.trim());
    if (r.exitCode === 0 && Number.isInteger(n) && n > 0)
      return { bytes: n, evidence: { source: `getconf PAGESIZE on ${place.where}`, value: String(n) } };
  }
  const smaps = await place.read('/proc/self/smaps');
  const kps = smaps === null ? null : statusField(smaps, 'KernelPageSize');
  if (kps && /^\d+ kB$/.test(kps))
    return {
      bytes: parseInt(kps, 10) * 1024,
      evidence: fileEvidence(place, '/proc/self/smaps', `KernelPageSize: ${kps}`),
    };
  const pmd = await readTrimmed(place, PMD_SIZE);
  const pmdBytes = pmd === null ? NaN : Number(pmd);
  if (Number.isInteger(pmdBytes) && pmdBytes > 0) {
    const bytes = Math.round(Math.sqrt(pmdBytes * 8));
    return {
      bytes,
      evidence: fileEvidence(
        place,
        PMD_SIZE,
        `${pmd} (${formatBytes(pmdBytes)} PMD pages: ${formatBytes(bytes)} base pages)`,
      ),
    };
  }
  return {
    skipped:
      place.kind === 'sysroot'
        ? `${NOT_FROM_A_DUMP}: this dump has neither /proc/self/smaps nor ${PMD_SIZE}`
        : `getconf PAGESIZE did not answer on ${place.where}, and neither /proc/self/smaps nor ${PMD_SIZE} could be read`,
  };
}

export const pageSizeCheck: HostCheck = {
  code: 'page-size',
  source:
    "Ampere's AML benchmark scripts (warn unless the arm64 kernel's page size is 64 KiB); Ampere AML docs",
  run: async ({ place, topology }) => {
    const arch = topology?.arch ?? null;
    if (arch === null) return { skipped: 'the architecture is unknown, and the rule is for arm64 kernels' };
    if (arch !== 'aarch64' && arch !== 'arm64')
      return { skipped: `the 64 KiB page rule is for arm64 kernels; this machine is ${arch}` };
    const got = await pageSize(place);
    if ('skipped' in got) return got;
    const evidence = [got.evidence];
    if (got.bytes === KIB64) return { passed: { message: 'The arm64 kernel uses 64 KiB pages', evidence } };
    return {
      finding: {
        code: 'page-size',
        severity: 'warning',
        message:
          `The kernel's page size is ${formatBytes(got.bytes)}, not 64 KiB: Ampere recommends a 64 KiB-page arm64 ` +
          `kernel for inference (fewer TLB misses on large tensors), and its benchmark scripts warn otherwise.`,
        evidence,
        fix: {
          label:
            'Boot a 64 KiB-page kernel (Ubuntu: linux-generic-64k; RHEL/Oracle Linux: kernel-64k; or CONFIG_ARM64_64K_PAGES=y); survives reboots once it is the default boot entry',
        },
      },
    };
  },
};
