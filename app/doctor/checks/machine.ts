/**
 * What the machine's layout and this process's place in it mean for a run: sockets against NUMA nodes, the
 * CPUs and nodes a container or cgroup lets it use, and the free memory of the nodes it will allocate on.
 */
import { formatBytes, meminfoBytes } from '../../shared/units';
import { policyNodes } from '../../command';
import { formatCpuList } from '../../shared/cpulist';
import { cpuWord } from './read';
import { statusField, safeCpuList } from '../../topology/proc';
import type { HostCheck } from '../check';
import { absent, fileEvidence } from './read';
import { judgedNodes } from './selection';

export const socketsNeNodes: HostCheck = {
  code: 'sockets-ne-nodes',
  source:
    'Ampere\'s AML benchmark scripts (warn when sockets ≠ NUMA nodes: "consider monolithic mode"); Ampere Altra NUMA modes (monolithic, hemisphere, quadrant)',
  run: async ({ place, topology }) => {
    if (!topology || topology.packages.length === 0)
      return { skipped: 'the topology (sockets and nodes) could not be read' };
    const sockets = topology.packages.length;
    const cpuNodes = topology.nodes.filter((n) => n.cpus.length > 0);
    const memOnly = topology.nodes.length - cpuNodes.length;
    const evidence = [
      {
        source: `topology of ${place.where} (/sys/devices/system/cpu/cpuN/topology/physical_package_id, /sys/devices/system/node)`,
        value:
          `${sockets} ${sockets === 1 ? 'socket' : 'sockets'}, ${cpuNodes.length} NUMA ${cpuNodes.length === 1 ? 'node' : 'nodes'} with CPUs` +
          (memOnly ? ` (+${memOnly} without CPUs)` : ''),
      },
    ];
    if (cpuNodes.length === sockets)
      return { passed: { message: 'One NUMA node per socket (monolithic mode)', evidence } };
    return {
      finding: {
        code: 'sockets-ne-nodes',
        severity: 'warning',
        message:
          `The machine has ${sockets} ${sockets === 1 ? 'socket' : 'sockets'} but ${cpuNodes.length} NUMA nodes with CPUs ` +
          `(the firmware's hemisphere or quadrant mode): a run wider than one node crosses nodes inside a socket. ` +
          `Ampere's scripts suggest monolithic mode; otherwise keep each run (and its memory) on one node.`,
        evidence,
        fix: {
          label:
            'In the firmware (BIOS) setup, set the NUMA mode (ANC) to monolithic; a firmware setting, it lasts until changed',
        },
      },
    };
  },
};

const STATUS = '/proc/self/status';

export const cpusetRestricted: HostCheck = {
  code: 'cpuset-restricted',
  source:
    "proc(5) Cpus_allowed_list / Mems_allowed_list; kernel docs admin-guide/cgroup-v2.rst (cpuset); Ampere's Docker notes (only some CPUs usable in containers)",
  run: async (ctx) => {
    const { place, topology, settings } = ctx;
    const status = await place.read(STATUS);
    if (status === null) return absent(place, STATUS, "this process's allowed CPUs and nodes cannot be read");
    if (!topology) return { skipped: 'the topology could not be read to compare the allowed sets with' };
    const cpuText = statusField(status, 'Cpus_allowed_list');
    const memText = statusField(status, 'Mems_allowed_list');
    const allowedCpus = safeCpuList(cpuText);
    const allowedMems = safeCpuList(memText);
    if (allowedCpus === null && allowedMems === null)
      return { skipped: `${STATUS} has no Cpus_allowed_list or Mems_allowed_list` };
    const online = topology.cpus.filter((c) => c.online).map((c) => c.id);
    const memNodes = topology.nodes.filter((n) => n.memoryBytes !== 0).map((n) => n.id);
    const cpusOut = allowedCpus ? online.filter((c) => !allowedCpus.includes(c)) : [];
    const memsOut = allowedMems ? memNodes.filter((n) => !allowedMems.includes(n)) : [];
    const evidence = [
      fileEvidence(
        place,
        STATUS,
        `Cpus_allowed_list: ${cpuText ?? '(none)'}, Mems_allowed_list: ${memText ?? '(none)'}`,
      ),
      {
        source: `topology of ${place.where}`,
        value: `online CPUs ${formatCpuList(online)}, nodes with memory ${formatCpuList(memNodes)}`,
      },
    ];
    if (cpusOut.length === 0 && memsOut.length === 0)
      return {
        passed: { message: 'Every online CPU and every node with memory is allowed', evidence },
      };
    const selCpus = settings
      ? settings.cpus.filter((c) => allowedCpus !== null && !allowedCpus.includes(c))
      : [];
    // The nodes numactl will name (derived ones already avoid disallowed nodes; explicit ones may not).
    const runNodes = settings ? policyNodes(settings, topology) : [];
    const selNodes = allowedMems ? runNodes.filter((n) => !allowedMems.includes(n)) : [];
    const leaves = selCpus.length > 0 || selNodes.length > 0;
    // A dump's status file is the dumping process's: what it was allowed is a record, not this tool's limit.
    const who =
      place.kind === 'host'
        ? 'This process'
        : place.kind === 'sysroot'
          ? 'The process that made this dump'
          : `A process on ${place.where}`;
    const narrower = [
      cpusOut.length ? `${cpuWord(cpusOut)}` : null,
      memsOut.length ? `memory nodes ${formatCpuList(memsOut)}` : null,
    ]
      .filter(Boolean)
      .join(' and ');
    const outside = [
      selCpus.length ? `${cpuWord([...new Set(selCpus)])}` : null,
      selNodes.length ? `memory nodes ${formatCpuList(selNodes)}` : null,
    ]
      .filter(Boolean)
      .join(' and ');
    return {
      finding: {
        code: 'cpuset-restricted',
        severity: leaves ? 'warning' : 'info',
        message:
          `${who} may not use ${narrower} of the machine (a container's --cpuset-cpus/--cpuset-mems, a cgroup ` +
          `cpuset or taskset), so runs started from there cannot either` +
          (leaves
            ? `; the run asks for ${outside}, which numactl will refuse.`
            : '. Pick CPUs and nodes inside the allowed set.'),
        evidence,
        fix: {
          label: leaves
            ? `Select only allowed CPUs (${formatCpuList(allowedCpus ?? online)}) and nodes (${formatCpuList(allowedMems ?? memNodes)}), or start the tool where the whole machine is allowed (docker run --cpuset-cpus/--cpuset-mems, the cgroup's cpuset)`
            : 'Start the tool where the whole machine is allowed (docker run --cpuset-cpus/--cpuset-mems, the cgroup cpuset) if the rest of the machine is meant for runs',
        },
      },
    };
  },
};

/** A node is low on memory when its MemFree is under this share of its MemTotal. */
export const NODE_LOW_FRACTION = 0.1;

export const nodeMemoryLow: HostCheck = {
  code: 'node-memory-low',
  source:
    'kernel docs admin-guide/mm/numa_memory_policy.rst (a bound allocation reclaims or fails on its own nodes); /sys/devices/system/node/nodeN/meminfo',
  run: async (ctx) => {
    const { nodes, which } = judgedNodes(ctx);
    if (nodes.length === 0)
      return { skipped: 'no NUMA node with memory is known (the topology could not be read)' };
    const low: { node: number; free: number; total: number; file: number | null }[] = [];
    const evidence = [];
    const missing: number[] = [];
    for (const node of nodes) {
      const path = `/sys/devices/system/node/node${node}/meminfo`;
      const text = await ctx.place.read(path);
      const total = text === null ? null : meminfoBytes(text, 'MemTotal');
      const free = text === null ? null : meminfoBytes(text, 'MemFree');
      if (total === null || free === null || total === 0) {
        missing.push(node);
        continue;
      }
      const file = meminfoBytes(text!, 'FilePages');
      evidence.push(
        fileEvidence(
          ctx.place,
          path,
          `MemFree ${formatBytes(free)} of MemTotal ${formatBytes(total)}${file !== null ? `, FilePages ${formatBytes(file)}` : ''}`,
        ),
      );
      if (free < total * NODE_LOW_FRACTION) low.push({ node, free, total, file });
    }
    if (evidence.length === 0)
      return { skipped: `no readable MemTotal/MemFree for ${which} (nodes ${formatCpuList(missing)})` };
    if (low.length === 0)
      return {
        passed: {
          message: `${which[0]!.toUpperCase()}${which.slice(1)} have at least ${NODE_LOW_FRACTION * 100} % of their memory free`,
          evidence,
        },
      };
    const cache = low.some((l) => l.file !== null && l.file > l.total * 0.25);
    return {
      finding: {
        code: 'node-memory-low',
        severity: 'warning',
        message:
          `Node${low.length > 1 ? 's' : ''} ${low.map((l) => `${l.node} (${formatBytes(l.free)} free of ${formatBytes(l.total)})`).join(', ')} of ${which} ` +
          `${low.length > 1 ? 'have' : 'has'} less than ${NODE_LOW_FRACTION * 100} % free: a run bound there reclaims memory as it ` +
          `allocates (slow first passes) or, with --membind, can be killed for lack of it; with a preferred or ` +
          `default policy its pages spill to other nodes.` +
          (cache ? ' Much of the node holds page cache, which dropping the caches frees.' : ''),
        evidence: evidence.filter((e) => low.some((l) => e.source.includes(`/node${l.node}/`))),
        fix: cache
          ? {
              label:
                'Frees the page cache once (it fills again as files are read); nothing to undo at reboot',
              command: 'sync && echo 3 | sudo tee /proc/sys/vm/drop_caches',
            }
          : {
              label: 'Stop what holds the memory of these nodes, or bind the run to a node with free memory',
            },
      },
    };
  },
};
