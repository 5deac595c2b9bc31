// Static Electron security scan (@doyensec/electronegativity) for `npm run lint`. It fails on any finding that
// is not in ALLOWED below (each entry is explained in the README, "Electron window security"), on an entry of
// ALLOWED that no longer matches (so the list and the README stay true), and on a file the scanner cannot parse.
//
// What is scanned: the Electron shell's own sources (main, preload, app/shell) and the page's HTML, copied to a
// temporary folder under the same relative names. The scanner's bundled TypeScript parser (4.2) reads them as
// they are; the rest of app/ is plain Node that never touches Electron. The built dist/main.cjs would hide the
// window from it: the bundle calls `import_electron.BrowserWindow`, which its checks do not recognise.
//
// Offline and deterministic: the scanner downloads translations and Electron's release list with `got`; both
// calls are answered "offline" here, so it uses its bundled English strings and never touches the network.
// The one check that needs the release list (AvailableSecurityFixesGlobalCheck: "is a newer Electron with
// security fixes out?") is therefore not run; keeping Electron current is Dependabot-style work, not lint.
//
// Usage: node scripts/electronegativity.mjs [--root DIR]   (DIR holds the files to scan; default: this repo)
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootArg = process.argv.indexOf('--root');
const root = rootArg !== -1 ? resolve(process.argv[rootArg + 1] ?? '.') : repo;

const SCANNED = ['app/main.ts', 'app/preload.ts', 'app/shell', 'renderer/index.html'];

/**
 * Findings that were reviewed and do not apply, by check and file, with how many of them there are: one more
 * of the same kind in the same file is a new finding. Why each one does not apply is in the README.
 */
const ALLOWED = [
  // The preload exposes one narrow bridge (request / showInFolder / onEvent), never ipcRenderer or Node;
  // the scanner asks for a review of every preload.
  { id: 'PRELOAD_JS_CHECK', file: 'app/main.ts', count: 1 },
  // shell.openExternal only ever gets http(s) URLs: openExternally() in app/shell/policy.ts decides, and is
  // unit-tested; the scanner flags any non-literal argument.
  { id: 'OPEN_EXTERNAL_JS_CHECK', file: 'app/main.ts', count: 1 },
  // Chromium has no "Auxclick" feature to disable any more; a middle click opens a new window, and every new
  // window is denied by setWindowOpenHandler.
  { id: 'AUXCLICK_JS_CHECK', file: 'app/main.ts', count: 1 },
  // "'self' in script-src can be problematic if you host JSONP or user uploads": the page's origin serves only
  // the built renderer (browser mode's /download sends files as attachments, octet-stream + nosniff, which a
  // browser refuses to run as a script).
  { id: 'CSP_GLOBAL_CHECK', file: 'renderer/index.html', count: 1 },
];

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@doyensec/electronegativity/package.json'));

// Answer the scanner's two downloads "offline" before it loads (both modules require the same `got`).
const offline = () => Promise.reject(new Error('offline: electronegativity runs without the network here'));
offline.head = offline;
for (const from of [
  'dist/locales/i18n.js',
  'dist/finder/checks/GlobalChecks/AvailableSecurityFixesGlobalCheck.js',
]) {
  const gotPath = createRequire(join(pkgDir, from)).resolve('got');
  require.cache[gotPath] = { id: gotPath, filename: gotPath, loaded: true, exports: offline, children: [] };
}

const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;

const staged = mkdtempSync(join(tmpdir(), 'aio-tuner-electronegativity-'));
let result;
const said = [];
const log = console.log;
try {
  for (const rel of SCANNED) {
    if (!existsSync(join(root, rel))) throw new Error(`${rel} is missing under ${root}`);
    cpSync(join(root, rel), join(staged, rel), { recursive: true });
  }
  const run = require(join(pkgDir, 'dist/runner.js'));
  // The scanner talks on console.log (banner, "could not retrieve translations"); keep it for a failure.
  console.log = (...args) => said.push(args.join(' '));
  result = await run({
    input: staged,
    isRelative: true,
    electronVersionOverride: electronVersion,
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    customScan: [],
    parserPlugins: [],
  });
} finally {
  console.log = log;
  rmSync(staged, { recursive: true, force: true });
}

const problems = [];
for (const e of result.errors.filter((x) => !x.tolerable))
  problems.push(`could not parse ${e.file.replace(staged + '/', '')}: ${e.message}`);

const byKey = new Map();
for (const issue of result.issues) {
  const key = `${issue.id} ${issue.file}`;
  byKey.set(key, [...(byKey.get(key) ?? []), issue]);
}
for (const [key, issues] of byKey) {
  const [id, file] = key.split(' ');
  const allowed = ALLOWED.find((a) => a.id === id && a.file === file)?.count ?? 0;
  if (issues.length <= allowed) continue;
  for (const i of issues)
    problems.push(
      `${i.id} ${i.file}:${i.location.line}:${i.location.column} (${i.severity.name}, ${i.confidence.name}): ${i.description}`,
    );
}
for (const a of ALLOWED) {
  const found = byKey.get(`${a.id} ${a.file}`)?.length ?? 0;
  if (found < a.count)
    problems.push(
      `${a.id} ${a.file} is allowed ${a.count} time(s) but found ${found}: remove it from ALLOWED in ` +
        `scripts/electronegativity.mjs and from the README's list`,
    );
}

if (problems.length) {
  // What the scanner said besides the translation notice our offline answer causes.
  const told = said.filter((line) => !line.includes('Could not retrieve updated translations'));
  if (told.length) console.error(told.join('\n'));
  console.error(
    `electronegativity ${electronVersion}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`,
  );
  console.error(
    'Fix the finding, or (when it does not apply) add it to ALLOWED with why, and to the README.',
  );
  process.exit(1);
}
console.log(
  `electronegativity: Electron ${electronVersion}, ${result.globalChecks + result.atomicChecks} checks, ` +
    `${result.issues.length} reviewed finding(s) (README, "Electron window security"), no new ones`,
);
