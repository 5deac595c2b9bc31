/**
 * What keeps a workload from starting, in one set of words: the runner says it when spawn fails, and the
 * pre-start check (app/api/preflight.ts) says the same before anything is spawned, so a user meets one message
 * for one cause whichever noticed it first.
 */
import { existsSync, statSync } from 'node:fs';

export const startError = {
  notOnPath: (prog: string) => `cannot start: \`${prog}\` not found on PATH`,
  missing: (prog: string) => `cannot start: \`${prog}\` does not exist`,
  noInterpreter: (prog: string) =>
    `cannot start: \`${prog}\` exists but its interpreter (the #! line) was not found`,
  notExecutable: (prog: string) => `cannot start: \`${prog}\` is not executable (permission denied)`,
  notRunnable: (prog: string) =>
    `cannot start: \`${prog}\` is not a program this system can run (missing #! line?)`,
  other: (prog: string, message: string) =>
    `cannot start \`${prog}\`: ${message.split('\n').pop() ?? message}`,
};

/** The message for a failed spawn of `argv0`, by its errno code. */
export function startErrorMessage(argv0: string, code: string | undefined, message: string): string {
  switch (code) {
    case 'ENOENT':
      if (argv0.includes('/'))
        return existsSync(argv0) ? startError.noInterpreter(argv0) : startError.missing(argv0);
      return startError.notOnPath(argv0);
    case 'EACCES':
      return startError.notExecutable(argv0);
    case 'ENOEXEC':
      return startError.notRunnable(argv0);
    default:
      return startError.other(argv0, message);
  }
}

/** Why `cwd` cannot be the run's working directory, or null when it can. */
export function cwdProblem(cwd: string): string | null {
  try {
    if (!statSync(cwd).isDirectory()) return `working directory ${cwd} is not a directory`;
  } catch {
    return `working directory ${cwd} does not exist`;
  }
  return null;
}
