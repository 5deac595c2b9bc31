/**
 * A remote target as a place to run the support bundle's collectors: each tool call and file read is one
 * command over the shared connection. Missing tools look like they do locally (ENOENT), so the collectors
 * turn them into the same "not installed" notes.
 */
import type { ToolHost, ToolRun } from '../bundle/collect-system';
import type { TargetSession } from '../bundle/bundle';
import { RemoteError } from './errors';
import { runOnTarget } from './exec';
import type { RemoteContext } from './ssh';
import { targetLabel, type RemoteTarget } from './url';

// $1 cwd ('' = stay), then env assignments up to "--", then the command.
const RUN = 'd=$1; shift; [ -z "$d" ] || cd -- "$d" || exit 97; exec env "$@"';
const READ = 'cat -- "$1" 2>/dev/null || { echo "@@AIO_TUNER_NOFILE@@" >&2; exit 1; }';
// The login directory, then the environment, NUL-separated. busybox's env may lack -0; /proc never does.
export const SESSION_SCRIPT = 'printf "%s\\0" "$(pwd)"; env -0 2>/dev/null || cat /proc/self/environ';

/**
 * What a run on the target inherits: a command through the same connection starts the way the launch wrapper
 * does (ssh's login shell, or docker exec's container environment), so its environment and directory are the
 * run's. Null when the target does not answer: the bundle is still written, without them.
 */
export async function remoteSession(t: RemoteTarget, ctx: RemoteContext): Promise<TargetSession | null> {
  try {
    const r = await runOnTarget(t, ctx, ['sh', '-c', SESSION_SCRIPT], { timeoutMs: 20_000 });
    return r.exitCode === 0 ? parseSession(r.stdout) : null;
  } catch {
    return null;
  }
}

/** SESSION_SCRIPT's output: the directory, then NAME=value entries, all NUL-terminated. */
export function parseSession(out: string): TargetSession {
  const [cwd = '', ...pairs] = out.split('\0');
  const env: Record<string, string> = {};
  for (const kv of pairs) {
    const eq = kv.indexOf('=');
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return { env, cwd: cwd.startsWith('/') ? cwd : null };
}

export function remoteToolHost(t: RemoteTarget, ctx: RemoteContext): ToolHost {
  const where = targetLabel(t);
  const failed = (e: unknown): ToolRun => ({
    stdout: '',
    stderr: '',
    exitCode: null,
    signal: null,
    timedOut: false,
    spawnError: Object.assign(new Error(e instanceof RemoteError ? e.message : String(e)), {
      code: 'EREMOTE',
    }),
  });
  return {
    where,
    async run(cmd, args, opts) {
      const assigns = Object.entries(opts.env ?? {})
        .filter((e): e is [string, string] => e[1] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e[0]))
        .map(([k, v]) => `${k}=${v}`);
      try {
        const r = await runOnTarget(
          t,
          ctx,
          ['sh', '-c', RUN, 'sh', opts.cwd ?? '', ...assigns, cmd, ...args],
          {
            timeoutMs: opts.timeoutMs ?? 20_000,
          },
        );
        // env's "No such file or directory" (127): the same as a local spawn ENOENT for the collectors.
        const missing = r.exitCode === 127 && /No such file or directory|not found/i.test(r.stderr);
        return {
          stdout: r.stdout,
          stderr: missing ? '' : r.stderr,
          exitCode: r.exitCode,
          signal: r.signal,
          timedOut: r.timedOut,
          spawnError: missing
            ? Object.assign(new Error(`${cmd}: not found on ${where}`), { code: 'ENOENT' })
            : null,
        };
      } catch (e) {
        return failed(e);
      }
    },
    async read(path) {
      try {
        const r = await runOnTarget(t, ctx, ['sh', '-c', READ, 'sh', path], { timeoutMs: 20_000 });
        return r.exitCode === 0 ? r.stdout : null;
      } catch {
        return null;
      }
    },
    async which(cmd) {
      try {
        const r = await runOnTarget(t, ctx, ['sh', '-c', 'command -v "$1"', 'sh', cmd], {
          timeoutMs: 20_000,
        });
        const path = r.stdout.trim();
        return r.exitCode === 0 && path !== '' ? path : null;
      } catch {
        return null;
      }
    },
  };
}
