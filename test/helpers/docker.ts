/**
 * A real Docker engine for tests, and containers that have this machine's Python, PyTorch and numactl without
 * any registry:
 *
 * - the engine: a daemon that already answers (DOCKER_HOST, else the default socket) is used as it is;
 *   otherwise Debian's `dockerd` is started here with its own data-root, exec-root, pidfile and socket in a
 *   temporary directory (vfs storage, no iptables, no bridge: nothing on this machine's network changes), and
 *   DOCKER_HOST is set in this process so every `docker` the tool spawns talks to it. Only a daemon started
 *   here is stopped here, by its pid.
 * - the image: `docker import` of a skeleton root (empty /usr, /etc, /tmp…, with the usual /bin → usr/bin
 *   links), so no registry is involved;
 * - the containers: that image with /usr and /etc bind-mounted read-only from this machine (its sh, numactl,
 *   python3-torch), `--network none`, PID 1 the engine's own init (tini, shipped in docker.io at
 *   /usr/bin/docker-init) so that orphans are reaped and a process count inside means what it says.
 *   `--privileged` is refused on these machines; `--cap-add SYS_NICE` is what numactl's memory binding needs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DOCKERD = '/usr/sbin/dockerd';
export const IMAGE = 'aio-tuner-test-root:1';
const INIT = '/usr/bin/docker-init';

export interface DockerEngine {
  /** The DOCKER_HOST the tool's `docker` uses (also set in process.env). */
  host: string;
  /** Whether this helper started the daemon (and will stop it). */
  started: boolean;
  /** `docker --version` of the client the tool runs (the first `docker` on PATH). */
  client: string;
  /** Start a container from the skeleton image; returns its name. */
  container(
    name: string,
    opts?: { capAdd?: string[]; mounts?: string[]; env?: Record<string, string> },
  ): string;
  /** Processes in the container other than its init, its `sleep infinity` and the listing itself. */
  leftovers(name: string): string[];
  stop(): Promise<void>;
}

/** Why Docker cannot be used here, or null when it can. */
export function dockerUnavailable(): string | null {
  if (process.platform !== 'linux') return 'Docker tests need Linux';
  if (spawnSync('docker', ['--version']).status !== 0) return 'the docker CLI is not installed (docker.io)';
  if (!existsSync(DOCKERD) && !answers(process.env)) return `${DOCKERD} is not installed (docker.io)`;
  return null;
}

function docker(args: string[], input?: Buffer): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('docker', args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function must(args: string[], input?: Buffer): string {
  const r = docker(args, input);
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function answers(env: NodeJS.ProcessEnv): boolean {
  return (
    spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { env, timeout: 20_000 }).status === 0
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startDaemon(): Promise<{ host: string; proc: ChildProcess; dir: string; log: () => string }> {
  // Short path: the socket's path must fit sun_path (108 bytes).
  const dir = mkdtempSync(join(tmpdir(), 'aio-dockerd-'));
  const host = `unix://${join(dir, 'docker.sock')}`;
  let out = '';
  const proc = spawn(
    DOCKERD,
    [
      '--storage-driver', 'vfs', '--iptables=false', '--bridge=none',
      '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'),
      '--pidfile', join(dir, 'dockerd.pid'), '--host', host,
    ], // prettier-ignore
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const env = { ...process.env, DOCKER_HOST: host };
  // Wait on the state (the daemon answers), not on a time; give up when the daemon itself has exited.
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`dockerd exited (${proc.exitCode ?? proc.signalCode}):\n${out.slice(-3000)}`);
    if (existsSync(join(dir, 'docker.sock')) && answers(env)) break;
    await sleep(100);
  }
  return { host, proc, dir, log: () => out };
}

/** A root with a few empty directories and the merged-/usr links, as a tar stream for `docker import`. */
function skeletonTar(): Buffer {
  const root = mkdtempSync(join(tmpdir(), 'aio-skel-'));
  try {
    for (const d of [
      'usr/bin',
      'usr/lib',
      'usr/lib64',
      'usr/sbin',
      'etc',
      'tmp',
      'proc',
      'sys',
      'dev',
      'root',
    ])
      mkdirSync(join(root, d), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    for (const d of ['bin', 'lib', 'lib64', 'sbin']) symlinkSync(`usr/${d}`, join(root, d));
    const r = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 16 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr.toString()}`);
    return r.stdout;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function startDocker(): Promise<DockerEngine> {
  let daemon: Awaited<ReturnType<typeof startDaemon>> | null = null;
  if (!answers(process.env)) {
    daemon = await startDaemon();
    process.env.DOCKER_HOST = daemon.host;
  }
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (docker(['image', 'inspect', IMAGE]).status !== 0) must(['import', '-', IMAGE], skeletonTar());
  const made: string[] = [];

  const engine: DockerEngine = {
    host,
    started: daemon !== null,
    client: must(['--version']).trim(),
    container(name, opts = {}) {
      docker(['rm', '-f', name]);
      must([
        'run', '-d', '--name', name, '--network', 'none',
        '-v', '/usr:/usr:ro', '-v', '/etc:/etc:ro',
        ...(opts.mounts ?? []).flatMap((m) => ['-v', m]),
        ...(opts.capAdd ?? []).flatMap((c) => ['--cap-add', c]),
        ...Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
        IMAGE, INIT, '--', 'sleep', 'infinity',
      ]); // prettier-ignore
      made.push(name);
      return name;
    },
    leftovers(name) {
      const out = must(['exec', name, 'ps', '-e', '-o', 'pid=,stat=,args=']);
      return out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .filter((l) => !/^1 /.test(l) && !/ sleep infinity$/.test(l) && !/ ps -e -o /.test(l));
    },
    async stop() {
      if (made.length > 0) docker(['rm', '-f', ...made]);
      if (!daemon) return;
      const { proc, dir } = daemon;
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, sleep(15_000)]);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      }
      delete process.env.DOCKER_HOST;
      // vfs layers can be large; the data-root is ours alone. A mount the engine left behind must not turn a
      // passing suite into a failure: the directory is then left for the OS's temp cleanup.
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // EBUSY
      }
    },
  };
  return engine;
}
