/**
 * Known failures recognised in a run's output (issue 14): the catalogue is data — each entry's signature (a
 * pattern over one output line, and/or how the run ended), cause, fix and where the signature comes from — and a
 * scanner that watches the output as it streams. Bounded whatever the workload prints: only the first
 * MATCH_CHARS of a line are looked at, and a line is only split out of a chunk that holds a signature's anchor.
 */
import type { KnownFailureCode } from '../shared/doctor';
import type { Evidence, Finding, FindingFix } from '../shared/findings';

/** How much of one output line is matched: every signature sits at the start of its line, well within this. */
export const MATCH_CHARS = 4096;

/** How the run ended, for signatures that are an exit rather than a line. */
export interface ExitFacts {
  exitCode: number | null;
  signal: string | null;
  /** Ended by the tool (Stop, Ctrl-C, time limit): a SIGKILL it sent is not the kernel's. */
  endedByTool: boolean;
  /**
   * The kernel's word on an OOM kill of the run's processes: lines of its log naming them; [] when the log was
   * read and says nothing; null when it could not be read (remote runs, kernel.dmesg_restrict).
   */
  kernelOom: Evidence[] | null;
}

export interface KnownFailure {
  code: KnownFailureCode;
  /** A line of output that carries the failure; the match's groups feed `message` and `fix`. */
  line?: RegExp;
  /** Lines that look alike but are another failure (e.g. CUDA's out of memory). */
  notLine?: RegExp;
  /** An ending that is the failure by itself (with its evidence), or null. */
  exit?: (e: ExitFacts) => Evidence[] | null;
  severity: 'error' | 'warning';
  /** What happened and why, given the first matching line (null when the ending alone raised it). */
  message: (m: RegExpExecArray | null) => string;
  fix: (m: RegExpExecArray | null) => FindingFix;
  /** Where the signature and its fix come from (README table). */
  source: string;
  /** The signature, as the README table shows it. */
  signature: string;
}

export const KNOWN_FAILURES: readonly KnownFailure[] = [
  {
    code: 'static-tls-libgomp',
    // glibc's dl-tls/dl-reloc error, e.g. "OSError: /…/torch/lib/libgomp-d22c30c5.so.1: cannot allocate memory in
    // static TLS block": the library it names is the one to preload.
    line: /(\/[^\s:'"]+\.so[\w.-]*): cannot allocate memory in static TLS block/,
    severity: 'error',
    signature: '`<library>.so…: cannot allocate memory in static TLS block`',
    message: (m) =>
      `The dynamic loader could not place ${m?.[1] ?? 'a library'}'s thread-local storage in the static TLS ` +
      `block: a library with static TLS (libgomp on aarch64 most often) was loaded late, after others had ` +
      `used the block up. Preloading it makes the loader place it first.`,
    fix: (m) => ({
      label: `Preload the library the message names (LD_PRELOAD=${m?.[1] ?? '<library>'}), as Ampere's scripts do`,
      ...(m?.[1] ? { patch: { env: { LD_PRELOAD: m[1] } }, command: `export LD_PRELOAD=${m[1]}` } : {}),
    }),
    source:
      'glibc elf/dl-reloc.c; https://github.com/pytorch/pytorch/issues/2575; ' +
      'https://github.com/AmpereComputingAI/ampere_model_library/pull/161',
  },
  {
    code: 'mempolicy-not-permitted',
    // numactl's perror() when the kernel refuses the memory policy: a container without CAP_SYS_NICE (Docker's
    // seccomp profile gates set_mempolicy/mbind on it).
    line: /\b(set_mempolicy|mbind|setting membind|get_mempolicy): Operation not permitted/,
    severity: 'error',
    signature: '`set_mempolicy: Operation not permitted` (also `mbind:`, `setting membind:`)',
    message: (m) =>
      `The kernel refused the memory policy (${m?.[1] ?? 'set_mempolicy'}: Operation not permitted): this runs ` +
      `in a container without the SYS_NICE capability, which Docker's seccomp profile requires for NUMA memory ` +
      `policies. The run's memory binding did not happen.`,
    fix: () => ({
      label:
        'Start the container with --cap-add SYS_NICE, or ask for --preferred (a preference, not a binding) instead',
      patch: { memPolicy: 'preferred' },
      command: 'docker run --cap-add SYS_NICE …',
    }),
    source:
      'numactl 2.0.x (perror("set_mempolicy")); https://github.com/moby/moby/issues/37241; ' +
      'https://github.com/kvcache-ai/ktransformers/issues/350',
  },
  {
    code: 'cpu-not-allowed',
    // numactl 2.0.x: "sched_setaffinity: Invalid argument" when no CPU asked for may run, and libnuma's
    // "cpu argument N is out of range" when a CPU is outside the process's allowed set (a cpuset, a container).
    line: /sched_setaffinity: Invalid argument|libnuma: Warning: cpu argument (\d+) is out of range|failed to set pid \d+'s affinity: Invalid argument/,
    severity: 'error',
    signature:
      "`sched_setaffinity: Invalid argument`, `libnuma: Warning: cpu argument N is out of range`, taskset's `failed to set pid N's affinity: Invalid argument`",
    message: (m) =>
      `The CPUs asked for are not all in the set this process may run on${m?.[1] ? ` (CPU ${m[1]} is not)` : ''}: ` +
      `a container's --cpuset-cpus, a cgroup cpuset or offline CPUs narrow it, and the binding was refused.`,
    fix: () => ({
      label:
        'Pick CPUs from the allowed set (Cpus_allowed_list in /proc/self/status; the map marks the others)',
      command: 'grep Cpus_allowed_list /proc/self/status',
    }),
    source:
      'numactl 2.0.x (perror("sched_setaffinity"), libnuma "cpu argument %d is out of range"); ' +
      'https://github.com/numactl/numactl/issues/127; https://github.com/numactl/numactl/issues/186',
  },
  {
    code: 'oom-killed',
    // Python's MemoryError, PyTorch's CPU allocator, and plain "out of memory" — not CUDA's, which is the GPU's.
    line: /\bMemoryError\b|DefaultCPUAllocator: can't allocate memory|\b[Oo]ut of memory\b/,
    notLine: /CUDA|cuda|static TLS/,
    exit: (e) => {
      if (e.signal !== 'SIGKILL' || e.endedByTool || !e.kernelOom?.length) return null;
      return [{ source: 'how the run ended', value: 'SIGKILL (not sent by AIO Tuner)' }, ...e.kernelOom];
    },
    severity: 'error',
    signature:
      "`MemoryError`, `DefaultCPUAllocator: can't allocate memory`, `out of memory` (not CUDA), or an end by SIGKILL the kernel log ties to its OOM killer",
    message: (m) =>
      m
        ? 'The workload ran out of memory: too many instances (each holds its own copy of the model), or the ' +
          "engine's merged linear weights, need more than the machine (or its container) has."
        : "The kernel's OOM killer ended the run (SIGKILL): too many instances, or the engine's merged linear " +
          'weights, need more memory than the machine (or its container) has.',
    fix: () => ({
      label:
        'Run fewer instances, or set AIO_MERGE_LINEAR=0 (the engine then keeps no merged copy of the weights)',
      patch: { env: { AIO_MERGE_LINEAR: '0' } },
    }),
    source:
      'Linux mm/oom_kill.c ("Out of memory: Killed process"); Python MemoryError; PyTorch c10 alloc_cpu.cpp; ' +
      'Ampere AIO documentation (AIO_MERGE_LINEAR)',
  },
  {
    code: 'threads-mismatch-refused',
    // AML's run scripts refuse to start: thread count missing, or AIO_NUM_THREADS and OMP_NUM_THREADS differing.
    line: /AIO_NUM_THREADS=(\S+) inconsistent with OMP_NUM_THREADS=(\S+?)!?$|Number of intra threads to use is not set!/,
    severity: 'error',
    signature:
      '`AIO_NUM_THREADS=… inconsistent with OMP_NUM_THREADS=…!`, `Number of intra threads to use is not set!`',
    message: (m) =>
      m?.[1] !== undefined
        ? `The workload refused to start: AIO_NUM_THREADS=${m[1]} and OMP_NUM_THREADS=${m[2]} differ, and ` +
          `Ampere Model Library scripts require them equal.`
        : 'The workload refused to start: Ampere Model Library scripts need the thread count in AIO_NUM_THREADS ' +
          'or OMP_NUM_THREADS, and neither was set.',
    fix: (m) => {
      const n = m?.[2] ?? m?.[1];
      return n !== undefined && /^\d+$/.test(n)
        ? { label: `Set both to ${n}`, patch: { env: { AIO_NUM_THREADS: n, OMP_NUM_THREADS: n } } }
        : { label: 'Set the threads (--threads N sets AIO_NUM_THREADS and OMP_NUM_THREADS alike)' };
    },
    source: 'Ampere Model Library utils/benchmark.py (its thread check); examples/bench.py thread_count()',
  },
];

// A chunk is split into lines only when it holds one of these: most output never is.
const ANCHOR =
  /static TLS block|Operation not permitted|sched_setaffinity|is out of range|affinity: Invalid|MemoryError|can't allocate memory|ut of memory|inconsistent with OMP_NUM_THREADS|intra threads/;

interface Hit {
  first: RegExpExecArray;
  text: string;
  count: number;
}

/**
 * Watches a run's output (as bytes arrive, per stream) and says at the end which known failures it saw. Keeps
 * at most MATCH_CHARS of an unfinished line per stream, and the first matching line of each failure.
 */
export class KnownFailureScanner {
  private readonly carry = new Map<string, string>();
  private readonly hits = new Map<KnownFailureCode, Hit>();

  push(stream: string, bytes: Buffer): void {
    // Only a line's head is matched: a 10 MB line costs its first MATCH_CHARS, not 10 MB of regex work.
    const text = (this.carry.get(stream) ?? '') + bytes.toString('utf8');
    const lastNl = text.lastIndexOf('\n');
    const done = lastNl < 0 ? '' : text.slice(0, lastNl);
    const rest = lastNl < 0 ? text : text.slice(lastNl + 1);
    this.carry.set(stream, rest.slice(0, MATCH_CHARS));
    if (done && ANCHOR.test(done)) for (const line of done.split('\n')) this.line(line);
  }

  /** One whole line (a saved log read line by line); only its first MATCH_CHARS are looked at. */
  pushLine(text: string): void {
    this.line(text);
  }

  private line(raw: string): void {
    const line = raw.slice(0, MATCH_CHARS).replace(/\r$/, '');
    if (!ANCHOR.test(line)) return;
    for (const k of KNOWN_FAILURES) {
      if (!k.line || (k.notLine && k.notLine.test(line))) continue;
      const m = k.line.exec(line);
      if (!m) continue;
      const hit = this.hits.get(k.code);
      if (hit) hit.count++;
      else this.hits.set(k.code, { first: m, text: line, count: 1 });
    }
  }

  /** The findings, once the run has ended (an unfinished last line counts too). */
  finish(exit: ExitFacts): Finding[] {
    for (const rest of this.carry.values()) if (rest) this.line(rest);
    this.carry.clear();
    return knownFailureFindings(this.hits, exit);
  }
}

function knownFailureFindings(hits: Map<KnownFailureCode, Hit>, exit: ExitFacts): Finding[] {
  const out: Finding[] = [];
  for (const k of KNOWN_FAILURES) {
    const hit = hits.get(k.code);
    const ended = k.exit?.(exit) ?? null;
    if (!hit && !ended) continue;
    const m = hit?.first ?? null;
    const evidence: Evidence[] = [];
    if (hit)
      evidence.push({
        source: `the run's output${hit.count > 1 ? ` (first of ${hit.count} such lines)` : ''}`,
        value: hit.text.length > 500 ? `${hit.text.slice(0, 500)}…` : hit.text,
      });
    if (ended) evidence.push(...ended);
    out.push({ code: k.code, severity: k.severity, message: k.message(m), evidence, fix: k.fix(m) });
  }
  return out;
}

/** Known failures in a whole text (a saved log's lines): the scanner over it at once. */
export function knownFailuresIn(text: string, exit: ExitFacts): Finding[] {
  const s = new KnownFailureScanner();
  s.push('all', Buffer.from(text.endsWith('\n') ? text : `${text}\n`));
  return s.finish(exit);
}
