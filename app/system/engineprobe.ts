/**
 * Does the workload's Python have Ampere's engine? Asked of the very interpreter, environment and directory the
 * run uses (and on its target), before the run starts: a different python, a venv or a PYTHONPATH would answer
 * for the wrong installation, and a probe during the run would disturb what it measures.
 */
import { open, readFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import type { EngineInfo } from '../shared/findings';
import { runTool, type ToolHost, type ToolRun } from '../util/tool';

/** Is argv[0] a Python interpreter (python, python3, python3.11, /opt/conda/bin/python3, …)? */
export function isPythonWorkload(workload: readonly string[]): boolean {
  const argv0 = workload[0];
  return argv0 !== undefined && isPythonName(argv0);
}

function isPythonName(program: string): boolean {
  return /^python[\d.]*$/.test(basename(program));
}

/**
 * The interpreter named by a script's `#!` line: `#!/usr/bin/python3` or `#!/usr/bin/env [-S] python3 …`;
 * null when the line names no Python.
 */
export function shebangInterpreter(firstLine: string): string | null {
  const m = /^#!\s*(\S+)(.*)$/.exec(firstLine.trimEnd());
  if (!m) return null;
  const [prog, rest] = [m[1]!, m[2]!.trim().split(/\s+/).filter(Boolean)];
  if (basename(prog) === 'env') {
    const named = rest.find((a) => !a.startsWith('-'));
    return named !== undefined && isPythonName(named) ? named : null;
  }
  return isPythonName(prog) ? prog : null;
}

/** Where a probe runs: this machine, or the run's remote target. */
export interface ProbePlace {
  /** The run's remote target (its tools), or undefined for this machine. */
  on?: ToolHost;
  /** What the run sets on top of what it inherits, and removes from it. */
  env: Record<string, string>;
  unset?: string[];
  /** The run's working directory (null: the tool's own here, the login directory on a target). */
  cwd: string | null;
  timeoutMs?: number;
}

/**
 * The interpreter a workload runs with: argv[0] when it is a Python, else the `#!` line of a `.py` script
 * started directly. Null: not a Python workload (not probed).
 */
export async function pythonInterpreterOf(
  workload: readonly string[],
  place: ProbePlace,
): Promise<string | null> {
  const argv0 = workload[0];
  if (argv0 === undefined) return null;
  if (isPythonName(argv0)) return argv0;
  if (!argv0.endsWith('.py') || !argv0.includes('/')) return null;
  const path = isAbsolute(argv0) || place.on ? argv0 : join(place.cwd ?? process.cwd(), argv0);
  const head = place.on ? await place.on.read(path) : await firstBytes(path);
  return head === null ? null : shebangInterpreter(head.split('\n', 1)[0] ?? '');
}

async function firstBytes(path: string): Promise<string | null> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(256);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return buf.toString('utf8', 0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
}

const MARK = '@@AIO_TUNER_ENGINE@@';

// Behind a marker: the engine prints a banner on stdout when torch is imported, and sitecustomize may print too.
const PROBE = `
import json, sys
info = {"python": "%d.%d.%d" % tuple(sys.version_info[:3])}
try:
    import torch
    info["torch"] = str(getattr(torch, "__version__", "unknown"))
    info["present"] = "_aio_profiler_print" in dir(torch._C)
except BaseException as e:
    info["error"] = "%s: %s" % (type(e).__name__, e)
print("${MARK}" + json.dumps(info), flush=True)
`;

interface ProbeAnswer {
  python?: string;
  torch?: string;
  present?: boolean;
  error?: string;
}

export const ENGINE_PROBE_TIMEOUT_MS = 60_000;

/** The AIO version an image names in /.release (its first non-empty line), null when there is none. */
export function releaseVersion(text: string | null): string | null {
  const line = text
    ?.split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return line ? line.slice(0, 200) : null;
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n').trim();
}

/** Why a probe that printed no answer failed, in a sentence. */
function failure(interpreter: string, r: ToolRun, timeoutMs: number): string {
  if (r.spawnError?.code === 'ENOENT') return `${interpreter} was not found`;
  if (r.spawnError) return `${interpreter} could not be started: ${r.spawnError.message}`;
  if (r.timedOut) return `${interpreter} did not answer within ${Math.round(timeoutMs / 1000)} s`;
  const how = r.signal ? `was ended by ${r.signal}` : `exited with code ${r.exitCode}`;
  const tail = lastLines(r.stderr, 3);
  return `${interpreter} ${how} before answering${tail ? `: ${tail}` : ''}`;
}

/**
 * Probes in flight, by interpreter and place: a run's own probe and the host doctor's start together for the same
 * run, and `import torch` costs seconds of CPU; the second asker waits for the first answer. Nothing is kept once
 * it settles, so a later question is asked again.
 */
const inFlight = new Map<string, Promise<EngineInfo>>();

/** Ask `interpreter` whether its torch has the engine. Never throws: what went wrong is in `error`. */
export function probeInterpreter(interpreter: string, place: ProbePlace): Promise<EngineInfo> {
  const key = JSON.stringify([
    interpreter,
    place.on?.where ?? null,
    Object.entries(place.env).sort(),
    [...(place.unset ?? [])].sort(),
    place.cwd,
    place.timeoutMs ?? null,
  ]);
  const running = inFlight.get(key);
  if (running) return running;
  const answer = askInterpreter(interpreter, place).finally(() => inFlight.delete(key));
  inFlight.set(key, answer);
  return answer;
}

async function askInterpreter(interpreter: string, place: ProbePlace): Promise<EngineInfo> {
  const timeoutMs = place.timeoutMs ?? ENGINE_PROBE_TIMEOUT_MS;
  // Level 0: at the run's own level (often 4 in a bundle run) the import alone can print thousands of lines.
  const set = { ...place.env, AIO_DEBUG_MODE: '0' };
  const unset = (place.unset ?? []).filter((n) => n !== 'AIO_DEBUG_MODE');
  let r: ToolRun;
  if (place.on) {
    // The target's tool runner only adds variables; env -u removes the ones the run removes.
    const args = [...unset.flatMap((n) => ['-u', n]), interpreter, '-c', PROBE];
    r = await place.on.run('env', args, { env: set, cwd: place.cwd ?? undefined, timeoutMs });
  } else {
    const env: NodeJS.ProcessEnv = { ...process.env, ...set };
    for (const n of unset) delete env[n];
    r = await runTool(interpreter, ['-c', PROBE], { env, cwd: place.cwd ?? undefined, timeoutMs });
  }
  const line = r.stdout.split('\n').find((l) => l.startsWith(MARK));
  let answer: ProbeAnswer | null;
  try {
    answer = line ? (JSON.parse(line.slice(MARK.length)) as ProbeAnswer) : null;
  } catch {
    answer = null;
  }
  if (!answer)
    return {
      present: false,
      version: null,
      python: null,
      torch: null,
      error: failure(interpreter, r, timeoutMs),
    };
  const present = answer.present === true;
  const release = present
    ? await (place.on ? place.on.read('/.release') : readFile('/.release', 'utf8').catch(() => null))
    : null;
  return {
    present,
    version: releaseVersion(release),
    python: answer.python ?? null,
    torch: answer.torch ?? null,
    ...(answer.error !== undefined ? { error: `torch cannot be imported: ${answer.error}` } : {}),
  };
}
