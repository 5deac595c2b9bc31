/**
 * The machine side of a support bundle: the files under `system/`.
 *
 * Every collector returns text, never throws: a tool that is missing, crashes or hangs becomes a note in its
 * file, because a bundle with one empty corner is still worth sending and a failed bundle is not.
 */
import { outputText } from '../util/records';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_TOOL_TIMEOUT_MS as DEFAULT_TIMEOUT_MS, runTool, type ToolHost } from '../util/tool';

export { runTool, which, type ToolHost, type ToolRun } from '../util/tool';
import type { Topology } from '../shared/topology';

export interface BundleFile {
  /** Path inside the bundle, e.g. "system/lscpu.txt". */
  name: string;
  content: string;
}

export interface CollectOptions {
  /** A dumped root (as for `--sysroot`): its files are used where it has them. */
  sysroot?: string;
  /** Collect on this remote target instead of this machine. */
  on?: ToolHost;
  /** Environment for the tools (its PATH decides which tools are found); default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Per-tool time limit. */
  timeoutMs?: number;
}

/** Files `collectSystem` produces, in archive order. */
export const SYSTEM_FILES = [
  'system/topology.json',
  'system/lscpu.txt',
  'system/lscpu-e.txt',
  'system/numactl-H.txt',
  'system/numactl-show.txt',
  'system/cpuinfo.txt',
  'system/meminfo.txt',
  'system/os.json',
  'system/kernel.txt',
  'system/cgroup.txt',
  'system/release.txt',
] as const;

/**
 * Run a tool and describe what happened in text: its output, or why there is none. The command line heads the
 * text so support sees exactly what produced it.
 */
export async function toolOutput(cmd: string, args: string[], opts: CollectOptions = {}): Promise<string> {
  const shown = `${opts.on ? `# on ${opts.on.where}\n` : ''}$ ${[cmd, ...args].join(' ')}\n`;
  const r = opts.on ? await opts.on.run(cmd, args, opts) : await runTool(cmd, args, opts);
  if (r.spawnError?.code === 'ENOENT')
    return `${shown}${cmd} not found: it is not installed or not on PATH (${r.spawnError.message})\n`;
  if (r.spawnError) return `${shown}${cmd} could not run: ${r.spawnError.message}\n`;
  let text = shown + r.stdout + (r.stdout.endsWith('\n') || r.stdout === '' ? '' : '\n');
  if (r.stderr) text += `[stderr]\n${r.stderr}${r.stderr.endsWith('\n') ? '' : '\n'}`;
  if (r.timedOut)
    text += `[${cmd} did not finish within ${(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s and was stopped]\n`;
  else if (r.signal) text += `[${cmd} crashed: ${r.signal}]\n`;
  else if (r.exitCode !== 0) text += `[${cmd} exited with code ${r.exitCode}]\n`;
  return text;
}

/** A file on the machine being collected: the remote target's when there is one. */
function readOn(opts: CollectOptions, path: string): Promise<string | null> {
  return opts.on ? opts.on.read(path) : readText(path);
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** A file from the sysroot when it has one, else from this host; the first line says which. */
async function rootFile(rel: string, opts: CollectOptions): Promise<string> {
  const sysroot = opts.sysroot;
  if (opts.on) {
    const text = await opts.on.read('/' + rel);
    return text === null
      ? `# /${rel} is not readable on ${opts.on.where}\n`
      : `# /${rel} on ${opts.on.where}\n${text}`;
  }
  if (sysroot) {
    const text = await readText(join(sysroot, rel));
    if (text !== null) return `# /${rel} from the sysroot ${sysroot}\n${text}`;
    const host = await readText('/' + rel);
    if (host === null) return `# /${rel}: not in the sysroot ${sysroot} and not readable on this host\n`;
    return `# /${rel}: not in the sysroot ${sysroot}; this is the host's\n${host}`;
  }
  const text = await readText('/' + rel);
  return text === null
    ? `# /${rel} is not readable on this machine (not Linux, or hidden from this process)\n`
    : `# /${rel}\n${text}`;
}

function sysrootNote(sysroot: string | undefined, what: string): string {
  return sysroot ? `# ${what} describes the host running AIO Tuner, not the sysroot ${sysroot}.\n` : '';
}

async function lscpu(args: string[], opts: CollectOptions): Promise<string> {
  // lscpu reads a dumped tree itself; some util-linux versions crash on some dumps, which toolOutput reports.
  if (opts.sysroot) return toolOutput('lscpu', ['--sysroot', opts.sysroot, ...args], opts);
  return toolOutput('lscpu', args, opts);
}

/** os.json of a remote target: systeminformation only describes this machine, so the target's own files. */
async function remoteOsJson(on: ToolHost): Promise<string> {
  const [osRelease, uname, nproc, meminfo] = await Promise.all([
    on.read('/etc/os-release'),
    on.run('uname', ['-a'], {}),
    on.run('nproc', ['--all'], {}),
    on.read('/proc/meminfo'),
  ]);
  const fields: Record<string, string> = {};
  for (const line of (osRelease ?? '').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) fields[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  const memKb = /^MemTotal:\s+(\d+)/m.exec(meminfo ?? '')?.[1];
  const doc = {
    target: on.where,
    note: 'collected on the target from /etc/os-release, uname and /proc (systeminformation describes only the machine running AIO Tuner)',
    osRelease: osRelease === null ? null : fields,
    uname: uname.exitCode === 0 ? uname.stdout.trim() : null,
    cpus: nproc.exitCode === 0 ? Number(nproc.stdout.trim()) : null,
    memTotalBytes: memKb ? Number(memKb) * 1024 : null,
  };
  return outputText('bundle-os', doc);
}

async function osJson(opts: CollectOptions): Promise<string> {
  if (opts.on) return remoteOsJson(opts.on);
  const settle = async <T>(p: Promise<T>): Promise<T | { error: string }> => {
    try {
      return await p;
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  // Loaded for the report only, not with every CLI command (see app/server/server.ts).
  const { default: si } = await import('systeminformation');
  const [osInfo, cpu, mem, system, versions] = await Promise.all([
    settle(si.osInfo()),
    settle(si.cpu()),
    settle(si.mem()),
    settle(si.system()),
    // A short list: asking for every known program spawns dozens of processes and takes seconds.
    settle(si.versions('kernel, openssl, node, gcc, git, docker')),
  ]);
  const doc: Record<string, unknown> = { osInfo, cpu, mem, system, versions };
  if (opts.sysroot) doc.note = `describes the host running AIO Tuner, not the sysroot ${opts.sysroot}`;
  return outputText('bundle-os', doc);
}

async function kernelText(opts: CollectOptions): Promise<string> {
  const parts: string[] = [];
  const dumped = opts.sysroot ? await readText(join(opts.sysroot, 'uname.txt')) : null;
  if (dumped !== null) parts.push(`# uname from the sysroot ${opts.sysroot} (uname.txt)\n${dumped}`);
  else parts.push(sysrootNote(opts.sysroot, 'uname') + (await toolOutput('uname', ['-a'], opts)));
  parts.push(sysrootNote(opts.sysroot, 'the page size') + (await toolOutput('getconf', ['PAGESIZE'], opts)));
  for (const f of ['enabled', 'defrag']) {
    parts.push(await rootFile(`sys/kernel/mm/transparent_hugepage/${f}`, opts));
  }
  parts.push(await rootFile('proc/cmdline', opts));
  return parts.map((p) => (p.endsWith('\n') ? p : p + '\n')).join('\n');
}

/** cgroup v2 and v1 files that limit CPUs and memory; the process's own cgroup path decides where to look. */
async function cgroupText(opts: CollectOptions): Promise<string> {
  const out: string[] = [];
  const status = await rootFile('proc/self/status', opts);
  const allowed = status
    .split('\n')
    .filter((l) => /^(Cpus_allowed_list|Mems_allowed_list)\s*:/.test(l))
    .join('\n');
  if (opts.sysroot) {
    out.push(
      `# from the sysroot ${opts.sysroot} (proc/self/status)\n${allowed || '(no allowed lists in it)'}\n`,
    );
    out.push(`# cgroup files below describe the host running AIO Tuner, not the sysroot.`);
  } else {
    out.push(`# /proc/self/status (the workload inherits these before numactl binds it)\n${allowed}\n`);
  }
  const self = await readOn(opts, '/proc/self/cgroup');
  if (self === null) {
    out.push('# /proc/self/cgroup is not readable: no cgroup information on this machine\n');
    return out.join('\n');
  }
  out.push(`# /proc/self/cgroup\n${self}`);
  const entries = self
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [, , controllers = '', path = '/'] = /^(\d+):([^:]*):(.*)$/.exec(l) ?? [];
      return { controllers: controllers.split(','), path };
    });
  const v2 = entries.find((e) => e.controllers.length === 1 && e.controllers[0] === '');
  const lines: string[] = [];
  const show = async (dir: string, files: string[]): Promise<void> => {
    for (const f of files) {
      // Inside a container the cgroup path is often not visible under the mount: fall back to its root.
      const v = (await readOn(opts, join(dir, f))) ?? null;
      if (v !== null) lines.push(`${join(dir, f)}: ${v.trim()}`);
    }
  };
  const v2files = [
    'cpuset.cpus.effective',
    'cpuset.mems.effective',
    'cpuset.cpus',
    'memory.max',
    'memory.high',
    'cpu.max',
  ];
  if (v2) {
    for (const base of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
      await show(join(base, v2.path), v2files);
      if (v2.path !== '/') await show(base, v2files);
    }
  }
  const v1 = (ctrl: string) => entries.find((e) => e.controllers.includes(ctrl))?.path;
  const cpuset = v1('cpuset');
  if (cpuset !== undefined)
    await show(join('/sys/fs/cgroup/cpuset', cpuset), [
      'cpuset.effective_cpus',
      'cpuset.cpus',
      'cpuset.effective_mems',
      'cpuset.mems',
    ]);
  const memory = v1('memory');
  if (memory !== undefined) {
    await show(join('/sys/fs/cgroup/memory', memory), [
      'memory.limit_in_bytes',
      'memory.soft_limit_in_bytes',
    ]);
    if (memory !== '/') await show('/sys/fs/cgroup/memory', ['memory.limit_in_bytes']);
  }
  const cpu = v1('cpu');
  if (cpu !== undefined)
    await show(join('/sys/fs/cgroup/cpu', cpu), ['cpu.cfs_quota_us', 'cpu.cfs_period_us']);
  out.push(
    `# limits\n${lines.length ? [...new Set(lines)].join('\n') : '(no cpuset or memory limit files readable)'}\n`,
  );
  return out.join('\n');
}

async function releaseText(opts: CollectOptions): Promise<string> {
  const sysroot = opts.sysroot;
  const where = opts.on ? `/.release on ${opts.on.where}` : sysroot ? join(sysroot, '.release') : '/.release';
  const text = await (opts.on ? opts.on.read('/.release') : readText(where));
  if (text !== null) return `# ${where}\n${text}`;
  return `# ${where} is not present: not an Ampere AI container image (or an image without a release file).\n`;
}

/** Gather every `system/` file. Runs the collectors side by side; none of them can fail the bundle. */
export async function collectSystem(topology: Topology, opts: CollectOptions = {}): Promise<BundleFile[]> {
  const guard = async (name: string, p: () => Promise<string>): Promise<BundleFile> => {
    try {
      return { name, content: await p() };
    } catch (e) {
      return { name, content: `# could not collect ${name}: ${(e as Error).message}\n` };
    }
  };
  const hostOnly = (what: string) => sysrootNote(opts.sysroot, what);
  const files = await Promise.all([
    guard('system/topology.json', async () => outputText('bundle-topology', topology)),
    guard('system/lscpu.txt', () => lscpu([], opts)),
    guard('system/lscpu-e.txt', () => lscpu(['-e'], opts)),
    guard(
      'system/numactl-H.txt',
      async () => hostOnly('numactl -H') + (await toolOutput('numactl', ['-H'], opts)),
    ),
    guard(
      'system/numactl-show.txt',
      async () => hostOnly('numactl --show') + (await toolOutput('numactl', ['--show'], opts)),
    ),
    guard('system/cpuinfo.txt', () => rootFile('proc/cpuinfo', opts)),
    guard('system/meminfo.txt', () => rootFile('proc/meminfo', opts)),
    guard('system/os.json', () => osJson(opts)),
    guard('system/kernel.txt', () => kernelText(opts)),
    guard('system/cgroup.txt', () => cgroupText(opts)),
    guard('system/release.txt', () => releaseText(opts)),
  ]);
  return files;
}
