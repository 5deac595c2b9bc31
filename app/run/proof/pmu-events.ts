/**
 * The hardware events the counters ask perf for (issue 13), by the names perf lists them under on arm64
 * (/sys/bus/event_source/devices/<pmu>/events/<name>). They are asked for only when this machine's PMU lists
 * them, so one unknown name cannot fail the whole `perf stat` command.
 *
 * Sources:
 * - Arm's architected common events, as perf knows them: torvalds/linux
 *   tools/perf/pmu-events/arch/arm64/common-and-microarch.json (ArchStdEvent names, event codes below).
 * - Neoverse N1 / V1 / N2: tools/perf/pmu-events/arch/arm64/arm/neoverse-n1/{cache,memory,bus,other}.json
 *   (REMOTE_ACCESS is in other.json: "Access to another socket in a multi-socket system").
 * - AmpereOne: tools/perf/pmu-events/arch/arm64/ampere/ampereone/{memory,bus,cache}.json (MEM_ACCESS,
 *   BUS_ACCESS, L1D_CACHE_REFILL, LL_CACHE_MISS_RD); Ampere Altra(Max) cores are Neoverse N1 (ampere/emag and
 *   arm/neoverse-n1 tables), and Ampere's "Ampere Performance Toolkit / PMU" notes use the same names.
 */

export interface PmuEvent {
  /** The name perf accepts (`-e NAME`) and sysfs lists, lower case. */
  name: string;
  /** Arm architected event number (for `-e rNN` by hand; not used when the name is listed). */
  code: string;
  what: string;
  source: string;
}

const COMMON = 'linux tools/perf/pmu-events/arch/arm64/common-and-microarch.json';
const N1 = 'linux tools/perf/pmu-events/arch/arm64/arm/neoverse-n1/*.json';
const AMPEREONE = 'linux tools/perf/pmu-events/arch/arm64/ampere/ampereone/*.json';

export const PMU_EVENTS: readonly PmuEvent[] = [
  {
    name: 'l1d_cache_refill',
    code: '0x03',
    what: 'L1 data cache refills (misses)',
    source: `${COMMON}; ${N1}`,
  },
  { name: 'l1d_cache', code: '0x04', what: 'L1 data cache accesses', source: `${COMMON}; ${N1}` },
  {
    name: 'll_cache_miss_rd',
    code: '0x37',
    what: 'last-level cache read misses',
    source: `${COMMON}; ${AMPEREONE}`,
  },
  { name: 'l3d_cache_refill', code: '0x2a', what: 'L3 data cache refills', source: `${COMMON}; ${N1}` },
  {
    name: 'mem_access',
    code: '0x13',
    what: 'data memory accesses',
    source: `${COMMON}; ${N1}; ${AMPEREONE}`,
  },
  { name: 'bus_access', code: '0x19', what: 'bus accesses', source: `${COMMON}; ${N1}; ${AMPEREONE}` },
  {
    name: 'remote_access',
    code: '0x31',
    what: 'accesses to another socket (multi-socket systems)',
    source: `${COMMON}; ${N1} (other.json)`,
  },
];

/** The generic hardware events perf maps onto any PMU (CPU_CYCLES 0x11, INST_RETIRED 0x08 on arm64). */
export const GENERIC_HW = ['cycles', 'instructions'] as const;

/** The software counters, always asked for (the kernel counts them without a PMU). */
export const SOFTWARE = ['task-clock', 'context-switches', 'cpu-migrations', 'page-faults'] as const;
