/**
 * The `python/` part of a support bundle: which interpreter the workload ran with, which torch it imports,
 * whether that torch carries Ampere's engine, and what else is installed. Asked of the very interpreter and
 * environment the run used, since a different python on PATH would answer for the wrong installation.
 */
import { runTool, which, type BundleFile, type ToolHost } from './collect-system';

export const PYTHON_FILES = ['python/interpreter.txt', 'python/torch.txt', 'python/pip-list.txt'] as const;

export { isPythonWorkload } from '../system/engineprobe';

const MARK = '@@AIO_TUNER_PYINFO@@';

// Printed behind a marker: importing torch on the Ampere image can print its own banner on stdout.
const PROBE = `
import json, sys, platform
info = {"executable": sys.executable, "version": sys.version, "platform": platform.platform(),
        "prefix": sys.prefix, "path": sys.path}
try:
    import torch
    info["torch"] = getattr(torch, "__version__", "unknown")
    info["torch_file"] = getattr(torch, "__file__", None)
    info["aio"] = "_aio_profiler_print" in dir(torch._C)
    try:
        info["threads"] = torch.get_num_threads()
    except Exception as e:
        info["threads_error"] = repr(e)
    try:
        info["config"] = torch.__config__.show()
    except Exception as e:
        info["config_error"] = "%s: %s" % (type(e).__name__, e)
except Exception as e:
    info["torch_error"] = "%s: %s" % (type(e).__name__, e)
print("${MARK}" + json.dumps(info), flush=True)
`;

interface ProbeResult {
  executable?: string;
  version?: string;
  platform?: string;
  prefix?: string;
  path?: string[];
  torch?: string;
  torch_file?: string | null;
  aio?: boolean;
  threads?: number;
  threads_error?: string;
  config?: string;
  config_error?: string;
  torch_error?: string;
}

export interface PythonOptions {
  /** The environment the workload ran with (inherited + what the tool set). */
  env: NodeJS.ProcessEnv;
  cwd?: string | null;
  timeoutMs?: number;
  /** Ask the interpreter on this remote target (the one the run used) instead of this machine's. */
  on?: ToolHost;
}

function stderrTail(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  return lines.slice(-40).join('\n');
}

/** Gather the `python/` files for a workload started as `interpreter …`. Never throws. */
export async function collectPython(interpreter: string, opts: PythonOptions): Promise<BundleFile[]> {
  // Level 4 output from importing torch would drown the answers; the run's own log already has it.
  const env: NodeJS.ProcessEnv = { ...opts.env, AIO_DEBUG_MODE: '1' };
  const runOpts = { env, cwd: opts.cwd ?? undefined, timeoutMs: opts.timeoutMs ?? 120_000 };
  const on = opts.on;
  const resolved = on ? await on.which(interpreter) : await which(interpreter, env);
  if (resolved === null) {
    const where = on ? `on ${on.where}` : `PATH=${env.PATH ?? ''}`;
    const note = `# ${interpreter} was not found (${where}): nothing could be asked of it.\n`;
    return PYTHON_FILES.map((name) => ({ name, content: note }));
  }
  const [probe, pip] = await Promise.all([
    on ? on.run(resolved, ['-c', PROBE], runOpts) : runTool(resolved, ['-c', PROBE], runOpts),
    on ? on.run(resolved, ['-m', 'pip', 'list'], runOpts) : runTool(resolved, ['-m', 'pip', 'list'], runOpts),
  ]);

  let info: ProbeResult | null = null;
  const line = probe.stdout.split('\n').find((l) => l.startsWith(MARK));
  if (line) {
    try {
      info = JSON.parse(line.slice(MARK.length)) as ProbeResult;
    } catch {
      info = null;
    }
  }
  const head = `# asked of ${resolved}${on ? ` on ${on.where}` : ''} (workload's ${interpreter}) with the run's environment\n`;
  let interp: string;
  let torch: string;
  if (info === null) {
    const why = probe.spawnError
      ? probe.spawnError.message
      : probe.timedOut
        ? 'it did not answer in time'
        : `exit code ${probe.exitCode}${probe.signal ? ', ' + probe.signal : ''}`;
    interp = `${head}the interpreter could not be queried (${why})\n${stderrTail(probe.stderr)}\n`;
    torch = `${head}unknown: the interpreter could not be queried (${why})\n`;
  } else {
    interp =
      head +
      `executable: ${info.executable ?? '?'}\n` +
      `version: ${(info.version ?? '?').replace(/\n/g, ' ')}\n` +
      `platform: ${info.platform ?? '?'}\n` +
      `prefix: ${info.prefix ?? '?'}\n` +
      `sys.path:\n${(info.path ?? []).map((p) => `  ${p}`).join('\n')}\n`;
    if (info.torch_error !== undefined) {
      torch = `${head}torch is not importable with this interpreter: ${info.torch_error}\n`;
      if (probe.stderr.trim()) torch += `\n[stderr]\n${stderrTail(probe.stderr)}\n`;
    } else {
      torch =
        head +
        `torch version: ${info.torch}\n` +
        `torch location: ${info.torch_file ?? '?'}\n` +
        `Ampere Optimized PyTorch engine present: ${info.aio ? 'yes' : 'no'} ('_aio_profiler_print' in dir(torch._C))\n` +
        `torch.get_num_threads() at import: ${info.threads ?? info.threads_error ?? '?'}\n` +
        `\n# torch.__config__.show()\n${info.config ?? `unavailable: ${info.config_error ?? '?'}`}\n`;
    }
  }

  let pipText: string;
  if (pip.spawnError) pipText = `# ${resolved} -m pip list could not run: ${pip.spawnError.message}\n`;
  else if (/No module named pip/.test(pip.stderr))
    pipText = `# pip is not installed for ${resolved} (No module named pip)\n`;
  else {
    pipText = `$ ${resolved} -m pip list\n${pip.stdout}`;
    if (pip.exitCode !== 0 || pip.timedOut)
      pipText += `\n[pip exited with ${pip.timedOut ? 'a timeout' : `code ${pip.exitCode}`}]\n${stderrTail(pip.stderr)}\n`;
  }
  return [
    { name: 'python/interpreter.txt', content: interp },
    { name: 'python/torch.txt', content: torch },
    { name: 'python/pip-list.txt', content: pipText },
  ];
}
