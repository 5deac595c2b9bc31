/**
 * Line level classification for the log viewer.
 *
 * The engine prints no level tags (see docs: level 3/4 output is unpublished), so levels are inferred from what
 * is recognisable. A line is never dropped: whatever matches nothing is `info`.
 *
 * | level   | recognised by (first matching row wins)                                                              |
 * |---------|------------------------------------------------------------------------------------------------------|
 * | error   | `Traceback (most recent call last):`, the indented frames after it and the closing `XxxError: …`    |
 * | error   | `FAIL:`/`FAILED`, `ERROR`, `…Error` (e.g. `RuntimeError`), `error:`, `Segmentation fault`,          |
 * |         | `Killed`, `Aborted`, `core dumped`, `Illegal instruction`, `Bus error`, `terminate called`, `Fatal` |
 * | error   | what a failed start prints: `can't open file`, `cannot open`, `No such file`, `command not found`,  |
 * |         | `Permission denied`, `cannot execute`                                                                |
 * | warning | `CAUTION:`, `WARNING`/`WARN`, `…Warning` (e.g. `UserWarning`), `warn`/`warning`, `Unknown DLS variable`|
 * | info    | AML results (`LATENCY`, `THROUGHPUT`, `ACCURACY` blocks, `mean … [ms]`, `pass(es)`, `warm-up runs`) |
 * | info    | engine banner: `Version:`, `AIO_*:`/`DLS_*:`, `CPU_BIND:`, `MEM_BIND:`, `PlatformInfo(`              |
 * | debug   | the word `DEBUG` or `debug`                                                                          |
 * | trace   | the word `TRACE` or `trace`                                                                          |
 * | info    | anything else                                                                                        |
 *
 * Banner/results rows sit above debug/trace so that `AIO_DEBUG_MODE:  4` is info, and below error/warning so that
 * a results line can still never hide a failure printed on the same line.
 *
 * When a run fails (non-zero exit, or a signal it was not stopped with), its last FAILURE_TAIL_LINES stderr
 * lines are raised to at least `warning` (LogIndex.raiseFailureTail): what a program says just before it fails
 * is its reason, whatever the words (`usage: …`), and must show at the default level.
 */

export type Level = 'error' | 'warning' | 'info' | 'debug' | 'trace';

/** Numeric codes, stored per line in the log index (Uint8Array). Lower = more severe. */
export const LEVELS: readonly Level[] = ['error', 'warning', 'info', 'debug', 'trace'];
export const LEVEL_CODE: Readonly<Record<Level, number>> = {
  error: 0,
  warning: 1,
  info: 2,
  debug: 3,
  trace: 4,
};

const TRACEBACK_HEAD = /^\s*Traceback \(most recent call last\):/;
// Python re-raises print these between two tracebacks; they belong to the error report.
const TRACEBACK_CHAIN = /^(During handling of the above exception|The above exception was the direct cause)/;
// `Error\b`, not `[A-Za-z]*Error\b`: the same lines match (the prefix may be empty), but the prefixed form
// rescans every run of letters from each of its positions, quadratic in a long word (1 KB of "xxx…" took ~1 ms a
// line and stalled the engine while it indexed a log).
const ERROR_RE =
  /\bFAIL(?:ED|URE)?\b|\bERROR\b|Error\b|\berror:|Segmentation fault|\bKilled\b|\bAborted\b|core dumped|Illegal instruction|\bBus error|terminate called|\bFatal\b|\bFATAL\b|\bpanic:/;
// A program that could not start what it was asked to (the interpreter, the shell, exec itself) says so this way.
const START_FAILURE_RE =
  /can't open file|cannot open|No such file\b|command not found|Permission denied|cannot execute/;
const WARNING_RE = /\bCAUTION\b|\bWARN(?:ING)?\b|Warning\b|\bwarn(?:ing|ings)?\b|Unknown DLS variable/;
const INFO_RE =
  /^\s*(?:LATENCY|THROUGHPUT|ACCURACY)\b|^\s*(?:mean|median|p90|p99|p99\.9|observed|inverted)\s+[-\d.]+\s*\[|pass\(es\) through the network|warm-up runs? ha(?:s|ve) not been considered|^\s*Version:|^\s*(?:AIO|DLS)_[A-Z0-9_]+:|^\s*(?:CPU_BIND|MEM_BIND|NUM_THREADS):|PlatformInfo\(/;
const DEBUG_RE = /\bDEBUG\b|\bdebug\b/;
const TRACE_RE = /\bTRACE\b|\btrace\b/;

/** Stateless classification of one (ANSI-stripped) line; ignores traceback context. */
export function classifyLine(text: string): Level {
  if (TRACEBACK_HEAD.test(text) || ERROR_RE.test(text) || START_FAILURE_RE.test(text)) return 'error';
  if (WARNING_RE.test(text)) return 'warning';
  if (INFO_RE.test(text)) return 'info';
  if (DEBUG_RE.test(text)) return 'debug';
  if (TRACE_RE.test(text)) return 'trace';
  return 'info';
}

/**
 * Classification with Python traceback context. Keep one per stream: tracebacks arrive on stderr and an
 * interleaved stdout line must not end them.
 */
export class LineClassifier {
  private inTraceback = false;

  classify(text: string): Level {
    if (TRACEBACK_HEAD.test(text)) {
      this.inTraceback = true;
      return 'error';
    }
    if (this.inTraceback) {
      // Frames and source lines are indented; the first flush-left line is the exception itself and ends it.
      if (/^\s/.test(text) || text === '') return 'error';
      this.inTraceback = false;
      return 'error';
    }
    if (TRACEBACK_CHAIN.test(text)) return 'error';
    return classifyLine(text);
  }

  reset(): void {
    this.inTraceback = false;
  }
}

/** How many of a failed run's last stderr lines are raised to at least `warning`. */
export const FAILURE_TAIL_LINES = 10;

/** The level a line on a failed run's stderr tail gets: at least `warning`. */
export function raisedAtFailure(level: Level): Level {
  return LEVEL_CODE[level] > LEVEL_CODE.warning ? 'warning' : level;
}

/**
 * Levels worth showing for an AIO_DEBUG_MODE value, mirroring what the engine emits at that mode:
 * 0/1 → errors, 2 → + warnings and info (engine default), 3 → + debug, 4 → everything.
 */
export function levelsForDebugMode(mode: number | null): Level[] {
  const m = mode ?? 2;
  if (m <= 1) return ['error'];
  if (m === 2) return ['error', 'warning', 'info'];
  if (m === 3) return ['error', 'warning', 'info', 'debug'];
  return [...LEVELS];
}
