// `npm start`: build, make sure Electron's binary is there (npm 11 skips dependency install scripts, so the
// first start runs Electron's own installer), then launch the window with any extra arguments.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
if (!existsSync(join(electronDir, 'path.txt'))) {
  console.log('fetching the Electron binary (first start)…');
  // The installer prints a whole stack trace when offline; one line of it says what happened.
  // ELECTRON_SKIP_BINARY_DOWNLOAD is for offline `npm install`s; a start asks for the binary, so it is not passed
  // on (the installer would otherwise "succeed" with no binary and Electron's require would throw a stack trace).
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const r = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    env,
  });
  if (r.status !== 0 || !existsSync(join(electronDir, 'path.txt'))) {
    const why = r.status !== 0 ? firstProblem(r.stderr ?? '') : 'the installer placed no binary';
    console.error(`Electron could not be downloaded: ${why}`);
    console.error('No internet here? Use browser mode instead: npx aio-tuner serve');
    process.exit(1);
  }
  process.stderr.write(r.stderr ?? '');
}
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const electron = require('electron');
const r = spawnSync(electron, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 0);

/** The first line of an error report that is not a stack frame, without the error class ("RequestError: "). */
function firstProblem(stderr) {
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('at '));
  return line ? line.replace(/^[A-Za-z]*Error: /, '') : 'the installer failed without a message';
}
