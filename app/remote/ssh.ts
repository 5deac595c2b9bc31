/**
 * The system `ssh` client, driven the way a careful user would: the user's own config, keys and agent; never a
 * prompt (BatchMode), since nobody can answer one; and one multiplexed connection per host, so the probe, the
 * run, the load sampler and Stop share a single login instead of paying one handshake (and one auth log
 * line on the server) each.
 */
import { lstatSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { shJoin } from './shell';
import type { SshTarget } from './url';

export interface RemoteContext {
  /** Private directory for ControlMaster sockets. */
  controlDir: string;
  /** Seconds a master connection stays up after its last user (ControlPersist). */
  persistS: number;
}

// sun_path holds 108 bytes; %C expands to 40 hex digits, and ssh appends a ".XXXXXXXXXXXXXXXX" temp suffix
// while it sets up the master.
const MAX_SOCKET_DIR = 108 - 1 - 40 - 17 - 1;

function privateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  // A socket directory others can write to would let them hijack the connection: refuse rather than use it.
  if (typeof process.getuid === 'function' && st.uid !== process.getuid())
    throw new Error(`${dir} belongs to another user; remove it or set AIO_TUNER_HOME`);
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}

/** Context for a data directory: sockets in <dataDir>/ssh, or a private /tmp directory when that path is too long. */
export function remoteContext(dataDir: string, persistS = 60): RemoteContext {
  let dir = join(dataDir, 'ssh');
  if (dir.length > MAX_SOCKET_DIR) dir = join(tmpdir(), `aio-tuner-ssh-${userInfo().uid}`);
  return { controlDir: privateDir(dir), persistS };
}

/** The ssh config file for a target: its own `?config=`, else AIO_TUNER_SSH_CONFIG, else ssh's defaults. */
function configFileOf(t: SshTarget): string | null {
  return t.configFile ?? (process.env.AIO_TUNER_SSH_CONFIG || null);
}

/** Options every ssh invocation gets, before the destination. */
export function sshOptions(t: SshTarget, ctx: RemoteContext): string[] {
  const args: string[] = [];
  const config = configFileOf(t);
  if (config) args.push('-F', config);
  args.push(
    '-T',
    '-o', 'BatchMode=yes',
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${join(ctx.controlDir, '%C')}`,
    '-o', `ControlPersist=${ctx.persistS}`,
    '-o', 'ConnectTimeout=15',
    // A dead network is noticed within ~15 s instead of TCP's many minutes.
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    // Keeps "Warning: Permanently added …" out of run logs; errors are still printed.
    '-o', 'LogLevel=ERROR',
  ); // prettier-ignore
  if (t.port !== null) args.push('-p', String(t.port));
  if (t.user !== null) args.push('-l', t.user);
  return args;
}

/**
 * argv of a local `ssh` that runs `remoteArgv` on the host. ssh joins its arguments with spaces and hands the
 * line to the remote login shell, so each word is quoted here; `--` keeps the host from being read as an option.
 */
export function sshArgv(t: SshTarget, ctx: RemoteContext, remoteArgv: readonly string[]): string[] {
  return ['ssh', ...sshOptions(t, ctx), '--', t.host, shJoin(remoteArgv)];
}

/** argv of an `ssh -O CMD` control request (check, exit, stop) to the host's master connection. */
export function sshControlArgv(t: SshTarget, ctx: RemoteContext, cmd: 'check' | 'exit' | 'stop'): string[] {
  return ['ssh', ...sshOptions(t, ctx), '-O', cmd, '--', t.host];
}
