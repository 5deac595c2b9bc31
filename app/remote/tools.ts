/**
 * A remote target as a place to run the support bundle's collectors: each tool call and file read is one
 * command over the shared connection. Missing tools look like they do locally (ENOENT), so the collectors
 * turn them into the same "not installed" notes.
 */
import type { ToolHost, ToolRun } from '../bundle/collect-system';
import type { TargetSession } from '../bundle/bundle';
import { randomBytes } from 'node:crypto';
import { RemoteError } from './errors';
import { runOnTarget } from './exec';
import { parseProbeOutput } from './probe-script';
import type { RemoteContext } from './ssh';
import { targetLabel, type RemoteTarget } from './url';

// $1 cwd ('' = stay), then env assignments up to "--", then the command.
const RUN = 'd=$1; shift; [ -z "$d" ] || cd -- "$d" || exit 97; exec env "$@"';
const READ = 'cat -- "$1" 2>/dev/null || { echo "@@AIO_TUNER_NOFILE@@" >&2; exit 1; }';
// The login directory, then the environment, NUL-separated. busybox's env may lack -0; /proc never does.
export const SESSION_SCRIPT = 'printf "%s\\0" "$(pwd)"; env -0 2>/dev/null || cat /proc/self/environ';
// $1 the marker's nonce, then the paths: each file between markers in the probe's format (probe-script.ts), so
// an absent or unreadable file is told from an empty one by cat's status, and contents cannot fake a marker.
const READ_MANY = [
  'M="@@AIO_TUNER_$1@@"; shift',
  'printf "%s V 1\\n" "$M"',
  'for p in "$@"; do printf "%s F %s\\n" "$M" "$p"; cat -- "$p" 2>/dev/null; s=$?; printf "\\n%s E %s\\n" "$M" "$s"; done',
  'printf "%s V end\\n" "$M"',
].join('\n');
// One argument of a remote command may not exceed 128 KiB (MAX_ARG_STRLEN) once ssh has joined and quoted it:
// larger batches are split, and the parts go concurrently over the shared connection.
const READ_MANY_CHARS = 24 * 1024;

/**
 * What a run on the target inherits: a command through the same connection starts the way the launch wrapper
 * does (ssh's login shell, or docker exec's container environment), so its environment and directory are the
 * run's. Null when the target does not answer: the bundle is still written, without them.
 */
export async function remoteSession(t: RemoteTarget, ctx: RemoteContext): Promise<TargetSession | null> {
  try {
    return await readSession(t, ctx);
  } catch {
    return null;
  }
}

/** remoteSession for callers that must report why the target did not answer: throws RemoteError. */
export async function readSession(t: RemoteTarget, ctx: RemoteContext): Promise<TargetSession> {
  const r = await runOnTarget(t, ctx, ['sh', '-c', SESSION_SCRIPT], { timeoutMs: 20_000 });
  if (r.exitCode !== 0)
    throw new RemoteError(
      'failed',
      `${targetLabel(t)}: the session environment could not be read (exit status ${r.exitCode ?? r.signal})`,
      r.stderr,
    );
  return parseSession(r.stdout);
}

/** Split paths into batches whose quoted arguments stay well below one remote argument's limit. */
function batches(paths: readonly string[]): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const p of paths) {
    if (cur.length > 0 && size + p.length + 3 > READ_MANY_CHARS) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(p);
    size += p.length + 3;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * Many files of the target in one command per batch (one round trip instead of one per file); each answer is
 * what `read` gives for that path: the contents, or null when absent, unreadable or the target did not answer.
 */
export async function readManyOnTarget(
  t: RemoteTarget,
  ctx: RemoteContext,
  paths: readonly string[],
): Promise<(string | null)[]> {
  // A newline would end the marker line early; no /proc or /sys path has one.
  const wanted = [...new Set(paths.filter((p) => p !== '' && !p.includes('\n')))];
  const got = new Map<string, string>();
  await Promise.all(
    batches(wanted).map(async (part) => {
      const nonce = randomBytes(8).toString('hex');
      try {
        const r = await runOnTarget(t, ctx, ['sh', '-c', READ_MANY, 'sh', nonce, ...part], {
          timeoutMs: 20_000,
        });
        // Files whose end marker came back are whole even when the command was cut short after them.
        for (const [path, content] of parseProbeOutput(r.stdout, nonce).files) got.set(path, content);
      } catch {
        // The target did not answer: these files read as unreadable, as `read` has it.
      }
    }),
  );
  return paths.map((p) => got.get(p) ?? null);
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

export function remoteToolHost(
  t: RemoteTarget,
  ctx: RemoteContext,
): ToolHost & { readMany(paths: readonly string[]): Promise<(string | null)[]> } {
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
    readMany: (paths) => readManyOnTarget(t, ctx, paths),
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
