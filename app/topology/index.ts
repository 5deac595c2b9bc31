/** Topology engine: what the machine looks like, from this host, a sysfs dump, or imported text. */
export type * from '../shared/topology';
export { CpuListError, formatCpuList, parseCpuList, parseCpuMask } from '../shared/cpulist';
export { readSysfsTopology, type SysfsOptions } from './sysfs';
export { ACCEPTED_FORMATS, importTopology, MAX_IMPORT_BYTES, readImportText } from './import';
export { hwlocXmlFromTopology } from './hwloc-xml-export';
export { hostTopology, NON_LINUX_BANNER } from './host';
export { loadTopology, readSysroot, type LoadOptions, type TargetProbe } from './load';
export {
  archiveKind,
  isSysrootArchive,
  openSysroot,
  SysrootArchiveError,
  unpackSysroot,
} from './sysroot-archive';
export { formatTopologySummary } from './summary';
export { armCoreName, parseMidr, platformName } from './model-name';
export { formatBytes, parseSizeBytes } from '../shared/units';
