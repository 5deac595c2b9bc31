// Builds everything `npm install` must leave ready: the renderer (Vite), the CLI + browser-mode server (one ESM
// file for Node), and the Electron main process and preload (CommonJS; the sandboxed preload may only
// require('electron'), so it is bundled into a single file).
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { mkdirSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const define = { __AIO_TUNER_VERSION__: JSON.stringify(pkg.version) };
mkdirSync('dist', { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  define,
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['app/cli/main.ts'],
    outfile: 'dist/cli.mjs',
    format: 'esm',
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: ['app/main.ts'],
    outfile: 'dist/main.cjs',
    format: 'cjs',
    target: 'node22',
    // Everything but Electron itself is bundled so the packaged app does not depend on ESM-only packages
    // being require()-able.
    external: ['electron', 'bufferutil', 'utf-8-validate'],
    // Bundled ESM packages (and our own code) use import.meta.url; CommonJS has __filename instead.
    define: { ...define, 'import.meta.url': '__importMetaUrl' },
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  // Log search runs user patterns in a worker thread (app/logs/search.ts), loaded from beside the bundle.
  build({
    ...common,
    entryPoints: ['app/logs/searchworker.ts'],
    outfile: 'dist/logsearch-worker.cjs',
    format: 'cjs',
  }),
  build({
    ...common,
    entryPoints: ['app/preload.ts'],
    outfile: 'dist/preload.cjs',
    format: 'cjs',
    target: 'chrome130',
    platform: 'browser',
    external: ['electron'],
  }),
]);
await viteBuild({ configFile: 'vite.config.mjs', logLevel: 'warn' });
console.log('built dist/cli.mjs, dist/main.cjs, dist/preload.cjs, dist/logsearch-worker.cjs, dist/renderer/');
