/**
 * A local run's processes: its process group (the leader's pid), plus whatever left the group (setsid) or was
 * started outside it but holds the run's output pipes (RunProcesses), watched by the reaper in case this
 * process dies first.
 */
import { performance } from 'node:perf_hooks';
import { kill, sleep, type ProcGroup } from './procgroup';
import { processesMemory, RunProcesses, streamLink } from './proctree';
import { unwatchRun, watchRun } from './reaper';

const RSS_SAMPLE_MS = 200;

export class LocalGroup implements ProcGroup {
  private readonly procs: RunProcesses;

  /**
   * Call right after spawn: the leader's stdout/stderr are then still our pipes (it has only just exec'd).
   * `fifos`: the links of the run's output FIFOs (fifos.ts), when it has them.
   */
  constructor(
    readonly leader: number,
    private readonly graceMs: number,
    fifos: readonly string[] = [],
  ) {
    const pipes = new Set(
      [streamLink(leader, 1, fifos), streamLink(leader, 2, fifos)].filter((n) => n !== null),
    );
    this.procs = new RunProcesses(leader, pipes);
    watchRun(leader, pipes, graceMs);
  }

  signal(sig: NodeJS.Signals): void {
    kill(-this.leader, sig);
    // Those that left the group (setsid) or were started outside it but hold its output.
    for (const p of this.procs.scan(true)) if (p.pgrp !== this.leader) kill(p.pid, sig);
  }

  killNow(): void {
    this.signal('SIGKILL');
  }

  leftovers(): number {
    return this.procs.scan(true).length;
  }

  async reap(): Promise<void> {
    if (this.leftovers() === 0) return;
    this.signal('SIGTERM');
    const deadline = performance.now() + this.graceMs;
    while (this.leftovers() > 0 && performance.now() < deadline) await sleep(50);
    if (this.leftovers() > 0) {
      this.signal('SIGKILL');
      await sleep(25);
    }
  }

  sampleMemory(peak: (bytes: number) => void): () => void {
    let busy = false;
    let stopped = false;
    // A scan of all /proc in one go would stop the draining of the run's pipes meanwhile (allProcessesAsync).
    const sample = (): void => {
      if (busy) return;
      busy = true;
      void this.procs
        .scanAsync()
        .then((procs) => processesMemory(procs))
        .then((m) => {
          if (m && !stopped) peak(Math.max(m.rssBytes, m.maxHwmBytes));
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    };
    // A first early sample so short runs still report something.
    const first = setTimeout(sample, 20).unref();
    const timer = setInterval(sample, RSS_SAMPLE_MS).unref();
    return () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
    };
  }

  close(): void {
    unwatchRun(this.leader);
  }
}
