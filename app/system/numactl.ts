export interface NumactlStatus {
  available: boolean;
  path: string | null;
  version: string | null;
}

let cached: Promise<NumactlStatus> | null = null;

/** Whether numactl can be run here; looked up once, since binding checks ask on every keystroke. */
export function numactlStatus(): Promise<NumactlStatus> {
  cached ??= (async () => {
    try {
      // execa is ESM-only: a dynamic import keeps this loadable from CommonJS (tests, the Electron main bundle).
      const { execa } = await import('execa');
      const which = await execa('sh', ['-c', 'command -v numactl'], { reject: false });
      const path = which.exitCode === 0 ? which.stdout.trim() : null;
      if (!path) return { available: false, path: null, version: null };
      const v = await execa(path, ['--version'], { reject: false, all: true });
      const m = /numactl\s+([\d.]+)/.exec(v.all ?? '');
      return { available: true, path, version: m?.[1] ?? null };
    } catch {
      return { available: false, path: null, version: null };
    }
  })();
  return cached;
}
