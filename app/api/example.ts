import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * examples/bench.py, located relative to the code (dist/ or app/api/ in a checkout, resources in a package), so
 * the UI can offer a runnable default workload when the user has none.
 */
export function examplePath(): string | null {
  const here = typeof __filename === 'string' ? dirname(__filename) : dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..', '../../..']) {
    const p = resolve(here, up, 'examples', 'bench.py');
    if (existsSync(p)) return p.replace('app.asar' + '/', 'app.asar.unpacked/');
  }
  return null;
}

/**
 * Interpreters tried for the example, in order. `python3` on PATH comes first (what the user would type), but it
 * is often a pyenv shim or a virtualenv without PyTorch while the system one has it.
 */
export const PYTHON_CANDIDATES = ['python3', '/usr/bin/python3', '/usr/local/bin/python3', 'python'];

export interface PythonProbe {
  /** As tried (a name looked up on PATH, or an absolute path). */
  command: string;
  /** sys.executable when the interpreter ran. */
  executable: string | null;
  /** torch's version when the interpreter can import it (its distribution's version, "?" when unrecorded). */
  torch: string | null;
  /** Why it is not usable: not found, failed to start, no PyTorch. */
  problem: string | null;
}

// find_spec finds the package without importing it: importing torch takes seconds, finding it milliseconds.
const PROBE = [
  'import sys, importlib.util',
  'spec = importlib.util.find_spec("torch")',
  'version = ""',
  'if spec:',
  '    try:',
  '        import importlib.metadata as m',
  '        version = m.version("torch")',
  '    except Exception:',
  '        version = "?"',
  'print(sys.executable)',
  'print(version)',
  'sys.exit(0 if spec else 3)',
].join('\n');

const PROBE_TIMEOUT_MS = 15_000;

/** Whether `command` runs and finds PyTorch, with the same environment runs get. */
export function probePython(command: string, env: NodeJS.ProcessEnv = process.env): Promise<PythonProbe> {
  return new Promise((done) => {
    execFile(
      command,
      ['-c', PROBE],
      { env, timeout: PROBE_TIMEOUT_MS, encoding: 'utf8', windowsHide: true },
      (err, stdout) => {
        const [executable = '', torch = ''] = stdout.split('\n');
        const ran = executable.trim() !== '';
        const base = { command, executable: ran ? executable.trim() : null };
        if (!err) return done({ ...base, torch: torch.trim() || '?', problem: null });
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        const problem =
          e.code === 'ENOENT'
            ? 'not found'
            : e.killed
              ? `did not answer within ${PROBE_TIMEOUT_MS / 1000} s`
              : ran
                ? 'has no PyTorch'
                : 'failed to start';
        done({ ...base, torch: null, problem });
      },
    );
  });
}

export interface ExampleWorkload {
  argv: string[];
  /** The interpreter the example runs with; null when none has PyTorch (the argv then says plain python3). */
  python: string | null;
  /** One sentence for the UI: which interpreter and why, or why none works and what to do. */
  note: string;
}

const FLAGS = ['-m', 'cnn', '-p', 'fp32', '--timeout', '20'];

function describe(p: PythonProbe): string {
  const where = p.executable && p.executable !== p.command ? ` (${p.executable})` : '';
  return `${p.command}${where}: ${p.problem}`;
}

/** The first candidate that has PyTorch, and every earlier one with why it was passed over. */
export async function findTorchPython(
  candidates: readonly string[] = PYTHON_CANDIDATES,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ found: PythonProbe | null; passed: PythonProbe[] }> {
  const passed: PythonProbe[] = [];
  const seen = new Set<string>();
  for (const command of candidates) {
    const p = await probePython(command, env);
    // python3 on PATH is often /usr/bin/python3 itself: once is enough, in the notes too.
    if (p.executable !== null && seen.has(p.executable)) continue;
    if (p.executable !== null) seen.add(p.executable);
    if (p.problem === null) return { found: p, passed };
    passed.push(p);
  }
  return { found: null, passed };
}

/** The example workload with the interpreter that can run it, and a note saying which and why. */
export async function probeExampleWorkload(
  candidates: readonly string[] = PYTHON_CANDIDATES,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExampleWorkload> {
  const script = examplePath();
  if (script === null)
    return {
      argv: ['python3', 'run.py', '-p', 'fp32'],
      python: null,
      note: 'The example benchmark (examples/bench.py) is not part of this installation.',
    };
  const { found, passed } = await findTorchPython(candidates, env);
  if (found === null)
    return {
      argv: ['python3', script, ...FLAGS],
      python: null,
      note:
        `No Python with PyTorch was found (${passed.map(describe).join('; ')}), so the example cannot run ` +
        'here: install PyTorch for one of them (pip install torch, or the distribution package, e.g. ' +
        "Debian's python3-torch), run inside the Ampere image, or set your own workload.",
    };
  // A name on PATH stays a name (the command stays portable); anything else is spelled out.
  const python = found.command;
  const version = found.torch === '?' ? 'PyTorch' : `PyTorch ${found.torch}`;
  const skipped = passed.length > 0 ? ` (${passed.map(describe).join('; ')})` : '';
  return {
    argv: [python, script, ...FLAGS],
    python,
    note: `The example runs with ${python}${found.executable && found.executable !== python ? ` (${found.executable})` : ''}, which has ${version}${skipped}.`,
  };
}

let cached: Promise<ExampleWorkload> | null = null;

/** probeExampleWorkload() once per process: interpreters do not come and go while the app runs. */
export function exampleWorkload(): Promise<ExampleWorkload> {
  cached ??= probeExampleWorkload();
  return cached;
}

/** On a remote target the local interpreters say nothing: the target's own python3 is named, unchecked. */
export function remoteExampleWorkload(): ExampleWorkload {
  const script = examplePath();
  return {
    argv: script ? ['python3', script, ...FLAGS] : ['python3', 'run.py', '-p', 'fp32'],
    python: 'python3',
    note: "On a remote target the example runs with the target's python3, which this tool does not check for PyTorch.",
  };
}
