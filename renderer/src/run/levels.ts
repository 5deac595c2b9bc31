/**
 * How AIO_DEBUG_MODE relates to the viewer's levels. The engine prints no level tags, so this is what each mode
 * makes the engine emit (reference: 1 errors, 2 info+warnings+errors, 3 most, 4 all), mapped onto the levels
 * the server's classifier assigns.
 */
import { LEVELS, type Level } from '../../../app/shared/contract';

export { LEVELS, type Level };

export const DEFAULT_DEBUG_MODE = 2;

export const DEBUG_MODES: { value: number; label: string }[] = [
  { value: 0, label: '0 — nothing' },
  { value: 1, label: '1 — errors' },
  { value: 2, label: '2 — info, warnings, errors (default)' },
  { value: 3, label: '3 — most (adds debug)' },
  { value: 4, label: '4 — everything (support asks for this)' },
];

export function levelsEmittedAt(mode: number): Level[] {
  if (mode <= 0) return [];
  if (mode === 1) return ['error'];
  if (mode === 2) return ['error', 'warning', 'info'];
  if (mode === 3) return ['error', 'warning', 'info', 'debug'];
  return [...LEVELS];
}

const PLURAL: Record<Level, string> = {
  error: 'errors',
  warning: 'warnings',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
};

/** "level 2 emits errors, warnings and info". */
export function emitsHint(mode: number): string {
  const ls = levelsEmittedAt(mode).map((l) => PLURAL[l]);
  if (ls.length === 0) return `level ${mode} silences the engine (the workload's own output still shows)`;
  const words = ls.length === 1 ? ls[0]! : `${ls.slice(0, -1).join(', ')} and ${ls.at(-1)!}`;
  return `level ${mode} emits ${words}`;
}

/** The run's mode from its environment; unset means the engine default. */
export function modeOfEnv(env: Record<string, string> | undefined): number {
  const v = env?.AIO_DEBUG_MODE;
  return v !== undefined && /^[0-4]$/.test(v) ? Number(v) : DEFAULT_DEBUG_MODE;
}
