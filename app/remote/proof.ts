/**
 * Remote proof of placement (issue 13): the TARGET samples its own /proc for the run's process group and
 * streams compact raw records back over the shared connection, one long-lived loop like the remote load
 * sampler (load.ts) instead of one ssh command per sample. The texts are parsed here with the same pure readers
 * as the local sampler (app/run/proof/procfs.ts), so the collector treats both alike.
 *
 * Records, one per line (POSIX sh, no fork per thread or per CPU: a 160-thread run costs reads, not processes):
 *   T <pid> <the thread's /proc/PID/task/TID/stat line>
 *   A <tid> <its Cpus_allowed_list>
 *   S <tid> <its run-queue wait so far, ns: field 2 of /proc/PID/task/TID/schedstat>
 *   M <pid> <a /proc/PID/numa_maps line>      every memoryEvery-th tick (reading it costs more)
 *   F <cpu> <scaling_cur_freq, kHz>           every freqEvery-th tick, for each selected CPU that has cpufreq
 *   H <cpu> <thermal throttle events>         with F, for each CPU with x86 thermal_throttle counts
 *   C <ticks> <start>                         the loop's own utime+stime+cutime+cstime and start time (ticks)
 *   E <target uptime in s>                    end of one sample
 * and once, about perf:
 *   X missing                                 perf is not on the target's PATH (first)
 *   K <perf_event_paranoid>, P <line of perf's -o file>, Q <line of perf's stderr>   when the loop ends
 *   X late                                    the group was gone before perf could attach
 *   Z                                         the loop's end: nothing follows
 *
 * perf: on the first tick that finds the group, the loop starts `perf stat -x, --no-big-num -o FILE -e EVENTS
 * -p PIDS` in the background on every process of the group (the wrapper, its watcher and the workload: the
 * wrapper forks the workload right after reporting the group id, so it is there by the time the loop looks;
 * processes forked later are counted through perf's inheritance). The events are the local ones (perf.ts):
 * the software and generic ones always, the raw arm64 ones only where the target's PMU lists them. When a tick
 * finds the group empty (the run ended) the loop sends perf SIGINT, waits for it, sends its file back and ends:
 * stop() here waits for that end, which comes at most one interval after the run's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { allowedFromStatus, memoryByNodeFromNumaMaps, parseTaskStat } from '../run/proof/procfs';
import { GENERIC_HW, PMU_EVENTS, SOFTWARE } from '../run/proof/pmu-events';
import type { RemotePerf, RemoteProofEnd, RemoteProofSample, RemoteTask } from '../run/proof/remote';
import { helperArgv } from './exec';
import type { RemoteContext } from './ssh';
import type { RemoteTarget } from './url';

// The sample types are the run engine's port (app/run/proof/remote.ts), which collects them.
export type { RemotePerf, RemoteProofEnd, RemoteProofSample, RemoteTask } from '../run/proof/remote';

export const MEMORY_EVERY = 8;

/**
 * What a run on a target samples at: threads every 0.5 s (each tick also scans every /proc/PID/stat of the target
 * to find the group), numa_maps on the first tick and every 2nd after (1 s: a short run's footprint, loaded in
 * its first seconds, must not be missed; a sh loop over a PyTorch process's ~1,700 mappings costs some ms),
 * frequencies every 2nd tick (1 s; a local run reads them every 0.5 s, but each costs the loop a read per CPU),
 * and perf's counters.
 */
export const RUN_PROOF = { intervalS: 0.5, memoryEvery: 2, freqEvery: 2, perf: true };

/** How long stop() waits for the loop's end (perf's counts) once the run has ended. */
export const END_GRACE_MS = 5000;

/**
 * $1 the process group id, $2 the interval (s), $3 read numa_maps every $3-th tick, $4 frequencies every $4-th,
 * $5 the CPUs whose frequency is read (space-separated; '' = the online ones), $6 perf's events (comma-separated;
 * '' = no perf), $7 the raw PMU events to add where the target lists them (space-separated). They are copied
 * first: `set --` reuses $1.. to split each stat line (after the comm, whose ")" may hide spaces) into fields.
 */
export const PROOF_LOOP =
  'G=$1; I=$2; K=$3; FK=$4; FC=$5; EV=$6; PE=$7; n=0; P=; pp=; o=${TMPDIR:-/tmp}/aio-tuner-perf-$$; ' +
  'd=/sys/devices/system/cpu; ' +
  'if [ -z "$FC" ]; then read -r on < $d/online 2>/dev/null; IFS=,; for r in $on; do a=${r%-*}; b=${r#*-}; ' +
  'while [ "$a" -le "$b" ]; do FC="$FC $a"; a=$((a+1)); done; done; unset IFS; fi; ' +
  'F=; H=; for c in $FC; do [ -r $d/cpu$c/cpufreq/scaling_cur_freq ] && F="$F $c"; ' +
  '[ -d $d/cpu$c/thermal_throttle ] && H="$H $c"; done; ' +
  'if [ -n "$EV" ]; then if command -v perf >/dev/null 2>&1; then P=1; for e in $PE; do ' +
  'for f in /sys/bus/event_source/devices/*/events/$e; do [ -e "$f" ] && { EV="$EV,$e"; break; }; done; done; ' +
  'else echo "X missing"; fi; fi; ' +
  'while :; do n=$((n+1)); m=0; [ $(((n - 1) % K)) -eq 0 ] && m=1; g=; ' +
  'for s in /proc/[0-9]*/stat; do read -r l < "$s" 2>/dev/null || continue; ' +
  'set -- ${l##*) }; [ "$3" = "$G" ] || continue; p=${s#/proc/}; p=${p%/stat}; g="$g,$p"; ' +
  'for t in /proc/$p/task/[0-9]*; do read -r tl < "$t/stat" 2>/dev/null || continue; echo "T $p $tl"; ' +
  'while read -r k v; do [ "$k" = Cpus_allowed_list: ] && { echo "A ${t##*/} $v"; break; }; done < "$t/status" 2>/dev/null; ' +
  'read -r _ w _ < "$t/schedstat" 2>/dev/null && echo "S ${t##*/} $w"; done; ' +
  'if [ $m = 1 ]; then while read -r ml; do echo "M $p $ml"; done < /proc/$p/numa_maps 2>/dev/null; fi; done; ' +
  'if [ -n "$P" ] && [ -z "$pp" ] && [ -n "$g" ]; then ' +
  'perf stat -x, --no-big-num -o "$o" -e "$EV" -p "${g#,}" >/dev/null 2>"$o.e" & pp=$!; fi; ' +
  'if [ $(((n - 1) % FK)) -eq 0 ]; then ' +
  'for c in $F; do read -r f < $d/cpu$c/cpufreq/scaling_cur_freq 2>/dev/null && echo "F $c $f"; done; ' +
  'for c in $H; do t=; for x in core package; do ' +
  'read -r v < $d/cpu$c/thermal_throttle/${x}_throttle_count 2>/dev/null && t=$((${t:-0} + v)); done; ' +
  '[ -n "$t" ] && echo "H $c $t"; done; fi; ' +
  'read -r l < /proc/$$/stat; set -- ${l##*) }; echo "C $((${12} + ${13} + ${14} + ${15})) ${20}"; ' +
  'read -r up _ < /proc/uptime; echo "E $up"; [ -n "$g" ] || break; sleep "$I"; done; ' +
  'if [ -n "$pp" ]; then kill -INT "$pp" 2>/dev/null; wait "$pp"; ' +
  'read -r pa < /proc/sys/kernel/perf_event_paranoid 2>/dev/null; echo "K $pa"; ' +
  'while IFS= read -r l; do echo "P $l"; done 2>/dev/null < "$o"; ' +
  'while IFS= read -r l; do echo "Q $l"; done 2>/dev/null < "$o.e"; rm -f "$o" "$o.e"; ' +
  'elif [ -n "$P" ]; then echo "X late"; fi; echo Z';

export interface ProofLoopOptions {
  /** Read numa_maps every memoryEvery-th tick. */
  memoryEvery?: number;
  /** Read the frequencies every freqEvery-th tick. */
  freqEvery?: number;
  /** The CPUs whose frequency is read; empty = every online CPU of the target. */
  cpus?: readonly number[];
  /** Run perf stat on the group (where the target has perf). */
  perf?: boolean;
}

export function proofLoopArgv(pgid: number, intervalS: number, opts: ProofLoopOptions = {}): string[] {
  const every = (n: number | undefined, dflt: number) => String(Math.max(1, Math.round(n ?? dflt)));
  return [
    'sh',
    '-c',
    PROOF_LOOP,
    'sh',
    String(pgid),
    String(intervalS),
    every(opts.memoryEvery, MEMORY_EVERY),
    every(opts.freqEvery, 1),
    (opts.cpus ?? []).filter((c) => Number.isInteger(c) && c >= 0).join(' '),
    opts.perf ? [...SOFTWARE, ...GENERIC_HW].join(',') : '',
    opts.perf ? PMU_EVENTS.map((e) => e.name).join(' ') : '',
  ];
}

/** Incremental parser of the stream: feed it chunks, it calls back once per complete sample, and at the end. */
export class ProofStreamParser {
  private buf = '';
  private tasks: RemoteTask[] = [];
  private allowed = new Map<number, number[] | null>();
  private waits = new Map<number, number>();
  private maps = new Map<number, string[]>();
  private freq = new Map<number, number>();
  private throttle = new Map<number, number>();
  private loop: RemoteProofSample['loop'];
  private perfState: 'missing' | 'late' | null = null;
  private perfText: string[] = [];
  private perfErr: string[] = [];
  private paranoid: number | null = null;
  private ranPerf = false;
  /** Whether the loop's end (`Z`) was read. */
  ended = false;

  constructor(
    private readonly onSample: (s: RemoteProofSample) => void,
    private readonly onEnd: (perf: RemotePerf | null) => void = () => undefined,
  ) {}

  /** What the loop has said of perf so far (all of it once `ended`). */
  perf(): RemotePerf | null {
    if (this.perfState) return { state: this.perfState };
    if (!this.ranPerf) return null;
    return {
      state: 'ran',
      text: this.perfText.join('\n'),
      stderr: this.perfErr.join('\n'),
      paranoid: this.paranoid,
    };
  }

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
    } else if (kind === 'F ' || kind === 'H ') {
      const v = Number(body);
      if (Number.isInteger(id) && id >= 0 && body !== '' && Number.isFinite(v))
        (kind === 'F ' ? this.freq : this.throttle).set(id, v);
    } else if (kind === 'C ') {
      const start = Number(body);
      if (Number.isFinite(id) && body !== '' && Number.isFinite(start))
        this.loop = { ticks: id, startTicks: start };
    } else if (kind === 'E ') {
      this.endSample(Number(body || rest));
    } else if (kind === 'X ') {
      if (rest === 'missing' || rest === 'late') this.perfState = rest;
    } else if (kind === 'K ') {
      this.ranPerf = true;
      const n = Number(rest);
      this.paranoid = rest !== '' && Number.isFinite(n) ? n : null;
    } else if (kind === 'P ') {
      this.perfText.push(rest);
    } else if (kind === 'Q ') {
      if (this.perfErr.length < 200) this.perfErr.push(rest);
    } else if (l === 'Z') {
      this.ended = true;
      this.onEnd(this.perf());
    }
  }

  private endSample(uptime: number): void {
    const tasks = this.tasks.map((t) => {
      const waitMs = this.waits.get(t.tid);
      return {
        ...t,
        allowed: this.allowed.get(t.tid) ?? null,
        ...(waitMs !== undefined ? { waitMs } : {}),
      };
    });
    const sample: RemoteProofSample = { uptime, tasks };
    if (this.maps.size > 0) {
      const total = new Map<number, number>();
      const byPid = new Map<number, Map<number, number>>();
      for (const [pid, lines] of this.maps) {
        const nodes = memoryByNodeFromNumaMaps(lines.join('\n'));
        byPid.set(pid, nodes);
        for (const [node, bytes] of nodes) total.set(node, (total.get(node) ?? 0) + bytes);
      }
      sample.memoryByNode = total;
      sample.memoryByPid = byPid;
    }
    if (this.freq.size > 0) sample.freqKHz = this.freq;
    if (this.throttle.size > 0) sample.throttle = this.throttle;
    if (this.loop) sample.loop = this.loop;
    this.tasks = [];
    this.allowed.clear();
    this.waits.clear();
    this.maps.clear();
    this.freq = new Map();
    this.throttle = new Map();
    this.loop = undefined;
    this.onSample(sample);
  }
}

export interface RemoteProofSession {
  /**
   * Wait (up to the grace time) for the loop's end, which comes once the run's group is gone on the target and
   * brings perf's counts, then end the client (the lifeline ends whatever is left there).
   */
  stop(): Promise<RemoteProofEnd>;
}

/**
 * Stream proof samples of the process group `pgid` on `target` every `intervalS` seconds (default 0.5 s: each
 * tick scans every /proc/PID/stat of the target to find the group) until the group is gone. The collector
 * accumulates them as it does local samples. Never throws: a broken connection simply ends the stream.
 */
export function remoteProof(
  target: RemoteTarget,
  ctx: RemoteContext,
  pgid: number,
  onSample: (s: RemoteProofSample) => void,
  opts: ProofLoopOptions & { intervalS?: number; graceMs?: number } = {},
): RemoteProofSession {
  const graceMs = opts.graceMs ?? END_GRACE_MS;
  const [file, ...args] = helperArgv(target, ctx, proofLoopArgv(pgid, opts.intervalS ?? 0.5, opts));
  let child: ChildProcess | null = null;
  let finished: () => void = () => undefined;
  const over = new Promise<void>((resolve) => (finished = resolve));
  const parser = new ProofStreamParser(onSample, () => finished());
  try {
    // stdin stays open and empty: the loop's lifeline on the target.
    child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdin!.on('error', () => undefined);
    child.on('error', () => finished());
    child.on('close', () => finished());
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => parser.push(d));
  } catch {
    child = null;
    finished();
  }
  let result: Promise<RemoteProofEnd> | null = null;
  return {
    stop() {
      result ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([over, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
        clearTimeout(timer);
        child?.kill('SIGTERM');
        child = null;
        return { perf: parser.perf(), complete: parser.ended, graceMs, container: target.kind === 'docker' };
      })();
      return result;
    },
  };
}
