/**
 * `docker exec` into a running container, on this machine or on an SSH host. Nothing is copied into the
 * container: every command is `sh` with an inline script or one on stdin.
 */
import type { DockerTarget } from './url';

/** argv of `docker exec` running `innerArgv` in the container; `-i` only when stdin carries data. */
export function dockerExecArgv(
  t: DockerTarget,
  innerArgv: readonly string[],
  opts: { stdin?: boolean } = {},
): string[] {
  // `--` is not accepted by `docker exec`; container names are validated (no leading "-") instead.
  return ['docker', 'exec', ...(opts.stdin ? ['-i'] : []), t.container, ...innerArgv];
}
