/**
 * A watcher that outlives the tool: when the process running workloads dies without cleaning up (SIGKILL, a
 * crash, the OOM killer), the runs it started must not go on under PID 1. One small detached `sh` per process
 * reads the list of live runs from a pipe; when the pipe closes (the tool is gone, however it ended) it ends
 * what is left of each listed run: its process group, its session, and whoever still holds its output pipes,
 * with SIGTERM, then SIGKILL after the grace time. A run that ends normally is taken off the list first.
 *
 * What this cannot find after a SIGKILL of the tool: a process that left the run's session (`setsid`) and no
 * longer holds its stdout/stderr (output redirected elsewhere). While the tool lives, the runner also follows
 * descendants (see RunProcesses), so such a process is still ended by Stop and at the run's end.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const SCRIPT = `
trap '' HUP INT TERM
runs=''
while read -r op leader pipes; do
  case "$op" in
    +) runs="$runs
$leader $pipes" ;;
    -) runs=$(printf '%s\\n' "$runs" | grep -v "^$leader ") ;;
  esac
done
[ -n "$(printf '%s' "$runs" | tr -d '[:space:]')" ] || exit 0
end() {
  printf '%s\\n' "$runs" | while read -r leader pipes; do
    [ -n "$leader" ] || continue
    kill -"$1" -- "-$leader" 2>/dev/null
    pkill -"$1" -s "$leader" 2>/dev/null
    for p in $pipes; do
      find /proc/[0-9]*/fd -maxdepth 1 -lname "$p" 2>/dev/null |
        cut -d/ -f3 | sort -u |
        while read -r pid; do kill -"$1" "$pid" 2>/dev/null; done
    done
  done
}
end TERM
sleep "$1"
end KILL
`;

let reaper: ChildProcess | null = null;
let broken = false;

function watcher(graceS: number): ChildProcess | null {
  if (broken || process.platform !== 'linux') return null;
  if (reaper) return reaper;
  try {
    const r = spawn('/bin/sh', ['-c', SCRIPT, 'aio-tuner-reaper', String(graceS)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      cwd: '/',
    });
    r.on('error', () => (broken = true));
    r.stdin?.on('error', () => (broken = true));
    r.on('exit', () => {
      if (reaper === r) reaper = null;
    });
    // Neither the watcher nor its pipe may keep the tool's event loop alive.
    r.unref();
    (r.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    reaper = r;
    return r;
  } catch {
    broken = true;
    return null;
  }
}

/** Put a local run on the watcher's list: its leader (= process group = session id) and its output pipes. */
export function watchRun(leader: number, pipes: Iterable<string>, graceMs: number): void {
  const r = watcher(Math.max(1, Math.ceil(graceMs / 1000)));
  r?.stdin?.write(`+ ${leader} ${[...pipes].map(lnamePattern).join(' ')}\n`);
}

/** The run has ended and been reaped: take it off the list (its pid may be reused later). */
export function unwatchRun(leader: number): void {
  reaper?.stdin?.write(`- ${leader}\n`);
}

/**
 * An fd link as a `find -lname` pattern that matches only itself: glob characters escaped, and blanks (the
 * list is split on them, and a FIFO's link ends in " (deleted)") matched by `?`.
 */
export function lnamePattern(link: string): string {
  return link.replace(/[[\]*?\\]/g, '\\$&').replace(/\s/g, '?');
}
