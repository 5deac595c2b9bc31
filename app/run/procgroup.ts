/**
 * The processes of one run, as the runner drives them: signal them, end what is left once the leader has
 * ended, sample their memory. Local runs (procgroup-local.ts) reach their process group through kill(2) and
 * /proc; remote runs (procgroup-remote.ts) through the wrapper on the target and the ssh/docker client here.
 */

export interface ProcGroup {
  /** Signal every process of the run (remote: TERM or KILL there; a hang-up is passed on as TERM). */
  signal(sig: NodeJS.Signals): void;
  /** For process exit handlers, where nothing asynchronous can run: SIGKILL whatever is reachable now. */
  killNow(): void;
  /** Processes of the run still alive that this machine can see (remote runs: none). */
  leftovers(): number;
  /** End what is left of the group: SIGTERM, then SIGKILL after the grace time; resolves when done. */
  reap(): Promise<void>;
  /** Sample the group's memory until the returned function is called; each sample (bytes) goes to `peak`. */
  sampleMemory(peak: (bytes: number) => void): () => void;
  /** The run is over and reaped: forget it (its pids may be reused). */
  close(): void;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Send `sig` to one process or (negative) a process group; one already gone is not an error. */
export function kill(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // ESRCH: already gone.
  }
}
