/**
 * A real one-machine Slurm cluster for tests (Debian 12 `slurm-wlm` 22.05 and `munge`): everything lives in a
 * temporary directory — its own munge key and munged socket, a slurm.conf naming this host as the only node
 * (with the CPUs `slurmd -C` finds), state, spool, logs and pid files — and slurmctld and slurmd run in the
 * foreground (-D) as children of the test, each in its own process group, at free ports. Nothing in /etc or
 * /run is read or changed; srun/sinfo find this cluster through SLURM_CONF (see `env`).
 *
 * The configuration is the smallest that binds for real: select/cons_tres over CPUs, task/affinity
 * (sched_setaffinity and libnuma, no cgroup), proctrack/linuxproc (no cgroup or systemd needed), no
 * accounting. The daemons run as root (SlurmUser=root), which is what slurmd needs to launch tasks.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SLURMCTLD = '/usr/sbin/slurmctld';
export const SLURMD = '/usr/sbin/slurmd';
export const SRUN = '/usr/bin/srun';
export const MUNGED = '/usr/sbin/munged';

export interface SlurmCluster {
  dir: string;
  /** The slurm.conf of this cluster. */
  conf: string;
  /** The node's name (this host's short name) and the CPU count slurmd reported. */
  node: string;
  cpus: number;
  /** process.env plus SLURM_CONF: what srun, sinfo and a shell running them need. */
  env: NodeJS.ProcessEnv;
  /** The daemons' output so far (munged, slurmctld, slurmd), for assertion messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Why the cluster cannot be started here, or null when it can. */
export function slurmUnavailable(): string | null {
  if (process.platform !== 'linux') return 'Slurm tests need Linux';
  for (const bin of [SLURMCTLD, SLURMD, SRUN, MUNGED])
    if (!existsSync(bin)) return `${bin} is not installed (Debian: apt-get install slurm-wlm munge)`;
  if (process.getuid?.() !== 0) return 'slurmd must run as root to launch tasks';
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Daemon {
  name: string;
  proc: ChildProcess;
  out: string;
}

function startDaemon(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Daemon {
  // detached: a process group of its own, so stop() reaches whatever the daemon started (slurmscriptd…).
  const proc = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const d: Daemon = { name, proc, out: '' };
  proc.stdout!.on('data', (b: Buffer) => (d.out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (d.out += b.toString()));
  return d;
}

function exited(d: Daemon): boolean {
  return d.proc.exitCode !== null || d.proc.signalCode !== null;
}

async function stopDaemon(d: Daemon): Promise<void> {
  const pgid = d.proc.pid;
  if (pgid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // the group is gone
    }
  };
  signal('SIGTERM');
  for (let i = 0; i < 100 && !exited(d); i++) await sleep(100);
  signal('SIGKILL');
}

/**
 * Pids of this cluster's processes outside the daemons' groups: slurmstepd starts a session of its own, so a
 * process-group signal misses it. Each one inherits the SLURM_CONF naming this cluster's slurm.conf.
 */
function clusterPids(conf: string): number[] {
  const mark = `SLURM_CONF=${conf}\0`;
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(mark)) out.push(pid);
    } catch {
      // ended meanwhile, or not ours to read
    }
  }
  return out;
}

/** The node line `slurmd -C` prints for this host (NodeName=… CPUs=… Boards=… … RealMemory=…). */
function nodeLine(): { line: string; node: string; cpus: number } {
  const r = spawnSync(SLURMD, ['-C'], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('NodeName='));
  if (r.status !== 0 || line === undefined) throw new Error(`slurmd -C failed: ${r.stderr}${r.stdout}`);
  const node = /NodeName=(\S+)/.exec(line)![1]!;
  const cpus = Number(/CPUs=(\d+)/.exec(line)![1]);
  return { line: line.trim(), node, cpus };
}

export async function startSlurm(opts: { timeoutMs?: number } = {}): Promise<SlurmCluster> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  // Short path: munged's socket path must fit sun_path (108 bytes).
  const dir = mkdtempSync(join(tmpdir(), 'aio-slurm-'));
  const munge = join(dir, 'munge');
  for (const d of ['munge', 'state', 'spool', 'log']) mkdirSync(join(dir, d), { mode: 0o700 });
  const key = join(munge, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = join(munge, 'socket');
  const daemons: Daemon[] = [];
  const log = () => daemons.map((d) => `--- ${d.name}\n${d.out}`).join('\n');
  const conf = join(dir, 'slurm.conf');
  const stop = async () => {
    // A finished step's slurmstepd still reports to slurmd for a moment; let it, then stop the daemons.
    const isStepd = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'slurmstepd';
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && clusterPids(conf).some(isStepd); i++) await sleep(100);
    for (const d of [...daemons].reverse()) await stopDaemon(d);
    for (const pid of clusterPids(conf)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // --force: the key and socket live under /tmp, whose permissions munged would otherwise refuse.
    daemons.push(
      startDaemon(
        'munged',
        MUNGED,
        [
          '--foreground', '--force', `--socket=${socket}`, `--key-file=${key}`,
          `--pid-file=${join(munge, 'munged.pid')}`, `--seed-file=${join(munge, 'seed')}`,
          `--log-file=${join(munge, 'munged.log')}`,
        ], // prettier-ignore
        process.env,
      ),
    );
    const { line, node, cpus } = nodeLine();
    const [ctldPort, dPort] = [await freePort(), await freePort()];
    writeFileSync(join(dir, 'plugstack.conf'), '');
    writeFileSync(
      conf,
      [
        'ClusterName=aiotest',
        `SlurmctldHost=${node}(127.0.0.1)`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${dPort}`,
        'SlurmUser=root',
        'SlurmdUser=root',
        'AuthType=auth/munge',
        'CredType=cred/munge',
        // srun and the daemons all reach this cluster's munged, never the system one.
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${join(dir, 'state')}`,
        `SlurmdSpoolDir=${join(dir, 'spool')}`,
        `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
        `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
        `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
        `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
        `PlugStackConfig=${join(dir, 'plugstack.conf')}`,
        'MailProg=/bin/true',
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/affinity',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_CPU',
        'SchedulerType=sched/builtin',
        'AccountingStorageType=accounting_storage/none',
        'JobAcctGatherType=jobacct_gather/none',
        'JobCompType=jobcomp/none',
        'MpiDefault=none',
        'SwitchType=switch/none',
        'ReturnToService=2',
        'KillWait=2',
        `${line.replace(/\s*$/, '')} NodeAddr=127.0.0.1 State=UNKNOWN`,
        `PartitionName=main Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
        '',
      ].join('\n'),
    );
    const env = { ...process.env, SLURM_CONF: conf };
    const deadline = Date.now() + timeoutMs;
    while (!existsSync(socket)) {
      if (exited(daemons[0]!) || Date.now() > deadline) throw new Error('munged did not start');
      await sleep(50);
    }
    daemons.push(startDaemon('slurmctld', SLURMCTLD, ['-D', '-f', conf], env));
    daemons.push(startDaemon('slurmd', SLURMD, ['-D', '-f', conf], env));
    // Ready when the controller reports the node idle: then srun gets an allocation at once.
    for (;;) {
      const down = daemons.find(exited);
      if (down) throw new Error(`${down.name} exited (${down.proc.exitCode ?? down.proc.signalCode})`);
      const r = spawnSync('sinfo', ['-h', '-N', '-o', '%t'], { env, encoding: 'utf8', timeout: 10_000 });
      if (r.status === 0 && r.stdout.trim() === 'idle') break;
      if (Date.now() > deadline) throw new Error(`the node is not idle: ${r.stdout}${r.stderr}`);
      await sleep(200);
    }
    return { dir, conf, node, cpus, env, log, stop };
  } catch (err) {
    const text = log();
    await stop();
    throw new Error(`${(err as Error).message}\n${text.slice(-4000)}`, { cause: err });
  }
}
