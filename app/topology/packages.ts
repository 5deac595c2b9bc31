/**
 * Packages (sockets) and cores as lscpu and hwloc see them: the sibling sets (package_cpus / core_siblings,
 * core_cpus / thread_siblings) say who shares a package or a core; physical_package_id and core_id only label
 * them. s390, POWER and sparc report physical_package_id -1, old kernels and some architectures keep only the
 * masks or no topology directory at all — the grouping must not depend on the label.
 */
import { formatCpuList } from '../shared/cpulist';
import type { RawCpu } from './assemble';
import type { DamageNotes } from './damaged';

export interface PackageFacts {
  id: number;
  /** Who shares the package, from package_cpus(_list) / core_siblings(_list); null when no form reads. */
  peers: number[] | null;
  peersFile: string | null;
  /** physical_package_id when it is a number ≥ 0 (-1 means "no package id"). */
  label: number | null;
  /** physical_package_id text that is not a number, with its path. */
  bad?: { path: string; text: string };
  /** "physical id" of /proc/cpuinfo, used only for a CPU without a topology directory (lscpu's fallback). */
  cpuinfoId: number | null;
  hasTopology: boolean;
}

/** processor → "physical id" from /proc/cpuinfo; null when it names none (most non-x86 kernels). */
export function cpuinfoPhysicalIds(cpuinfo: string): Map<number, number> | null {
  const out = new Map<number, number>();
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const cpu = /^processor\s*:\s*(\d+)\s*$/m.exec(block);
    const phys = /^physical id\s*:\s*(\d+)\s*$/m.exec(block);
    if (cpu && phys) out.set(Number(cpu[1]), Number(phys[1]));
  }
  return out.size > 0 ? out : null;
}

const list = (ids: number[]): string => formatCpuList(ids);

/**
 * Sets raw.packageId of each online CPU from its package group, and returns the notes on what was used. A
 * group's label is the physical_package_id its CPUs agree on; a group without one (or with a label another group
 * has) is numbered with the lowest free number.
 */
export function labelPackages(items: { raw: RawCpu; pkg: PackageFacts }[], damage: DamageNotes): string[] {
  const notes: string[] = [];
  // The CPUs of a package share one parsed peers array: spell it once, not once per CPU.
  const spelled = new Map<number[], string>();
  const peersKey = (peers: number[]): string => {
    let k = spelled.get(peers);
    if (k === undefined) spelled.set(peers, (k = `set:${peers.join(',')}`));
    return k;
  };
  const keyOf = (p: PackageFacts): string | null =>
    p.peers
      ? peersKey(p.peers)
      : p.label !== null
        ? `id:${p.label}`
        : p.cpuinfoId !== null
          ? `cpuinfo:${p.cpuinfoId}`
          : null;
  let keys = items.map((i) => keyOf(i.pkg));
  // Nothing names a package (e.g. only thread_siblings, or no topology directory and no "physical id"): one
  // package, as lscpu and hwloc show it.
  if (items.length > 0 && keys.every((k) => k === null) && items.every((i) => !i.pkg.bad)) {
    keys = items.map(() => 'machine');
    const how = items.some((i) => i.pkg.hasTopology)
      ? 'no package_cpus, core_siblings or physical_package_id in cpu*/topology'
      : 'no cpu*/topology directory and no "physical id" in /proc/cpuinfo';
    notes.push(`Packages: ${how}; the machine is shown as one package.`);
  }
  const groups = new Map<string, { raw: RawCpu; pkg: PackageFacts }[]>();
  items.forEach((item, i) => {
    const k = keys[i];
    if (k === null || k === undefined) return;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  });
  const ordered = [...groups.values()].sort((a, b) => a[0]!.raw.id - b[0]!.raw.id);
  const taken = new Set<number>();
  const unlabelled: number[] = [];
  const contradicted: number[] = [];
  const pending: { raw: RawCpu; pkg: PackageFacts }[][] = [];
  for (const g of ordered) {
    const labels = new Set(
      g.map((m) => m.pkg.label ?? m.pkg.cpuinfoId).filter((l): l is number => l !== null),
    );
    const only = labels.size === 1 ? [...labels][0]! : null;
    if (only !== null && !taken.has(only)) {
      taken.add(only);
      for (const m of g) m.raw.packageId = only;
    } else {
      pending.push(g);
      (labels.size === 0 ? unlabelled : contradicted).push(...g.map((m) => m.raw.id));
    }
  }
  let next = 0;
  for (const g of pending) {
    while (taken.has(next)) next++;
    taken.add(next);
    for (const m of g) m.raw.packageId = next;
  }
  const sysfsUnlabelled = unlabelled.filter((id) => items.find((i) => i.raw.id === id)?.pkg.hasTopology);
  if (sysfsUnlabelled.length > 0 && !keys.every((k) => k === 'machine'))
    notes.push(
      `Packages of CPUs ${list(sysfsUnlabelled)}: physical_package_id is -1 or absent, so they are grouped by ` +
        'their package_cpus / core_siblings sets and numbered in order, as lscpu and hwloc do.',
    );
  if (contradicted.length > 0)
    notes.push(
      `Packages of CPUs ${list(contradicted)}: physical_package_id disagrees with package_cpus / core_siblings; ` +
        'the sets win (as in lscpu and hwloc) and the packages are numbered in order.',
    );
  const noTopology = items.filter((i) => !i.pkg.hasTopology).map((i) => i.raw.id);
  if (noTopology.length > 0 && !keys.every((k) => k === 'machine'))
    notes.push(
      `CPUs ${list(noTopology)} have no cpu*/topology directory: each is shown as a core of its own, in the ` +
        'package of its /proc/cpuinfo "physical id".',
    );
  for (const { raw, pkg } of items) {
    if (!pkg.bad) continue;
    const file = pkg.peersFile ?? 'package_cpus_list';
    damage.unreadable(
      pkg.bad.path,
      pkg.bad.text,
      'a package id',
      raw.packageId !== null
        ? `package ${raw.packageId} assumed, the package of the CPUs of its ${file}`
        : `package unknown (no readable ${file} either)`,
    );
  }
  return notes;
}

/**
 * core_id that contradicts the sibling sets — CPUs of one core_cpus / thread_siblings set with different core_ids
 * (VMware guests pair CPUs 0-1 as threads but give them core_id 0 and 1): the sets win, as in lscpu and hwloc;
 * one note names the CPUs. (The same core_id in different sets is normal: it repeats per package, die, cluster.)
 */
export function coreIdNotes(raws: RawCpu[]): string[] {
  const live = raws.filter((r) => r.online && r.coreId !== null && r.coreKey !== null);
  const idsByCore = new Map<string, Set<number>>();
  for (const r of live) idsByCore.set(r.coreKey!, (idsByCore.get(r.coreKey!) ?? new Set()).add(r.coreId!));
  const odd = live.filter((r) => idsByCore.get(r.coreKey!)!.size > 1);
  if (odd.length === 0) return [];
  return [
    `Cores of CPUs ${list(odd.map((r) => r.id))}: CPUs that core_cpus / thread_siblings put in one core have ` +
      'different core_ids; the sibling sets win, as in lscpu and hwloc.',
  ];
}
