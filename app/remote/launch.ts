/**
 * Starting a workload on a target so that the run engine can treat it like a local one.
 *
 * The remote side is a one-line POSIX sh wrapper (no file is copied anywhere):
 *   1. cd to the run's directory and check that the programs exist, so "numactl is not installed there" is a
 *      clear start error and not numactl's or env's terse failure inside the log;
 *   2. start a new session (setsid) so the workload is its own process group, and print that group's id as
 *      the first line: Stop then signals exactly that group through the multiplexed connection;
 *   3. run the workload as a child (not exec) and print its exit status last. ssh answers 255 both for "the
 *      connection broke" and for a remote process killed by a signal, so only this report tells a workload's
 *      end from a dropped connection.
 * Both reports carry a random nonce; the runner consumes them and never logs them.
 */
import { randomBytes } from 'node:crypto';
import type { LaunchSpec } from '../run/launch';
import type { RemoteControl, RemoteEnd, RemoteLaunch } from '../run/runner';
import { RemoteError, tail, workloadStartFailure } from './errors';
import { runOnTarget, runScript, transportFailure, targetArgv } from './exec';
import { RUN_WATCHER } from './lifeline';
import { remoteProof, RUN_PROOF } from './proof';
import type { RemoteContext } from './ssh';
import { targetLabel, type RemoteTarget } from './url';

export type { LaunchSpec };

// $1 nonce, $2 cwd ('' = stay), $3 $4 programs to check ('' = none), $5 the wrapper, then the argv to run.
const LAUNCH =
  'N=$1; D=$2; P1=$3; P2=$4; W=$5; shift 5; ' +
  'if [ -n "$D" ]; then cd -- "$D" 2>/dev/null || { printf "aio-tuner: the working directory %s does not exist on the target\\n" "$D" >&2; exit 97; }; fi; ' +
  'for P in "$P1" "$P2"; do [ -n "$P" ] || continue; ' +
  'case $P in */*) [ -f "$P" ] && [ -x "$P" ] ;; *) command -v "$P" >/dev/null 2>&1 ;; esac || ' +
  '{ printf "@@AIO_TUNER_%s@@ MISSING %s\\n" "$N" "$P"; exit 98; }; done; ' +
  'if setsid -w true 2>/dev/null; then exec setsid -w sh -c "$W" "$N" "$@"; fi; ' +
  'if command -v setsid >/dev/null 2>&1; then exec setsid sh -c "$W" "$N" "$@"; fi; ' +
  'exec sh -c "$W" "$N" "$@"';

// Inside the new session. $0 is the nonce. The group id is read from /proc rather than assumed to be $$, for
// a target without setsid. TERM/INT/HUP are trapped (not ignored, which the workload would inherit) so the
// wrapper outlives a Stop long enough to report how the workload ended. The wrapper's own stderr goes to
// /dev/null (the workload keeps the real one, set up in a subshell: dash prints job status through the
// redirections of the command it waits for): sh would otherwise add "Terminated" to the log.
// The workload's stdin is /dev/null; the wrapper's own stdin is the lifeline (lifeline.ts): when the local
// client goes away (a killed CLI, a dropped connection) the watcher ends the workload's group.
const WRAP =
  'read -r _ _ _ _ g _ < /proc/$$/stat 2>/dev/null || g=$$; ' +
  'printf "@@AIO_TUNER_%s@@ PGID %s\\n" "$0" "$g"; ' +
  'trap : TERM INT HUP; exec 4<&0 </dev/null; G=30; ' +
  RUN_WATCHER +
  'exec 3>&2 2>/dev/null; ( exec 2>&3 3>&-; exec "$@" ); s=$?; kill "$w" 2>/dev/null; ' +
  'printf "@@AIO_TUNER_%s@@ EXIT %s\\n" "$0" "$s"; exit "$s"';

const KILL_SCRIPT = 'kill -"$1" -"$2" 2>/dev/null; exit 0';

// dash's kill rejects "--"; a negative pid right after the signal works in dash, bash and busybox.
// TERM the group, wait up to $2 tenths of a second, then KILL what is left.
// Prints "none" when nothing was left, "stopped" otherwise.
const REAP_SCRIPT =
  'kill -0 -"$1" 2>/dev/null || { echo none; exit 0; }; kill -TERM -"$1" 2>/dev/null; i=0; ' +
  'while kill -0 -"$1" 2>/dev/null && [ "$i" -lt "$2" ]; do sleep 0.1; i=$((i+1)); done; ' +
  'kill -KILL -"$1" 2>/dev/null; echo stopped; exit 0';

/** Sum of rss pages of the group's processes (stat field 24) × page size; grep narrows the lines first. */
const RSS_SCRIPT = 'getconf PAGESIZE; grep -hs -- " $1 " /proc/[0-9]*/stat; exit 0';

export function wrappedArgv(spec: LaunchSpec, nonce: string): string[] {
  const envPrefix =
    Object.keys(spec.env).length > 0 || (spec.unset?.length ?? 0) > 0
      ? [
          'env',
          ...(spec.unset ?? []).flatMap((n) => ['-u', n]),
          ...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        ]
      : [];
  const first = spec.argv[0] ?? '';
  const program = spec.program && spec.program !== first ? spec.program : '';
  return ['sh', '-c', LAUNCH, 'sh', nonce, spec.cwd ?? '', first, program, WRAP, ...envPrefix, ...spec.argv];
}

/** Parse `rss` output: page size, then /proc/PID/stat lines. */
export function groupRss(output: string, pgid: number): number | null {
  const [pageLine, ...lines] = output.split('\n');
  const page = Number(pageLine);
  if (!Number.isInteger(page) || page <= 0) return null;
  let sum = 0;
  for (const line of lines) {
    const close = line.lastIndexOf(')');
    if (close < 0) continue;
    const f = line.slice(close + 2).split(' ');
    // f[0] is field 3 (state): pgrp is field 5, rss field 24.
    if (Number(f[2]) !== pgid || f[0] === 'Z') continue;
    sum += Number(f[21]) * page || 0;
  }
  return sum;
}

export function remoteLaunch(t: RemoteTarget, ctx: RemoteContext, spec: LaunchSpec): RemoteLaunch {
  const nonce = randomBytes(8).toString('hex');
  const where = targetLabel(t);
  const control = new RegExp(`@@AIO_TUNER_${nonce}@@ (PGID|EXIT|MISSING) (.*)$`);
  const quiet = async (argv: string[], timeoutMs: number): Promise<void> => {
    await runOnTarget(t, ctx, argv, { timeoutMs }).catch(() => undefined);
  };

  return {
    // stdin: the local end keeps it open as the wrapper's lifeline.
    argv: targetArgv(t, ctx, wrappedArgv(spec, nonce), { stdin: true }),
    control(line: string): RemoteControl | null {
      const m = control.exec(line);
      if (!m) return null;
      const before = line.slice(0, m.index);
      if (m[1] === 'MISSING') return { kind: 'missing', program: m[2]!, before };
      const value = Number(m[2]);
      if (!Number.isInteger(value)) return null;
      return { kind: m[1] === 'PGID' ? 'pgid' : 'exit', value, before };
    },
    signal: (pgid, sig) => quiet(['sh', '-c', KILL_SCRIPT, 'sh', sig, String(pgid)], 20_000),
    reap: (pgid, graceMs) =>
      quiet(
        ['sh', '-c', REAP_SCRIPT, 'sh', String(pgid), String(Math.ceil(graceMs / 100))],
        graceMs + 20_000,
      ),
    async rss(pgid) {
      try {
        const r = await runOnTarget(t, ctx, ['sh', '-c', RSS_SCRIPT, 'sh', String(pgid)], {
          timeoutMs: 10_000,
        });
        return groupRss(r.stdout, pgid);
      } catch {
        return null;
      }
    },
    proof: (pgid, o, onSample) => remoteProof(t, ctx, pgid, onSample, { ...RUN_PROOF, cpus: o.cpus }),
    async explain(e: RemoteEnd) {
      // 1. The wrapper reported how the workload ended: only a recognised start failure needs words.
      if (e.exitStatus !== null) {
        const f = workloadStartFailure(e.stderr, e.exitStatus, spec.argv, t);
        return f ? { startError: f.message } : {};
      }
      // 2. The wrapper never started the workload.
      if (e.pgid === null) {
        if (e.missing !== null) {
          const f = workloadStartFailure(`${e.missing}: not found`, 127, spec.argv, t);
          return {
            startError: f?.message ?? `${where}: cannot start: \`${e.missing}\` not found on the target`,
          };
        }
        if (e.clientStatus === 97)
          return { startError: `${where}: the working directory ${spec.cwd} does not exist there` };
        const transport = transportFailure(t, {
          stdout: '',
          stderr: e.stderr,
          exitCode: e.clientStatus,
          signal: null,
          spawnError: null,
          timedOut: false,
        });
        if (transport) return { startError: transport.message };
        return {
          startError: `${where}: the workload could not be started (status ${e.clientStatus}): ${tail(e.stderr, 2) || 'no message'}`,
        };
      }
      // 3. It started, and its end was never reported: the connection went away. Try once to stop what may
      // still run there, now unwatched, and say whether that worked.
      const ssh = transportFailure(t, {
        stdout: '',
        stderr: e.stderr,
        exitCode: e.clientStatus,
        signal: null,
        spawnError: null,
        timedOut: false,
      });
      const cause =
        ssh && ssh.code !== 'connection-lost' ? ssh.message : tail(e.stderr, 1) || 'the connection closed';
      let after: string;
      try {
        const r = await runScript(t, ctx, `${REAP_SCRIPT}\n`, {
          args: [String(e.pgid), '30'],
          timeoutMs: 20_000,
        });
        after = /stopped/.test(r.stdout)
          ? `the workload was still running there and has been stopped (process group ${e.pgid})`
          : /none/.test(r.stdout)
            ? `nothing of it runs there any more (process group ${e.pgid})`
            : `process group ${e.pgid} may still run there`;
      } catch (err) {
        const why = err instanceof RemoteError ? err.code : 'unreachable';
        after = `the target is ${why === 'connection-lost' ? 'still unreachable' : 'unreachable now'}, so process group ${e.pgid} may still run there`;
      }
      return {
        connectionLost: `connection to ${where} lost: ${cause.replace(/^.*?lost: /, '')}. The log so far is kept; ${after}.`,
      };
    },
  };
}

/** The few quick commands the UI's "Test" button runs: can we log in, and what is there? */
export async function quickCheck(t: RemoteTarget, ctx: RemoteContext): Promise<string> {
  const r = await runOnTarget(t, ctx, ['uname', '-srm'], { timeoutMs: 30_000 });
  return r.stdout.trim();
}
