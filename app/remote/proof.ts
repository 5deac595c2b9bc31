/**
 * Remote proof of placement (issue 13): the TARGET samples its own /proc for the run's process group and
 * streams compact raw records back over the shared connection, one long-lived loop like the remote load
 * sampler (load.ts) instead of one ssh command per sample. The texts are parsed here with the same pure readers
 * as the local sampler (app/run/proof/procfs.ts), so the collector treats both alike.
 *
 * Records, one per line (POSIX sh, no fork per thread: a 160-thread run costs reads, not processes):
 *   T <pid> <the thread's /proc/PID/task/TID/stat line>
 *   A <tid> <its Cpus_allowed_list>
 *   S <tid> <its run-queue wait so far, ns: field 2 of /proc/PID/task/TID/schedstat>
 *   M <pid> <a /proc/PID/numa_maps line>      every MEMORY_EVERY-th tick (reading it costs more)
 *   E <target uptime in s>                    end of one sample
 *
 * Not done yet: perf on the target (counters stay local-only; see the report of issue 13's "perf" helper).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { allowedFromStatus, memoryByNodeFromNumaMaps, parseTaskStat } from '../run/proof/procfs';
import type { RemoteProofSample, RemoteTask } from '../run/proof/remote';
import { helperArgv } from './exec';
import type { RemoteContext } from './ssh';
import type { RemoteTarget } from './url';

// The sample types are the run engine's port (app/run/proof/remote.ts), which collects them.
export type { RemoteProofSample, RemoteTask } from '../run/proof/remote';

export const MEMORY_EVERY = 8;

/**
 * What a run on a target samples at: threads every 0.5 s (each tick also scans every /proc/PID/stat of the target
 * to find the group), numa_maps on the first tick and every 2nd after (1 s: a short run's footprint, loaded in
 * its first seconds, must not be missed; a sh loop over a PyTorch process's ~1,700 mappings costs some ms).
 */
export const RUN_PROOF = { intervalS: 0.5, memoryEvery: 2 };

/**
 * $1 the process group id, $2 the interval (s), $3 read numa_maps every $3-th tick. They are copied first:
 * `set --` reuses $1..$3 to split each stat line (after the comm, whose ")" may hide spaces) into fields.
 */
export const PROOF_LOOP =
  'G=$1; I=$2; K=$3; n=0; while :; do n=$((n+1)); m=0; [ $(((n - 1) % K)) -eq 0 ] && m=1; ' +
  'for s in /proc/[0-9]*/stat; do read -r l < "$s" 2>/dev/null || continue; ' +
  'set -- ${l##*) }; [ "$3" = "$G" ] || continue; p=${s#/proc/}; p=${p%/stat}; ' +
  'for t in /proc/$p/task/[0-9]*; do read -r tl < "$t/stat" 2>/dev/null || continue; echo "T $p $tl"; ' +
  'while read -r k v; do [ "$k" = Cpus_allowed_list: ] && { echo "A ${t##*/} $v"; break; }; done < "$t/status" 2>/dev/null; ' +
  'read -r _ w _ < "$t/schedstat" 2>/dev/null && echo "S ${t##*/} $w"; done; ' +
  'if [ $m = 1 ]; then while read -r ml; do echo "M $p $ml"; done < /proc/$p/numa_maps 2>/dev/null; fi; done; ' +
  'read -r up _ < /proc/uptime; echo "E $up"; sleep "$I"; done';

export function proofLoopArgv(pgid: number, intervalS: number, memoryEvery = MEMORY_EVERY): string[] {
  return [
    'sh',
    '-c',
    PROOF_LOOP,
    'sh',
    String(pgid),
    String(intervalS),
    String(Math.max(1, Math.round(memoryEvery))),
  ];
}

/** Incremental parser of the stream: feed it chunks, it calls back once per complete sample. */
export class ProofStreamParser {
  private buf = '';
  private tasks: RemoteTask[] = [];
  private allowed = new Map<number, number[] | null>();
  private waits = new Map<number, number>();
  private maps = new Map<number, string[]>();

  constructor(private readonly onSample: (s: RemoteProofSample) => void) {}

  push(chunk: string): void {
    this.buf += chunk;
    let at: number;
    while ((at = this.buf.indexOf('\n')) !== -1) {
      this.line(this.buf.slice(0, at));
      this.buf = this.buf.slice(at + 1);
    }
    // A runaway line (not our records at all) must not grow without bound.
    if (this.buf.length > 1024 * 1024) this.buf = '';
  }

  private line(l: string): void {
    const kind = l.slice(0, 2);
    const rest = l.slice(2);
    const sp = rest.indexOf(' ');
    const id = Number(sp < 0 ? rest : rest.slice(0, sp));
    const body = sp < 0 ? '' : rest.slice(sp + 1);
    if (kind === 'T ') {
      const st = parseTaskStat(body);
      if (st && Number.isInteger(id)) this.tasks.push({ ...st, pid: id, allowed: null });
    } else if (kind === 'A ') {
      this.allowed.set(id, allowedFromStatus(`Cpus_allowed_list:\t${body}`));
    } else if (kind === 'S ') {
      const ns = Number(body);
      if (Number.isFinite(ns)) this.waits.set(id, ns / 1e6);
    } else if (kind === 'M ') {
      const list = this.maps.get(id) ?? [];
      list.push(body);
      this.maps.set(id, list);
    } else if (kind === 'E ') {
      const tasks = this.tasks.map((t) => {
        const waitMs = this.waits.get(t.tid);
        return {
          ...t,
          allowed: this.allowed.get(t.tid) ?? null,
          ...(waitMs !== undefined ? { waitMs } : {}),
        };
      });
      const sample: RemoteProofSample = { uptime: Number(body || rest), tasks };
      if (this.maps.size > 0) {
        const total = new Map<number, number>();
        for (const lines of this.maps.values()) {
          for (const [node, bytes] of memoryByNodeFromNumaMaps(lines.join('\n'))) {
            total.set(node, (total.get(node) ?? 0) + bytes);
          }
        }
        sample.memoryByNode = total;
      }
      this.tasks = [];
      this.allowed.clear();
      this.waits.clear();
      this.maps.clear();
      this.onSample(sample);
    }
  }
}

export interface RemoteProofSession {
  /** End the loop on the target (its lifeline ends it there when this client goes). */
  stop(): void;
}

/**
 * Stream proof samples of the process group `pgid` on `target` every `intervalS` seconds (default 0.5 s: each tick scans every /proc/PID/stat of the target to find the group;
 * numa_maps every MEMORY_EVERY-th sample) until stop(). The collector accumulates them as it does local
 * samples. Never throws: a broken connection simply ends the stream.
 */
export function remoteProof(
  target: RemoteTarget,
  ctx: RemoteContext,
  pgid: number,
  onSample: (s: RemoteProofSample) => void,
  opts: { intervalS?: number; memoryEvery?: number } = {},
): RemoteProofSession {
  const [file, ...args] = helperArgv(
    target,
    ctx,
    proofLoopArgv(pgid, opts.intervalS ?? 0.5, opts.memoryEvery),
  );
  let child: ChildProcess | null = null;
  try {
    // stdin stays open and empty: the loop's lifeline on the target.
    child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin!.on('error', () => undefined);
    child.on('error', () => undefined);
    const parser = new ProofStreamParser(onSample);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => parser.push(d));
  } catch {
    child = null;
  }
  return {
    stop() {
      child?.kill('SIGTERM');
      child = null;
    },
  };
}
