/**
 * A target's machine model: the probe script's output is written into a temporary sysroot and read by the same
 * parser as this host (readSysfsTopology), so a remote Altra is understood exactly like a local one or a dump.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { recordEngineReads } from '../bundle/sysdump';
import type { Topology } from '../shared/topology';
import { RemoteError, tail } from './errors';
import { runScript } from './exec';
import { parseProbeOutput, parseTools, PROBE_SCRIPT, probeCovers, type ProbeOutput } from './probe-script';
import { readManyOnTarget } from './tools';
import type { RemoteContext } from './ssh';
import { targetLabel, targetUrl, type RemoteTarget } from './url';

export interface TargetFacts {
  topology: Topology;
  /** Programs found on the target's PATH (numactl, python3, python, setsid, lscpu) → their paths. */
  tools: Record<string, string>;
  /** The image's /.release (Ampere containers name the AIO version there), or null. */
  release: string | null;
  /** `uname -a` of the target. */
  uname: string | null;
  /** `uname -n`: the target's own host name (an ssh alias or a container id says less). */
  nodename: string | null;
}

/** The URL shown as the topology's origin: the canonical URL without a private ?config= path. */
export function originOf(t: RemoteTarget): string {
  return targetUrl(t).replace(/\?.*$/, '');
}

/** Write the probed files below `dir` as a sysroot (the layout `lscpu --sysroot` and readSysfsTopology read). */
export function writeSysroot(dir: string, probe: ProbeOutput): void {
  for (const [path, content] of probe.files) {
    if (!path.startsWith('/') || path.split('/').includes('..')) continue;
    const local = join(dir, path);
    mkdirSync(dirname(local), { recursive: true });
    writeFileSync(local, content);
  }
  const uname = probe.commands.get('uname');
  if (uname && uname.status === 0) writeFileSync(join(dir, 'uname.txt'), uname.output);
}

/** The probe script's output from the target: every file it sends, and its commands' answers. */
export async function runProbe(
  t: RemoteTarget,
  ctx: RemoteContext,
  opts: { timeoutMs?: number } = {},
): Promise<ProbeOutput> {
  const nonce = randomBytes(8).toString('hex');
  const r = await runScript(t, ctx, PROBE_SCRIPT, { args: [nonce], timeoutMs: opts.timeoutMs ?? 60_000 });
  const probe = parseProbeOutput(r.stdout, nonce);
  if (!probe.complete) {
    if (r.exitCode === 127 && /sh: (?:not found|No such file)|executable file not found/i.test(r.stderr))
      throw new RemoteError(
        'shell-missing',
        `${targetLabel(t)}: there is no /bin/sh to run the probe (a distroless image?)`,
        tail(r.stderr),
      );
    throw new RemoteError(
      'failed',
      `${targetLabel(t)}: the machine description did not come back complete (exit status ${r.exitCode ?? r.signal}). ` +
        `${tail(r.stderr, 2)}`.trim(),
      tail(r.stderr),
    );
  }
  return probe;
}

/** Rounds of fetch-and-read-again; each brings files a reader wants only after reading the last ones. */
const MAX_FILL_ROUNDS = 6;

/**
 * Run `readers` on the probed sysroot `dir`; then fetch from the target, in one batch, every file they looked for
 * that the probe script neither brought nor asks for (probeCovers), and run them again, until they ask for
 * nothing new. So the readers stay the one definition of the files, for targets too: a file a reader starts to
 * need is fetched without editing the script, and while the script covers everything this costs nothing.
 */
export async function readFilled<T>(
  t: RemoteTarget,
  ctx: RemoteContext,
  dir: string,
  probe: ProbeOutput,
  readers: () => Promise<{ missing: Set<string> } & T>,
): Promise<T> {
  const asked = new Set<string>();
  for (let round = 1; ; round++) {
    const got = await readers();
    const wanted = [...got.missing]
      .filter((rel) => rel !== 'uname.txt') // the sysroot's own file (`uname -a`), not one of the target
      .map((rel) => '/' + rel)
      .filter((p) => !probe.files.has(p) && !probeCovers(p) && !asked.has(p))
      .sort();
    if (wanted.length === 0 || round >= MAX_FILL_ROUNDS) return got;
    for (const p of wanted) asked.add(p);
    let found = 0;
    (await readManyOnTarget(t, ctx, wanted)).forEach((content, i) => {
      if (content === null) return;
      const local = join(dir, wanted[i]!);
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, content);
      found++;
    });
    if (found === 0) return got;
  }
}

/** Read the target's topology (and which tools it has) with one remote command. */
export async function probeTarget(
  t: RemoteTarget,
  ctx: RemoteContext,
  opts: { timeoutMs?: number } = {},
): Promise<TargetFacts> {
  const probe = await runProbe(t, ctx, opts);
  const dir = mkdtempSync(join(tmpdir(), 'aio-tuner-remote-'));
  try {
    writeSysroot(dir, probe);
    let topology: Topology;
    try {
      ({ topology } = await readFilled(t, ctx, dir, probe, () => recordEngineReads(dir, 'topology')));
    } catch (e) {
      throw new RemoteError(
        'failed',
        `${targetLabel(t)}: ${(e as Error).message.replace(dir, 'the target')} (is it a Linux machine?)`,
      );
    }
    topology.origin = originOf(t);
    const page = Number(probe.commands.get('pagesize')?.output.trim());
    if (topology.kernel && Number.isInteger(page) && page > 0) topology.kernel.pageSizeBytes = page;
    const release = probe.commands.get('release');
    const uname = probe.commands.get('uname');
    const nodename = probe.commands.get('nodename');
    return {
      topology,
      tools: parseTools(probe.commands.get('tools')?.output),
      release: release && release.status === 0 ? release.output : null,
      uname: uname && uname.status === 0 ? uname.output.trim() : null,
      nodename: (nodename && nodename.status === 0 && nodename.output.trim()) || null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
