/**
 * Every helper the tool starts on a target (load sampler, probe, rss/kill/reap commands, the run's wrapper)
 * ends when the local client that started it goes away, whatever the reason (Stop, normal end, Ctrl-C, a
 * timeout, a killed CLI, a dropped connection).
 *
 * Neither transport does this by itself: `docker exec` never signals its process when the client leaves (the
 * engine keeps draining its output, so not even SIGPIPE comes), and over ssh a loop that writes nothing, or a
 * channel kept by a multiplexing master, outlives its client too. What both do reliably is close the remote
 * process's stdin when the client is gone (ssh closes the channel; `docker exec -i` closes the exec's stdin
 * when its attach ends). So the local side keeps a pipe open on the client's stdin and never writes to it, and
 * on the target a watcher reads that stdin until end-of-file, then ends what it guards.
 *
 * POSIX gives a non-interactive shell's background lists /dev/null as stdin, so the watcher gets the real one
 * through fd 4 explicitly. It reads with the `read` builtin, so it is one process that `kill` ends at once when
 * the guarded command finishes first.
 */

/**
 * sh script: runs "$@" (stdin /dev/null) and exits with its status; when stdin reaches end-of-file first, ends
 * the whole process group of this command (docker exec and sshd give each command a group of its own).
 */
export const LIFELINE =
  'exec 4<&0; "$@" </dev/null 4<&- & p=$!; ' +
  '{ while read -r _; do :; done; kill -TERM 0; } <&4 >/dev/null 2>&1 & w=$!; ' +
  'exec 4<&-; wait "$p"; s=$?; kill "$w" 2>/dev/null; exit "$s"';

/** argv that runs `argv` on the target guarded by the lifeline (the local client must keep stdin open). */
export function withLifeline(argv: readonly string[]): string[] {
  return ['sh', '-c', LIFELINE, 'sh', ...argv];
}

/**
 * The run wrapper's watcher (see launch.ts), started inside the workload's own session with the lifeline on
 * fd 4 and the group id in $g: on end-of-file it sends TERM to the group, waits for the wrapper ($$) to see the
 * workload end (up to $G tenths of a second), then KILLs what is left of the group, itself included.
 */
export const RUN_WATCHER =
  '{ while read -r _; do :; done; trap "" TERM; kill -TERM -"$g" 2>/dev/null; i=0; ' +
  'while kill -0 "$$" 2>/dev/null && [ "$i" -lt "$G" ]; do sleep 0.1; i=$((i+1)); done; ' +
  'kill -KILL -"$g" 2>/dev/null; } <&4 >/dev/null 2>&1 & w=$!; exec 4<&-; ';
