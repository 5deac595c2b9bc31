/**
 * The engine probe in one line, as the run result card, the CLI and a bundle's README say it:
 * "Ampere engine: not detected (torch 1.13.0, Python 3.11.2)".
 */
import type { EngineInfo } from './findings';

export function engineLine(e: EngineInfo | null | undefined): string {
  if (e === undefined) return 'Ampere engine: not probed';
  if (e === null) return 'Ampere engine: not probed (the workload is not Python)';
  const about = [
    e.version ? `AIO ${e.version}` : null,
    e.torch ? `torch ${e.torch}` : null,
    e.python ? `Python ${e.python}` : null,
  ].filter((x): x is string => x !== null);
  const facts = about.length ? ` (${about.join(', ')})` : '';
  if (e.present) return `Ampere engine: present${facts}`;
  if (e.torch === null) return `Ampere engine: unknown${facts}: ${e.error ?? 'torch cannot be imported'}`;
  return `Ampere engine: not detected${facts}`;
}
