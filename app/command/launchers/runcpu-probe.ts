/**
 * How the workload's interpreter spells run_cpu's flags, read from its own `python -m
 * torch.backends.xeon.run_cpu --help` (importing torch takes seconds, so each interpreter is asked once per
 * process and the answer kept). Null: the interpreter has no run_cpu (or could not be asked); the launcher then
 * writes its documented default.
 */
import { runTool, type ToolHost } from '../../util/tool';
import { RUN_CPU_MODULE, type RunCpuSpelling } from './run-cpu';

/** The interpreter run_cpu runs under: the workload's own when it is a `python…`, else `python3`. */
export function runCpuInterpreter(workload: readonly string[]): string {
  const first = workload[0] ?? '';
  return /^python[\d.]*$/.test(first.slice(first.lastIndexOf('/') + 1)) ? first : 'python3';
}

/** The spelling a --help text shows, or null when it is not run_cpu's help. */
export function spellingOfHelp(help: string): RunCpuSpelling | null {
  if (/--core-list\b/.test(help)) return 'hyphen';
  if (/--core_list\b/.test(help)) return 'underscore';
  return null;
}

const answers = new Map<string, Promise<RunCpuSpelling | null>>();
const known = new Map<string, RunCpuSpelling | null>();

function keyOf(interpreter: string, on?: ToolHost): string {
  return JSON.stringify([on?.where ?? null, interpreter]);
}

/** Ask the interpreter (here, or on a target's tool host); cached per interpreter and place. */
export function probeRunCpuSpelling(
  interpreter: string,
  opts: { on?: ToolHost; timeoutMs?: number } = {},
): Promise<RunCpuSpelling | null> {
  const key = keyOf(interpreter, opts.on);
  let answer = answers.get(key);
  if (!answer) {
    const args = ['-m', RUN_CPU_MODULE, '--help'];
    const timeoutMs = opts.timeoutMs ?? 60_000;
    answer = (
      opts.on ? opts.on.run(interpreter, args, { timeoutMs }) : runTool(interpreter, args, { timeoutMs })
    ).then((r) => {
      const spelling = r.exitCode === 0 ? spellingOfHelp(r.stdout) : null;
      // An interpreter that could not be started may be fixed later: only real answers are kept.
      if (r.spawnError || r.timedOut) answers.delete(key);
      else known.set(key, spelling);
      return spelling;
    });
    answers.set(key, answer);
  }
  return answer;
}

/** The answer already known for this interpreter, without waiting (undefined: not asked yet or no run_cpu). */
export function knownRunCpuSpelling(interpreter: string, on?: ToolHost): RunCpuSpelling | undefined {
  return known.get(keyOf(interpreter, on)) ?? undefined;
}
