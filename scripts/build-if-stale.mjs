// Rebuilds dist/ when a source it is built from changed since the last build, so tests run what ships: the
// e2e tests drive the built CLI, server, renderer and preload, and after an edit would otherwise test the code as
// it was at the last `npm run build`. Run by scripts/test.mjs before any suite and by the test helpers
// (test/helpers/dist.ts) for a test file run on its own; `node scripts/build-if-stale.mjs` does it by hand.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What scripts/build.mjs writes; the oldest of them is when dist/ was last built in full. */
export const OUTPUTS = [
  'dist/cli.mjs',
  'dist/main.cjs',
  'dist/preload.cjs',
  'dist/logsearch-worker.cjs',
  'dist/renderer/index.html',
];

/** What dist/ is built from: the code, and the build's own configuration and dependencies. */
const INPUTS = [
  'app',
  'renderer',
  'scripts/build.mjs',
  'vite.config.mjs',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
];

/** Newest change under `path`: files and folders both (a deleted or renamed file changes its folder). */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return { mtimeMs: 0, path };
  }
  let found = { mtimeMs: st.mtimeMs, path };
  if (st.isDirectory()) {
    for (const name of readdirSync(path)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const n = newest(join(path, name));
      if (n.mtimeMs > found.mtimeMs) found = n;
    }
  }
  return found;
}

/** Why dist/ in `root` does not match its sources (a missing output, a newer source), or null when it does. */
export function staleBecause(root = process.cwd()) {
  let built = Infinity;
  for (const out of OUTPUTS) {
    try {
      built = Math.min(built, statSync(join(root, out)).mtimeMs);
    } catch {
      return `${out} is missing`;
    }
  }
  for (const input of INPUTS) {
    const n = newest(join(root, input));
    if (n.mtimeMs > built) return `${n.path.slice(root.length + 1)} changed after the last build`;
  }
  return null;
}

/**
 * Builds when stale; says why on stderr (stdout may be a test reporter's). Throws with the build's output when
 * the build fails. Returns whether it built.
 */
export function buildIfStale(root = process.cwd()) {
  const why = staleBecause(root);
  if (why === null) return false;
  process.stderr.write(`building dist/ first: ${why}\n`);
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the build failed (${why}):\n${r.stdout}${r.stderr}`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfStale();
