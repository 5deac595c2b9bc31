/**
 * Running a command on a target: the one place that knows how ssh and docker exec nest, and how their own
 * failures are told apart from the command's.
 */
import { spawn } from 'node:child_process';
import { dockerExecArgv } from './docker';
import { dockerFailure, RemoteError, sshFailure, SSH_ERROR_STATUS, tail } from './errors';
import { withLifeline } from './lifeline';
import { sshArgv, sshControlArgv, type RemoteContext } from './ssh';
import { targetLabel, type RemoteTarget } from './url';

/** Local argv that runs `remoteArgv` on the target (exactly that argv: quoting for ssh is done here). */
export function targetArgv(
  t: RemoteTarget,
  ctx: RemoteContext,
  remoteArgv: readonly string[],
  opts: { stdin?: boolean } = {},
): string[] {
  if (t.kind === 'ssh') return sshArgv(t, ctx, remoteArgv);
  const docker = dockerExecArgv(t, remoteArgv, opts);
  return t.via ? sshArgv(t.via, ctx, docker) : docker;
}

/**
 * Local argv that runs a helper command on the target guarded by the lifeline (lifeline.ts): it ends when the
 * local client does. The client must be started with `holdStdin`.
 */
export function helperArgv(t: RemoteTarget, ctx: RemoteContext, remoteArgv: readonly string[]): string[] {
  return targetArgv(t, ctx, withLifeline(remoteArgv), { stdin: true });
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  /** errno code when the local program (ssh, docker) could not start. */
  spawnError: string | null;
  timedOut: boolean;
}

const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Run a local argv to completion, with optional stdin text and a time limit. Never rejects. `holdStdin` keeps
 * an empty stdin pipe open until the program ends: the lifeline of a helper started with helperArgv.
 */
export function execLocal(
  argv: readonly string[],
  opts: { input?: string; timeoutMs?: number; holdStdin?: boolean } = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let spawnError: string | null = null;
    const child = spawn(file!, args, {
      stdio: [opts.input === undefined && !opts.holdStdin ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const keep = (into: Buffer[]) => (d: Buffer) => {
      if (size < MAX_OUTPUT) into.push(d);
      size += d.length;
    };
    child.stdout!.on('data', keep(out));
    child.stderr!.on('data', keep(err));
    // EPIPE when the remote side exits before reading the whole script: its exit status tells the story.
    child.stdin?.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const timer =
      opts.timeoutMs === undefined
        ? null
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e.code ?? e.message));
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code,
        signal,
        spawnError,
        timedOut,
      });
    });
  });
}

/**
 * The transport's own failure in a finished command, or null when the exit status is the remote command's.
 * ssh reports its errors with status 255; docker with 125 (daemon, container) or a plain 1 from the CLI.
 */
export function transportFailure(t: RemoteTarget, r: ExecResult): RemoteError | null {
  const where = targetLabel(t);
  if (r.spawnError === 'ENOENT') {
    const viaSsh = t.kind === 'ssh' || t.via !== null;
    return viaSsh
      ? new RemoteError(
          'ssh-missing',
          `${where}: the ssh client is not installed on this machine (OpenSSH: \`apt-get install openssh-client\`).`,
        )
      : (dockerFailure('spawn docker ENOENT', t) ??
          new RemoteError('docker-missing', `${where}: docker is not installed`));
  }
  if (r.spawnError)
    return new RemoteError('failed', `${where}: cannot start the local client: ${r.spawnError}`);
  const viaSsh = t.kind === 'ssh' || t.via !== null;
  if (viaSsh && r.exitCode === SSH_ERROR_STATUS) {
    const e = sshFailure(r.stderr, t);
    if (e) return e;
  }
  if (t.kind === 'docker' && r.exitCode !== 0) {
    const e = dockerFailure(r.stderr, t);
    if (e) return e;
  }
  if (viaSsh && r.exitCode === SSH_ERROR_STATUS && !/\S/.test(r.stdout))
    return new RemoteError(
      'failed',
      `${where}: ssh failed: ${tail(r.stderr, 2) || 'no message'}`,
      tail(r.stderr),
    );
  return null;
}

/**
 * Run a command on the target, guarded by the lifeline (a timeout or a killed client leaves nothing running
 * there); transport failures throw RemoteError, the command's own status is returned.
 */
export async function runOnTarget(
  t: RemoteTarget,
  ctx: RemoteContext,
  remoteArgv: readonly string[],
  opts: { timeoutMs?: number } = {},
): Promise<ExecResult> {
  const r = await execLocal(helperArgv(t, ctx, remoteArgv), { ...opts, holdStdin: true });
  const failure = transportFailure(t, r);
  if (failure) throw failure;
  if (r.timedOut)
    throw new RemoteError(
      'unreachable',
      `${targetLabel(t)}: no answer within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s`,
    );
  return r;
}

/**
 * Run a POSIX sh script on the target. It travels as one argument (`sh -c`), quoted for ssh by shJoin, so
 * stdin stays free for the lifeline; a few kilobytes are far below any argument limit.
 */
export function runScript(
  t: RemoteTarget,
  ctx: RemoteContext,
  script: string,
  opts: { timeoutMs?: number; args?: string[] } = {},
): Promise<ExecResult> {
  return runOnTarget(t, ctx, ['sh', '-c', script, 'sh', ...(opts.args ?? [])], {
    timeoutMs: opts.timeoutMs,
  });
}

/** PID of the running master connection to the target's SSH host, or null when there is none. */
export async function masterPid(t: RemoteTarget, ctx: RemoteContext): Promise<number | null> {
  const ssh = t.kind === 'ssh' ? t : t.via;
  if (!ssh) return null;
  const r = await execLocal(sshControlArgv(ssh, ctx, 'check'), { timeoutMs: 5000 });
  const m = /pid=(\d+)/.exec(r.stderr + r.stdout);
  return r.exitCode === 0 && m ? Number(m[1]) : null;
}

/** Close the master connection (app quit, tests); ongoing commands through it end too. */
export async function closeMaster(t: RemoteTarget, ctx: RemoteContext): Promise<void> {
  const ssh = t.kind === 'ssh' ? t : t.via;
  if (!ssh) return;
  await execLocal(sshControlArgv(ssh, ctx, 'exit'), { timeoutMs: 5000 });
}

/**
 * Let go of the master connection without ending anything: it stops taking new sessions (the next command
 * opens a new one) and exits once the sessions going through it (another process's run, say) have ended.
 * What a one-shot command that shares $AIO_TUNER_HOME with the app does when it is done.
 */
export async function releaseMaster(t: RemoteTarget, ctx: RemoteContext): Promise<void> {
  const ssh = t.kind === 'ssh' ? t : t.via;
  if (!ssh) return;
  await execLocal(sshControlArgv(ssh, ctx, 'stop'), { timeoutMs: 5000 });
}
