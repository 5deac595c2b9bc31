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

export function exampleWorkload(): string[] {
  const p = examplePath();
  return p
    ? ['python3', p, '-m', 'cnn', '-p', 'fp32', '--timeout', '20']
    : ['python3', 'run.py', '-p', 'fp32'];
}
