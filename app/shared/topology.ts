/**
 * The machine model every part of AIO Tuner works from.
 * The JSON printed by `aio-tuner topology --json` is exactly this shape (public contract: keep field names).
 * A field a source cannot know is `null`, never guessed.
 */

export type TopologySource =
  | 'sysfs'
  | 'lscpu'
  | 'lscpu-p'
  | 'lscpu-e'
  | 'lscpu-J'
  | 'numactl-H'
  | 'systeminformation'
  /** `lstopo --of xml` output imported with `--from topo.xml`. */
  | 'hwloc-xml';

export interface PackageInfo {
  /** Opaque label from the kernel (e.g. 56, 76): never assume 0..N-1. */
  id: number;
  cpus: number[];
}

export interface NodeInfo {
  id: number;
  cpus: number[];
  /** MemTotal of the node; 0 for a memory-less node; null when the source does not say. */
  memoryBytes: number | null;
  freeBytes: number | null;
  /** Distance row, in the order of `nodes`; null when unknown. */
  distances: number[] | null;
  /**
   * May this process place memory here (the node is in `Mems_allowed_list`)? numactl refuses other nodes.
   * Absent or null when the source cannot say (imports).
   */
  memAllowed?: boolean | null;
}

export interface CpuInfo {
  id: number;
  package: number | null;
  node: number | null;
  /** Machine-wide physical-core index (unique across packages, even when core_id repeats). */
  core: number | null;
  cluster: number | null;
  /** Logical CPUs of the same physical core, this one included, ascending. */
  siblings: number[] | null;
  online: boolean;
  /** In the kernel's isolated set (isolcpus)? null when the source cannot say (imports): unknown, still pickable. */
  isolated: boolean | null;
  /**
   * May this process run on it (affinity ∩ cgroup cpuset)? null when the source cannot say (imports of another
   * machine's text): unknown, still pickable. Always false for an offline CPU, which nothing can run on.
   */
  allowed: boolean | null;
  /** Kernel's own core_id / cluster_id (not unique), kept for display. */
  coreId?: number | null;
  clusterId?: number | null;
  /**
   * The model name of this CPU's core type (e.g. "Neoverse-N1", "Cortex-A510"); null when unknown (offline CPU,
   * a source that does not say). Equal to one of `Topology.coreTypes[].name`.
   */
  coreType?: string | null;
}

/** One kind of core on the machine (heterogeneous machines have several: big.LITTLE, P/E cores). */
export interface CoreTypeInfo {
  /** Model name of the type, as lscpu prints it per model block (e.g. "Cortex-X3", "Neoverse-N1"). */
  name: string;
  /** Online CPUs of this type, ascending. */
  cpus: number[];
  /** Relative performance from sysfs `cpu_capacity` (1024 = the fastest type), when the kernel gives it. */
  capacity?: number | null;
}

export interface CacheInfo {
  level: number;
  type: 'Data' | 'Instruction' | 'Unified';
  sizeBytes: number | null;
  /** CPUs sharing this cache instance. */
  cpus: number[];
}

export interface Topology {
  source: TopologySource;
  /** Human name, e.g. "Ampere Altra (Neoverse-N1)"; null when unknown. */
  model: string | null;
  arch: string | null;
  packages: PackageInfo[];
  nodes: NodeInfo[];
  /** Every possible CPU, ascending id, offline ones included. */
  cpus: CpuInfo[];
  /** One entry per cache instance. */
  caches: CacheInfo[];
  /**
   * Core types, fastest first (by capacity, else as found); one entry on a uniform machine; absent or empty when
   * the source cannot say.
   */
  coreTypes?: CoreTypeInfo[];
  /** Extra, optional facts. */
  vendor?: string | null;
  midr?: string | null;
  /**
   * Where the data came from: "this host", a sysroot path, an imported file name, or (for `--sysroot` given an
   * archive or a support bundle, still `source: "sysfs"`) the archive's path.
   */
  origin?: string;
  /** Messages about what this source cannot tell (e.g. "summary-only input: no per-CPU cores"). */
  notes?: string[];
  /** True when only summary data was available (per-CPU fields approximated from ranges). */
  coarse?: boolean;
  /**
   * Threads per physical core when the source gives the count but not which CPUs pair up (an `lscpu` summary
   * of an SMT machine): lets core counts stay right although per-CPU cores are unknown. Absent otherwise.
   */
  threadsPerCore?: number | null;
  /** Whole-machine memory from /proc/meminfo, bytes. */
  memTotalBytes?: number | null;
  /**
   * CPU feature flags every CPU has (/proc/cpuinfo "Features" on Arm, "flags" on x86), sorted; null or absent
   * when the source does not list them. The engine checks (bf16 for oneDNN's BF16 math mode) read it.
   */
  cpuFlags?: string[] | null;
  /** Kernel facts useful for checks; null when unknown. */
  kernel?: {
    release: string | null;
    pageSizeBytes: number | null;
    thp: string | null;
    cmdline: string | null;
  } | null;
  /** False on non-Linux hosts: binding (numactl) is unavailable. */
  bindingSupported?: boolean;
  /**
   * Set only on what the engine hands the UI (never by a parser, so never in `topology --json` or a bundle):
   * this is the machine whose CPU load is sampled, this host or the active target. Imports and sysroots describe
   * another machine, so the map must not paint this host's load onto them.
   */
  loadSampled?: boolean;
}
