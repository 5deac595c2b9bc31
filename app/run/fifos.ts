/**
 * Output pipes for a local run that are real pipes. Node (libuv) gives a child socket pairs for 'pipe' stdio,
 * and a workload's write() into a Unix socket costs it far more than into a pipe: a Python loop printing
 * 1,000,000 lines ran ~2x longer into a socket pair than into `| cat` on the same machine (bench (a)). That is
 * the tool slowing what it measures, so a local run's stdout and stderr are named pipes (FIFOs), opened here
 * and unlinked at once, which the kernel treats exactly as `|` pipes.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OutputFifos {
  /** The write ends, for the child's fd 1 and 2; close them here once it is spawned (closeWriteEnds). */
  write: [number, number];
  /** The read ends, as streams. */
  stdout: Socket;
  stderr: Socket;
  /** What /proc/<pid>/fd/N shows for a process holding one of them. */
  links: string[];
  closeWriteEnds(): void;
}

/** Two FIFOs for a run's output, or null when they cannot be made here (then the caller uses Node's pipes). */
export function outputFifos(): OutputFifos | null {
  let dir: string | null = null;
  const fds: number[] = [];
  try {
    dir = mkdtempSync(join(tmpdir(), 'aio-tuner-out-'));
    const paths = [join(dir, '1'), join(dir, '2')];
    if (spawnSync('mkfifo', ['-m', '600', ...paths], { stdio: 'ignore' }).status !== 0) return null;
    // The read end first, non-blocking, so opening the write end does not wait for a reader; the write end
    // stays blocking, as a workload expects of its stdout.
    for (const p of paths) {
      fds.push(openSync(p, constants.O_RDONLY | constants.O_NONBLOCK));
      fds.push(openSync(p, constants.O_WRONLY));
    }
    const [r1, w1, r2, w2] = fds as [number, number, number, number];
    const stdout = new Socket({ fd: r1, readable: true, writable: false });
    const stderr = new Socket({ fd: r2, readable: true, writable: false });
    let open = true;
    return {
      write: [w1, w2],
      stdout,
      stderr,
      // Unlinked below, so the kernel names them "<path> (deleted)".
      links: paths.map((p) => `${p} (deleted)`),
      closeWriteEnds() {
        if (!open) return;
        open = false;
        closeSync(w1);
        closeSync(w2);
      },
    };
  } catch {
    for (const fd of fds)
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    return null;
  } finally {
    // Open ends keep the pipes alive; the names are not needed, and nothing is left behind if the tool dies.
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}
