/**
 * A real Python virtual environment without PyTorch: what a user's pyenv shim or project venv often is while the
 * system Python has torch. Made with the system interpreter's own venv module, no packages installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SYSTEM_PYTHON = '/usr/bin/python3';

/** The venv's bin directory (holding python3), or null when the system Python cannot make one. */
export function venvWithoutTorch(): string | null {
  const dir = join(mkdtempSync(join(tmpdir(), 'aio-tuner-venv-')), 'venv');
  const r = spawnSync(SYSTEM_PYTHON, ['-m', 'venv', '--without-pip', dir], { encoding: 'utf8' });
  return r.status === 0 ? join(dir, 'bin') : null;
}

export const systemHasTorch = (): boolean =>
  spawnSync(SYSTEM_PYTHON, [
    '-c',
    'import importlib.util as u, sys; sys.exit(0 if u.find_spec("torch") else 1)',
  ]).status === 0;
