/**
 * The real reference tools, run on a sysfs dump: Debian's `lscpu --sysroot DIR -a -p` (util-linux 2.38) and
 * `lstopo --input DIR --of xml` (hwloc 2.9). Each answer is reduced to what the map must agree on — which CPUs
 * exist, which are online, and the partitions of the online CPUs into cores, sockets and NUMA nodes — as sets
 * of CPU sets, never labels (every tool numbers cores and sockets its own way).
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatCpuList } from '../../app/shared/cpulist';
import type { Topology } from '../../app/shared/topology';
import { CACHE_DIR, FIXTURES_DIR, cachedTree } from './fixtures';

const run = promisify(execFile);

export interface Shape {
  /** Every CPU the tool knows of, offline ones included ("0-15"). */
  cpus: string;
  online: string;
  /** Partitions of the online CPUs: "0-1 | 2-3 | …", sets ordered by lowest CPU. */
  cores: string;
  sockets: string;
  nodes: string;
}

export interface Dump {
  /** Display name: "hwloc/2arm-2c", "util-linux/armv7", "x86-1p-4c-smt". */
  name: string;
  /** Extracted root to give `--sysroot` / `--input`. */
  root: string;
  /** Environment the upstream hwloc test runs this dump with (its `.env` file), for lstopo. */
  hwlocEnv: Record<string, string>;
}

/** Archive → extracted root, cached by content; archives holding one top directory are entered. */
export function extract(archive: string, base: string): string {
  const digest = createHash('sha256').update(readFileSync(archive)).digest('hex').slice(0, 12);
  const target = cachedTree(join(CACHE_DIR, `${base}-${digest}`), (staging) => {
    const z = archive.endsWith('.bz2') ? '-xjf' : '-xzf';
    execFileSync('tar', [z, archive, '-C', staging], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  });
  const entries = readdirSync(target);
  return entries.length === 1 && !['sys', 'proc'].includes(entries[0]!) ? join(target, entries[0]!) : target;
}

/** Root of an extracted dump under test/fixtures/real (`hwloc/NAME.tar.bz2`, `util-linux/NAME.tar.gz`). */
export function realDumpRoot(rel: string): string {
  const base = rel.replace(/\.tar\.(bz2|gz)$/, '').replace('/', '-');
  return extract(join(FIXTURES_DIR, 'real', rel), `real-${base}`);
}

/** `.env` files are `NAME=value` / `export NAME` lines. */
function parseEnv(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)="?(.*?)"?$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** Every sysfs dump in test/fixtures: the project's own, util-linux's and hwloc's. */
export function allDumps(): Dump[] {
  const out: Dump[] = [];
  for (const f of readdirSync(FIXTURES_DIR).sort())
    if (f.endsWith('.tar.gz')) {
      const base = f.replace(/\.tar\.gz$/, '');
      out.push({ name: base, root: extract(join(FIXTURES_DIR, f), base), hwlocEnv: {} });
    }
  const ul = join(FIXTURES_DIR, 'real', 'util-linux');
  for (const f of readdirSync(ul).sort())
    if (f.endsWith('.tar.gz')) {
      const base = f.replace(/\.tar\.gz$/, '');
      out.push({ name: `util-linux/${base}`, root: extract(join(ul, f), `ul-${base}`), hwlocEnv: {} });
    }
  const hw = join(FIXTURES_DIR, 'real', 'hwloc');
  for (const f of readdirSync(hw).sort())
    if (f.endsWith('.tar.bz2')) {
      const base = f.replace(/\.tar\.bz2$/, '');
      out.push({
        name: `hwloc/${base}`,
        root: extract(join(hw, f), `hwloc-${base}`),
        hwlocEnv: parseEnv(join(hw, `${base}.env`)),
      });
    }
  return out;
}

/** "0-1 | 2-3": the sets, each ascending, ordered by their lowest member; empty sets dropped. */
export function partition(sets: Iterable<Iterable<number>>): string {
  return [...sets]
    .map((s) => [...new Set(s)].sort((a, b) => a - b))
    .filter((s) => s.length > 0)
    .sort((a, b) => a[0]! - b[0]!)
    .map((s) => formatCpuList(s))
    .join(' | ');
}

function groupBy(pairs: [number, string][]): number[][] {
  const m = new Map<string, number[]>();
  for (const [cpu, key] of pairs) m.set(key, [...(m.get(key) ?? []), cpu]);
  return [...m.values()];
}

/** The engine's model reduced to the same shape. A kernel without NUMA is one node (the engine's rule). */
export function engineShape(t: Topology): Shape {
  const online = t.cpus.filter((c) => c.online);
  return {
    cpus: formatCpuList(t.cpus.map((c) => c.id)),
    online: formatCpuList(online.map((c) => c.id)),
    cores: partition(groupBy(online.map((c) => [c.id, String(c.core ?? `cpu${c.id}`)]))),
    sockets: partition(t.packages.map((p) => p.cpus.filter((id) => online.some((c) => c.id === id)))),
    // Offline CPUs have no node in either tool (a dump's cpulist may still name them).
    nodes: partition(t.nodes.map((n) => n.cpus.filter((id) => online.some((c) => c.id === id)))),
  };
}

export type ToolResult =
  { ok: true; shape: Shape } | { ok: false; status: number | null; signal: string | null; stderr: string };

interface ExecFailure {
  code?: number | string;
  signal?: string | null;
  stderr?: string;
}

/** How a reference tool failed (exit status or signal, and what it said), for the exceptions to assert on. */
function failed(err: unknown): Extract<ToolResult, { ok: false }> {
  const e = err as ExecFailure;
  return {
    ok: false,
    status: typeof e.code === 'number' ? e.code : null,
    signal: e.signal ?? null,
    stderr: (e.stderr ?? '').trim(),
  };
}

/** `lscpu --sysroot ROOT -a -p=CPU,CORE,SOCKET,NODE,ONLINE`. No NODE column values: one node of all (as the engine). */
export async function lscpuShape(root: string): Promise<ToolResult> {
  let stdout: string;
  try {
    ({ stdout } = await run('lscpu', ['--sysroot', root, '-a', '-p=CPU,CORE,SOCKET,NODE,ONLINE'], {
      env: { ...process.env, LC_ALL: 'C' },
      timeout: 20_000,
    }));
  } catch (err) {
    return failed(err);
  }
  // A row without a CPU number (2.38 prints ",,,," for each CPU of some dumps) names no CPU.
  const rows = stdout
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(','))
    .filter((r) => /^\d+$/.test(r[0]!));
  const on = rows.filter((r) => r[4] === 'Y');
  const anyNode = on.some((r) => r[3] !== '');
  return {
    ok: true,
    shape: {
      cpus: formatCpuList(rows.map((r) => Number(r[0]))),
      online: formatCpuList(on.map((r) => Number(r[0]))),
      cores: partition(groupBy(on.map((r) => [Number(r[0]), r[1]!]))),
      sockets: partition(groupBy(on.map((r) => [Number(r[0]), r[2]!]))),
      nodes: partition(
        anyNode
          ? groupBy(on.filter((r) => r[3] !== '').map((r) => [Number(r[0]), r[3]!]))
          : [on.map((r) => Number(r[0]))],
      ),
    },
  };
}

/** hwloc bitmap text ("0x000000ff,,0xffffffff": 32-bit words, an empty word is zero) → ids. */
function hwlocSet(text: string): number[] {
  const words = text.split(',').reverse();
  const out: number[] = [];
  words.forEach((w, wi) => {
    const hex = w.replace(/^0x/, '');
    if (hex.includes('.')) throw new Error(`infinite hwloc set "${text}"`);
    const value = BigInt(`0x${hex || '0'}`);
    for (let bit = 0; bit < 32; bit++) if ((value >> BigInt(bit)) & 1n) out.push(wi * 32 + bit);
  });
  return out;
}

/**
 * `lstopo --input ROOT --of xml --disallowed` (disallowed CPUs included: the map shows a cgroup's CPUs too).
 * Exists = the root's complete_cpuset, online = its cpuset; cores, packages and NUMA nodes from their cpusets.
 * A machine hwloc gives no Package is one socket.
 */
export async function lstopoShape(root: string, env: Record<string, string> = {}): Promise<ToolResult> {
  let stdout: string;
  try {
    // lstopo --input recognises a dump by its proc/ directory; hwloc's own tests point HWLOC_FSROOT at the
    // oldest dumps, which hold sys/ only.
    const bare = !existsSync(join(root, 'proc'));
    const input = bare ? [] : ['--input', root];
    const fsroot = bare ? { HWLOC_FSROOT: root, HWLOC_COMPONENTS: 'linux' } : {};
    ({ stdout } = await run('lstopo', [...input, '--of', 'xml', '--disallowed', '--no-io', '-'], {
      env: { ...process.env, ...env, ...fsroot, LC_ALL: 'C' },
      timeout: 20_000,
      maxBuffer: 64 << 20,
    }));
  } catch (err) {
    return failed(err);
  }
  const objects = [...stdout.matchAll(/<object type="(\w+)"([^>]*)>/g)].map((m) => ({
    type: m[1]!,
    cpuset: /\scpuset="([^"]+)"/.exec(m[2]!)?.[1] ?? null,
    complete: /\scomplete_cpuset="([^"]+)"/.exec(m[2]!)?.[1] ?? null,
  }));
  const machine = objects.find((o) => o.type === 'Machine')!;
  const sets = (type: string): number[][] =>
    objects.filter((o) => o.type === type && o.cpuset !== null).map((o) => hwlocSet(o.cpuset!));
  const online = hwlocSet(machine.cpuset!);
  const packages = sets('Package');
  return {
    ok: true,
    shape: {
      cpus: formatCpuList(hwlocSet(machine.complete!)),
      online: formatCpuList(online),
      cores: partition([
        ...sets('Core'),
        // A PU outside any Core (hwloc read no core for it) is a core of its own, as in lscpu.
        ...sets('PU').filter((pu) => !sets('Core').some((c) => c.includes(pu[0]!))),
      ]),
      sockets: partition(packages.length > 0 ? packages : [online]),
      nodes: partition(
        groupBy(
          online.flatMap((cpu): [number, string][] => {
            const key = nodeKey(sets('NUMANode'), cpu);
            return key === null ? [] : [[cpu, key]];
          }),
        ),
      ),
    },
  };
}

/**
 * hwloc attaches a NUMA node without CPUs (memory tiers, GPU memory, initiator-less nodes) at its locality, so
 * it carries the cpuset of the CPUs near it: a CPU's own node is the smallest NUMA cpuset holding it.
 */
function nodeKey(nodes: number[][], cpu: number): string | null {
  const holding = nodes.filter((n) => n.includes(cpu)).sort((a, b) => a.length - b.length);
  return holding.length === 0 ? null : holding[0]!.join(',');
}

/**
 * Upstream util-linux 2.41's own `lscpu -p` output for a dump of its test suite (test/fixtures/real/util-linux/
 * expected/lscpu-NAME, the first parsable block: online CPUs only, "CPU,Core,Socket,Node[,…]"). The reference
 * where Debian's 2.38 misreads a dump; it lists no offline CPUs, so `cpus` is the online set.
 */
export function upstreamLscpuShape(name: string): Shape | null {
  const file = join(FIXTURES_DIR, 'real', 'util-linux', 'expected', `lscpu-${name}`);
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  const head = lines.findIndex((l) => l.startsWith('# CPU,Core,Socket,Node'));
  if (head < 0) return null;
  const rows: string[][] = [];
  for (const l of lines.slice(head + 1)) {
    if (!/^\d/.test(l)) break;
    rows.push(l.split(','));
  }
  const cpus = rows.map((r) => Number(r[0]));
  const anyNode = rows.some((r) => r[3] !== '');
  return {
    cpus: formatCpuList(cpus),
    online: formatCpuList(cpus),
    cores: partition(groupBy(rows.map((r) => [Number(r[0]), r[1]!]))),
    sockets: partition(groupBy(rows.map((r) => [Number(r[0]), r[2]!]))),
    nodes: partition(
      anyNode ? groupBy(rows.filter((r) => r[3] !== '').map((r) => [Number(r[0]), r[3]!])) : [cpus],
    ),
  };
}

/** Run `fn` over `items` with at most `limit` at a time (the machine has two CPUs, shared). */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}
