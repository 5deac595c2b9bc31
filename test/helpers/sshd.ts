/**
 * A real OpenSSH server for tests: `/usr/sbin/sshd -D -e` on 127.0.0.1 at a free port, with its own host key, a
 * generated user key and a client config file, all in a temporary directory. Tests reach it with
 * `ssh://USER@127.0.0.1:PORT?config=FILE`, so nothing in ~/.ssh is read or changed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/**
 * Variables only sessions of this sshd have (sshd_config SetEnv), never the test process: what a bundle must
 * report as a remote run's inheritance. HF_ names count as relevant to a run and are read by nothing here;
 * the TOKEN one must come out redacted, as a local secret would.
 */
export const SESSION_ENV = {
  HF_AIO_TUNER_TEST_MARK: 'from-sshd',
  HF_AIO_TUNER_TEST_TOKEN: 'sshd-session-secret-4242',
} as const;

export interface Sshd {
  dir: string;
  port: number;
  user: string;
  /** Client config: IdentityFile, UserKnownHostsFile (with the server's key), Port, BatchMode. */
  config: string;
  /** The target URL of this server. */
  url: string;
  knownHosts: string;
  hostPublicKey: string;
  /** sshd's output so far (-e sends its log to stderr). */
  log(): string;
  /** Write another client config with a different identity / known_hosts line; returns its path. */
  altConfig(name: string, opts: { identity?: string; knownHostsLine?: string; port?: number }): string;
  /** A fresh key pair not in authorized_keys; returns the private key path. */
  newKey(name: string): string;
  stop(): Promise<void>;
}

/** Why sshd cannot be used here, or null when it can. */
export function sshdUnavailable(): string | null {
  if (process.platform !== 'linux') return 'sshd tests need Linux';
  if (!existsSync(SSHD)) return `${SSHD} is not installed (Debian: apt-get install openssh-server)`;
  if (spawnSync('ssh', ['-V']).error) return 'the ssh client is not installed';
  return null;
}

/** Pids whose parent is `ppid`, from /proc. */
export function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
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

function keygen(path: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'aio-tuner-test', '-f', path]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.toString()}`);
}

/** `env`: more variables every session of this sshd gets (SetEnv), e.g. the DOCKER_HOST of a test engine. */
export async function startSshd(opts: { env?: Record<string, string> } = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'aio-sshd-'));
  // sshd refuses to start without its privilege-separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'user_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  const user = userInfo().username;
  const port = await freePort();
  const sshdConfig = join(dir, 'sshd_config');
  writeFileSync(
    sshdConfig,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      // Tests run as root in CI containers; key-only login is what the product needs anyway.
      'PermitRootLogin prohibit-password',
      'MaxSessions 50',
      // Debian's bash sources ~/.bashrc for commands sent over ssh when it is a top-level shell; on machines
      // whose .bashrc is slow (pyenv init takes seconds) every command would pay for it. SHLVL=1 makes bash a
      // second-level shell, so the test measures AIO Tuner, not the runner's dotfiles.
      `SetEnv SHLVL=1 ${Object.entries({ ...SESSION_ENV, ...opts.env })
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
      'MaxStartups 50',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  const hostPublicKey = readFileSync(join(dir, 'host_key.pub'), 'utf8')
    .trim()
    .split(/\s+/)
    .slice(0, 2)
    .join(' ');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPublicKey}\n`);

  const writeClientConfig = (path: string, identity: string, known: string, p: number) =>
    writeFileSync(
      path,
      [
        'Host *',
        `  Port ${p}`,
        `  IdentityFile ${identity}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${known}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        // The agent of whoever runs the tests must not offer keys of its own.
        '  IdentityAgent none',
        '',
      ].join('\n'),
    );
  const config = join(dir, 'ssh_config');
  writeClientConfig(config, join(dir, 'user_key'), knownHosts, port);

  let out = '';
  const proc: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', sshdConfig], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd did not start in 10 s:\n${out}`)), 10_000);
    const check = () => {
      if (/Server listening on 127\.0\.0\.1/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stderr!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}:\n${out}`));
    });
  });

  const sshd: Sshd = {
    dir,
    port,
    user,
    config,
    knownHosts,
    hostPublicKey,
    url: `ssh://${user}@127.0.0.1:${port}?config=${encodeURIComponent(config)}`,
    log: () => out,
    newKey(name) {
      const p = join(dir, name);
      keygen(p);
      return p;
    },
    altConfig(name, opts) {
      const known = join(dir, `${name}.known_hosts`);
      writeFileSync(known, opts.knownHostsLine ?? `[127.0.0.1]:${opts.port ?? port} ${hostPublicKey}\n`);
      const path = join(dir, `${name}.ssh_config`);
      writeClientConfig(path, opts.identity ?? join(dir, 'user_key'), known, opts.port ?? port);
      return path;
    },
    async stop() {
      // Session children of sshd outlive the listener: end them too, by pid, before the listener.
      if (proc.pid !== undefined) for (const pid of childrenOf(proc.pid)) killQuietly(pid);
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sshd;
}
