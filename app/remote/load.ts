/**
 * Live per-CPU load of a target: one long-lived remote loop prints /proc/stat every 0.4 s over the shared
 * connection, instead of one ssh command per sample. Same numbers as the local sampler (parseProcStat,
 * loadBetween); same start/stop shape, so the load watcher does not care where they come from.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadBetween, parseProcStat, type CpuLoad } from '../run/load';
import { helperArgv } from './exec';
import type { RemoteContext } from './ssh';
import type { RemoteTarget } from './url';

export interface LoadSource {
  start(onSample: (load: CpuLoad[]) => void): void;
  stop(): void;
  /**
   * Load since the last tick, read now (a run just ended and its last moments must count). Sources that
   * cannot read on demand (the remote loop) leave it out.
   */
  sampleNow?(): CpuLoad[] | null;
}

const SEPARATOR = '@@AIO_TUNER_STAT@@';
const LOOP = `while :; do cat /proc/stat || exit 1; echo ${SEPARATOR}; sleep 0.4; done`;
const RESTART_MS = 3000;

export class RemoteLoadSampler implements LoadSource {
  private child: ChildProcess | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly target: RemoteTarget,
    private readonly ctx: RemoteContext,
  ) {}

  start(onSample: (load: CpuLoad[]) => void): void {
    this.stop();
    this.running = true;
    this.spawnLoop(onSample);
  }

  private spawnLoop(onSample: (load: CpuLoad[]) => void): void {
    const [file, ...args] = helperArgv(this.target, this.ctx, ['sh', '-c', LOOP]);
    // stdin stays open and empty: the loop's lifeline (lifeline.ts) ends it there when this client goes.
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin!.on('error', () => undefined);
    this.child = child;
    let buf = '';
    let prev: ReturnType<typeof parseProcStat> | null = null;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      buf += d;
      let at: number;
      while ((at = buf.indexOf(SEPARATOR)) !== -1) {
        const cur = parseProcStat(buf.slice(0, at));
        buf = buf.slice(at + SEPARATOR.length + 1);
        if (cur.size === 0) continue;
        if (prev) onSample(loadBetween(prev, cur));
        prev = cur;
      }
      // A runaway stream without separators (not /proc/stat at all) must not grow without bound.
      if (buf.length > 4 * 1024 * 1024) buf = '';
    });
    child.on('error', () => undefined);
    child.on('close', () => {
      if (this.child !== child || !this.running) return;
      this.child = null;
      // The connection dropped or the target rebooted: keep trying quietly while someone wants load.
      this.restartTimer = setTimeout(() => this.running && this.spawnLoop(onSample), RESTART_MS);
      this.restartTimer.unref();
    });
  }

  stop(): void {
    this.running = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    // Ending the local client closes the loop's stdin there, and its lifeline ends it (docker exec would
    // otherwise keep it running forever: the engine drains its output, so no SIGPIPE ever comes).
    this.child?.kill('SIGTERM');
    this.child = null;
  }
}
