/**
 * Where AIO Tuner keeps its data (profiles, runs). One place decides it so every part agrees.
 */
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';

export const APP_DIR_NAME = 'aio-tuner';

/**
 * The data directory: `AIO_TUNER_HOME` when set, else the platform's per-user data directory
 * (Linux: `$XDG_DATA_HOME/aio-tuner` or `~/.local/share/aio-tuner`; macOS: `~/Library/Application Support/aio-tuner`;
 * Windows: `%APPDATA%\aio-tuner`). The parameters exist for tests; callers normally pass nothing.
 */
export function dataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env.AIO_TUNER_HOME;
  if (override) return override;
  switch (platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', APP_DIR_NAME);
    case 'win32':
      // APPDATA is always set for an interactive Windows user; the fallback mirrors its usual location.
      return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
    default: {
      // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
      const xdg = env.XDG_DATA_HOME;
      return xdg && xdg.startsWith('/')
        ? join(xdg, APP_DIR_NAME)
        : join(home, '.local', 'share', APP_DIR_NAME);
    }
  }
}
