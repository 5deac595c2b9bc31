/**
 * The map agrees with the real tools on every sysfs dump in test/fixtures — the project's own, util-linux's and
 * hwloc's: which CPUs exist, which are online, and which online CPUs share a core, a socket and a NUMA node
 * (compared as sets of CPU sets, never labels). The expectations are the tools' own output: Debian's
 * `lscpu --sysroot DIR -a -p` (util-linux 2.38), `lstopo --input DIR --of xml` (hwloc 2.9) and, for util-linux's
 * dumps, upstream util-linux 2.41's recorded `lscpu -p` output. Nothing here is written by hand except the
 * exceptions below, each naming the tool, the fields, and why; an exception is asserted (the tool must still
 * disagree, or fail as stated), so a fixed tool or a changed engine shows up here.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { readSysfsTopology } from '../../app/topology';
import {
  allDumps,
  engineShape,
  lscpuShape,
  lstopoShape,
  pool,
  upstreamLscpuShape,
  type Shape,
  type ToolResult,
} from '../helpers/reference-topology';

const FIELDS = ['cpus', 'online', 'cores', 'sockets', 'nodes'] as const satisfies readonly (keyof Shape)[];

interface Exception {
  /** The fields on which the tool is known to disagree (the others are still compared). */
  fields?: (keyof Shape)[];
  /** The tool is known to fail on this dump, like this. */
  fails?: { status?: number; signal?: string; stderr?: RegExp };
  why: string;
}

const NO_POSSIBLE: Exception = {
  fails: { status: 1, stderr: /failed to determine number of CPUs: .*cpu\/possible/ },
  why:
    'the dump predates sys/devices/system/cpu/possible (hwloc gathered it from a 2.6 kernel) and lscpu 2.38 ' +
    'refuses to read a machine without it; the engine falls back to present, then to the cpuN directories',
};

/** Debian's lscpu 2.38. */
const LSCPU: Record<string, Exception> = {
  'hwloc/2ps3-2t': {
    fails: { signal: 'SIGSEGV' },
    why: 'lscpu 2.38 crashes on this PS3 dump (a topology directory with thread_siblings only)',
  },
  'util-linux/rv64-linux': {
    fields: FIELDS.slice(),
    why:
      'lscpu 2.38 -p prints an empty row (",,,,") for each CPU of the RISC-V dumps — no CPU number, no ' +
      'online flag — although its summary counts them; upstream 2.41 reads them and is compared below',
  },
  'util-linux/rv64-milkvpioneer': {
    fields: FIELDS.slice(),
    why: 'as rv64-linux: lscpu 2.38 -p prints empty rows on RISC-V dumps; upstream 2.41 is compared below',
  },
  'util-linux/rv64-visionfive2': {
    fields: FIELDS.slice(),
    why: 'as rv64-linux: lscpu 2.38 -p prints empty rows on RISC-V dumps; upstream 2.41 is compared below',
  },
  'util-linux/arm-A510-A710-A715-X3': {
    fields: ['cores', 'sockets'],
    why:
      'a heterogeneous SoC (Cortex-A510 0-2, A710 3-4, A715 5-6, X3 7): lscpu numbers cores and sockets per core ' +
      'type (one summary block per model), so its -p CORE and SOCKET columns repeat across types — CPUs 0, 3, 5 ' +
      'and 7 all read "core 0, socket 0"; hwloc groups by the sibling sets (packages 0-2, 3-6, 7), as the engine',
  },
  'hwloc/2s390-2c': {
    fields: ['cores'],
    why:
      'the dump has core_siblings but no thread_siblings; lscpu 2.38 then puts both CPUs in one core, hwloc ' +
      'gives each CPU its own core (nothing says they share one), as the engine',
  },
  'hwloc/fakememinitiators-1np2c+1npp+gi': {
    fields: ['cores', 'sockets'],
    why:
      'the dump keeps only the newer core_cpus / package_cpus masks (no thread_siblings, core_siblings, no ' +
      'list files), which lscpu 2.38 does not read: it shows one core and one socket of all 8 CPUs; hwloc reads ' +
      'the masks, as the engine',
  },
  'hwloc/40intel64-4n10c+pci-conflicts': {
    fields: ['sockets'],
    why:
      "hwloc's authors made cpu3's core_siblings mask (0-3) contradict its core_siblings_list (3,7,…,39), " +
      'physical_package_id and /proc/cpuinfo; lscpu reads the mask and splits CPU 3 off its socket, the engine ' +
      'reads the list (preferred, and agreeing with the rest)',
  },
};

/** hwloc 2.9's lstopo. */
const LSTOPO: Record<string, Exception> = {
  'hwloc/64amd64-4s2n4ca2co': {
    fields: ['cores'],
    why:
      "AMD Bulldozer: the kernel's thread_siblings pair the two integer cores of a compute unit (lscpu agrees " +
      'with the engine); hwloc knows this family from CPUID and shows them as two Cores in a compute-unit Group',
  },
  'hwloc/40intel64-4n10c+pci-conflicts': {
    fields: ['sockets'],
    why:
      "the dump's conflicting core_siblings mask for cpu3 (see lscpu above) makes hwloc drop that Package " +
      'altogether (its own expected output has three); the engine keeps the socket its list and ids agree on',
  },
};

/** Upstream util-linux 2.41's recorded `lscpu -p` (util-linux dumps only). */
const UPSTREAM: Record<string, Exception> = {
  'util-linux/arm-A510-A710-A715-X3': {
    fields: ['cores', 'sockets'],
    why: 'the same per-core-type numbering as lscpu 2.38 (see above); hwloc agrees with the engine',
  },
};

/**
 * Dumps where no tool can be right on every field: each disagreement is an exception above, and every other
 * field is still compared with both tools.
 */
const NO_FULL_REFERENCE: Record<string, string> = {
  'hwloc/40intel64-4n10c+pci-conflicts':
    "hwloc's test of contradictory input: lscpu and hwloc each resolve cpu3's conflicting masks their own way",
};

interface Outcome {
  engine: Shape;
  lscpu: ToolResult;
  lstopo: ToolResult;
  upstream: Shape | null;
}

/** Compares one tool's answer; true when it agrees on every field with no exception. */
function compare(
  tool: string,
  dump: string,
  engine: Shape,
  result: ToolResult,
  exc: Exception | undefined,
): boolean {
  if (exc?.fails) {
    assert.equal(
      result.ok,
      false,
      `${tool} on ${dump} was expected to fail (${exc.why}) but ran: remove the exception`,
    );
    if (!result.ok) {
      if (exc.fails.status !== undefined)
        assert.equal(result.status, exc.fails.status, `${tool} exit status`);
      if (exc.fails.signal !== undefined) assert.equal(result.signal, exc.fails.signal, `${tool} signal`);
      if (exc.fails.stderr) assert.match(result.stderr, exc.fails.stderr);
    }
    return false;
  }
  assert.ok(
    result.ok,
    `${tool} failed on ${dump}: ${result.ok ? '' : `${result.status ?? result.signal} ${result.stderr}`}`,
  );
  for (const field of FIELDS) {
    if (exc?.fields?.includes(field))
      assert.notEqual(
        engine[field],
        result.shape[field],
        `${tool} now agrees with the engine on ${field} of ${dump}: remove the exception (${exc.why})`,
      );
    else assert.equal(engine[field], result.shape[field], `${field} of ${dump}: engine vs ${tool}`);
  }
  return !exc;
}

describe('the map agrees with lscpu and lstopo on every fixture dump', () => {
  const dumps = allDumps();
  const outcomes = new Map<string, Outcome>();

  before(async () => {
    // Two at a time: the machine has two CPUs, and each dump runs two tools.
    await pool(dumps, 2, async (d) => {
      const engine = engineShape(await readSysfsTopology(d.root));
      const lscpu = await lscpuShape(d.root);
      const lstopo = await lstopoShape(d.root, d.hwlocEnv);
      const upstream = d.name.startsWith('util-linux/')
        ? upstreamLscpuShape(d.name.slice('util-linux/'.length))
        : null;
      outcomes.set(d.name, { engine, lscpu, lstopo, upstream });
    });
  });

  test('the fixtures hold every dump: 8 of this project, 22 of util-linux, 47 of hwloc', () => {
    assert.equal(dumps.filter((d) => !d.name.includes('/')).length, 8);
    assert.equal(dumps.filter((d) => d.name.startsWith('util-linux/')).length, 22);
    assert.equal(dumps.filter((d) => d.name.startsWith('hwloc/')).length, 47);
  });

  for (const d of dumps)
    test(d.name, () => {
      const o = outcomes.get(d.name)!;
      const noPossible = !existsSync(join(d.root, 'sys/devices/system/cpu/possible'));
      let agreeing = 0;
      if (
        compare(
          'lscpu 2.38',
          d.name,
          o.engine,
          o.lscpu,
          LSCPU[d.name] ?? (noPossible ? NO_POSSIBLE : undefined),
        )
      )
        agreeing++;
      if (compare('lstopo 2.9', d.name, o.engine, o.lstopo, LSTOPO[d.name])) agreeing++;
      if (o.upstream) {
        // 2.41's -p lists online CPUs only: "cpus" there is the online set, compared as such.
        const engine = { ...o.engine, cpus: o.engine.online };
        if (compare('upstream lscpu 2.41', d.name, engine, { ok: true, shape: o.upstream }, UPSTREAM[d.name]))
          agreeing++;
      }
      if (NO_FULL_REFERENCE[d.name])
        assert.equal(agreeing, 0, `${d.name}: a tool agrees now, remove the exemption`);
      else assert.ok(agreeing >= 1, `${d.name}: no real reference agrees on every field`);
    });
});
