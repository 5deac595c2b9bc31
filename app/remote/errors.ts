/**
 * What goes wrong when reaching a target, recognised from the text `ssh` and `docker` print, turned into one
 * message that says what happened and what to do. The raw tool output stays attached (`detail`) because a
 * recognised pattern can still hide a more specific cause.
 */
import { sshHostOf, targetLabel, type Target } from './url';

export type RemoteErrorCode =
  | 'unknown-host'
  | 'auth-refused'
  | 'host-key-changed'
  | 'host-key-unknown'
  | 'connection-refused'
  | 'unreachable'
  | 'connection-lost'
  | 'ssh-missing'
  | 'ssh-config'
  | 'docker-missing'
  | 'docker-not-running'
  | 'docker-permission'
  | 'container-missing'
  | 'container-not-running'
  | 'numactl-missing'
  | 'python-missing'
  | 'numactl-not-permitted'
  | 'cwd-missing'
  | 'shell-missing'
  | 'failed';

export class RemoteError extends Error {
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    /** The tool's own words (last lines of its stderr), for the curious and for bug reports. */
    readonly detail: string = '',
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** `ssh` exits with 255 for its own errors; anything else is the remote command's status. */
export const SSH_ERROR_STATUS = 255;

function hostPart(t: Target): { dest: string; keyName: string } {
  const ssh = sshHostOf(t);
  if (!ssh) return { dest: 'the host', keyName: 'the host' };
  const dest = `${ssh.user ? ssh.user + '@' : ''}${ssh.host}`;
  return { dest, keyName: ssh.port && ssh.port !== 22 ? `[${ssh.host}]:${ssh.port}` : ssh.host };
}

function sshCommandLine(t: Target, extra = ''): string {
  const ssh = sshHostOf(t);
  const { dest } = hostPart(t);
  const parts = ['ssh'];
  if (ssh?.configFile) parts.push('-F', ssh.configFile);
  if (ssh?.port) parts.push('-p', String(ssh.port));
  if (extra) parts.push(extra);
  parts.push(dest);
  return parts.join(' ');
}

/** Last non-empty lines of a tool's stderr, enough to identify the problem without flooding a dialog. */
export function tail(text: string, lines = 6): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .slice(-lines)
    .join('\n');
}

/**
 * Recognise an ssh failure from its stderr. Returns null when the text shows no ssh problem (then the exit
 * status belongs to the remote command).
 */
export function sshFailure(stderr: string, t: Target): RemoteError | null {
  const where = targetLabel(t);
  const { dest, keyName } = hostPart(t);
  const detail = tail(stderr);
  const ssh = sshHostOf(t);
  const e = (code: RemoteErrorCode, msg: string) => new RemoteError(code, msg, detail);

  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr))
    return e(
      'host-key-changed',
      `${where}: the server's host key has changed since you last connected. If the server was reinstalled ` +
        `or its keys replaced, remove the old key with \`ssh-keygen -R '${keyName}'\` and connect once with ` +
        `\`${sshCommandLine(t)}\` to check and accept the new one. If you did not expect this, do not connect: ` +
        `someone may be intercepting the connection.`,
    );
  if (/Host key verification failed|No \S+ host key is known for/i.test(stderr))
    return e(
      'host-key-unknown',
      `${where}: the server's host key is not known yet, and AIO Tuner never accepts a key silently. Connect ` +
        `once in a terminal with \`${sshCommandLine(t)}\` and confirm the fingerprint, or accept it on first ` +
        `use with \`${sshCommandLine(t, '-o StrictHostKeyChecking=accept-new')} true\`, then try again.`,
    );
  if (
    /Could not resolve hostname|Name or service not known|nodename nor servname|Temporary failure in name resolution/i.test(
      stderr,
    )
  )
    return e(
      'unknown-host',
      `${where}: the host name "${ssh?.host ?? dest}" cannot be resolved. Check the spelling, your DNS or VPN, ` +
        `or define it as a Host in ~/.ssh/config.`,
    );
  if (
    /Permission denied \((?:publickey|.*publickey)/i.test(stderr) ||
    /Too many authentication failures/i.test(stderr)
  )
    return e(
      'auth-refused',
      `${where}: the server refused your key (Permission denied (publickey)). AIO Tuner logs in without ` +
        `prompting, with your SSH keys and agent: install your public key on the server ` +
        `(\`ssh-copy-id ${ssh?.port ? '-p ' + ssh.port + ' ' : ''}${dest}\`), load it into your agent (\`ssh-add\`), or name it ` +
        `with IdentityFile in ~/.ssh/config. Check that the user name is right.`,
    );
  if (/Permission denied/i.test(stderr) && /password|keyboard-interactive/i.test(stderr))
    return e(
      'auth-refused',
      `${where}: the server asked for a password, which AIO Tuner cannot type. Set up key-based login ` +
        `(\`ssh-copy-id ${dest}\`) and try again.`,
    );
  if (/Connection refused/i.test(stderr))
    return e(
      'connection-refused',
      `${where}: connection refused on port ${ssh?.port ?? 22}. Is sshd running on the server, and is this ` +
        `the right port (ssh://user@host:PORT)?`,
    );
  if (
    /Connection timed out|Operation timed out|No route to host|Network is unreachable|timed out during banner/i.test(
      stderr,
    )
  )
    return e(
      'unreachable',
      `${where}: the server cannot be reached (${/No route|unreachable/i.test(stderr) ? 'no route to it' : 'no answer in time'}). ` +
        `Check the address, your network or VPN, and any firewall in between.`,
    );
  if (
    /Bad owner or permissions on|\.ssh\/config.*(?:line \d+|Bad configuration)|Bad configuration option|Can't open user config file|terminating, \d+ bad configuration options/i.test(
      stderr,
    )
  )
    return e('ssh-config', `${where}: ssh rejected its configuration: ${tail(stderr, 2)}`);
  if (
    /client_loop: send disconnect|Connection to .* closed by remote host|Connection reset by|Broken pipe|mux_client_\w+: read header failed|Timeout, server .* not responding|Connection closed by|Control socket connect.*: Connection refused|packet_write_wait|kex_exchange_identification/i.test(
      stderr,
    )
  )
    return e('connection-lost', `connection to ${where} lost: ${tail(stderr, 1)}`);
  return null;
}

/** Recognise a docker CLI failure (local docker, or docker on the SSH host). */
export function dockerFailure(stderr: string, t: Target): RemoteError | null {
  if (t.kind !== 'docker') return null;
  const where = targetLabel(t);
  const on = t.via ? ` on ${targetLabel(t.via)}` : '';
  const detail = tail(stderr);
  const e = (code: RemoteErrorCode, msg: string) => new RemoteError(code, msg, detail);
  const name = t.container;
  if (
    /(?:docker: (?:command )?not found|docker: No such file|exec: "?docker"?: executable file not found|sh: \d*:? *docker: not found|spawn docker ENOENT)/i.test(
      stderr,
    )
  )
    return e(
      'docker-missing',
      `${where}: the docker command is not installed${on || ' on this machine'}. Install Docker (or its CLI) ` +
        `there, or use an ssh:// target for a machine without containers.`,
    );
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i.test(stderr))
    return e(
      'docker-not-running',
      `${where}: the Docker engine is not running${on || ' on this machine'} (cannot connect to the Docker ` +
        `daemon). Start it (\`sudo systemctl start docker\`) and check with \`docker ps\`.`,
    );
  if (/permission denied while trying to connect to the Docker daemon/i.test(stderr))
    return e(
      'docker-permission',
      `${where}: this user may not use Docker${on}. Add it to the docker group ` +
        `(\`sudo usermod -aG docker $USER\`, then log in again), or connect as a user who may.`,
    );
  if (/No such container/i.test(stderr))
    return e(
      'container-missing',
      `${where}: there is no container named "${name}"${on}. List them with \`docker ps -a\`; start one with ` +
        `\`docker run --privileged=true --network host -dit --name ${name} amperecomputingai/pytorch:latest\`.`,
    );
  if (/is not running|is paused|is restarting/i.test(stderr))
    return e(
      'container-not-running',
      `${where}: the container "${name}" exists but is not running${on}. Start it with \`docker start ${name}\`` +
        `${/paused/i.test(stderr) ? ` (or \`docker unpause ${name}\`)` : ''}.`,
    );
  return null;
}

/**
 * Recognise what a workload's launch says about the target itself: a missing numactl or python, or numactl
 * refused by a container without the privileges to bind. Asked about the stderr of a run that ended quickly
 * with a failure status.
 */
export function workloadStartFailure(
  stderr: string,
  status: number | null,
  argv: readonly string[],
  t: Target,
): RemoteError | null {
  const where = targetLabel(t);
  const detail = tail(stderr);
  const e = (code: RemoteErrorCode, msg: string) => new RemoteError(code, msg, detail);
  const inContainer = t.kind === 'docker' || /docker|container/i.test(stderr);
  if (
    /set_mempolicy: Operation not permitted|sched_setaffinity: (?:Operation not permitted|Invalid argument)|mbind: Operation not permitted|numa_sched_setaffinity|migrate_pages: Operation not permitted/i.test(
      stderr,
    )
  )
    return e(
      'numactl-not-permitted',
      `${where}: numactl is not allowed to bind CPUs or memory here${inContainer ? ' (a container without the privileges for it)' : ''}. ` +
        `Start the container with \`--privileged=true\` (or at least \`--cap-add SYS_NICE\`), as Ampere's images ` +
        `expect, or choose CPUs the container may use (its cpuset) and memory policy "none".`,
    );
  if (status !== 127 && status !== 126) return null;
  const missing =
    /(?:^|\s|')([\w./+-]+)'?: (?:command )?not found|env: '?([^':\s]+)'?: No such file or directory|exec: "?([^":\s]+)"?: (?:executable file )?not found|can't execute '([^']+)'/m.exec(
      stderr,
    );
  const tool = missing ? (missing[1] ?? missing[2] ?? missing[3] ?? missing[4] ?? '') : '';
  const base = tool.split('/').pop() ?? '';
  if (base === 'numactl')
    return e(
      'numactl-missing',
      `${where}: numactl is not installed there, so CPUs cannot be bound. Install it (Debian/Ubuntu: ` +
        `\`apt-get install numactl\`; RHEL/Oracle Linux: \`dnf install numactl\`) or set the memory policy to ` +
        `"none" with no CPU selection to run unbound.`,
    );
  if (/^python[\d.]*$/.test(base))
    return e(
      'python-missing',
      `${where}: ${tool} is not found there. Give the interpreter's full path in the workload ` +
        `(e.g. /usr/bin/python3 or /opt/conda/bin/python), or install Python on the target.`,
    );
  if (tool && tool === argv.find((a) => a === tool))
    return e(
      'failed',
      `${where}: \`${tool}\` is not found there (not installed, or not on the remote PATH).`,
    );
  return null;
}
