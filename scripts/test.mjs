// Runs node:test over TypeScript test files (through tsx), so CI can read node:test's closing summary. Rebuilds
// dist/ first when a source changed since the last build: the e2e tests (and a few unit ones) run the built tree.
// Usage: node scripts/test.mjs [unit|e2e] [extra file filters...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIfStale } from './build-if-stale.mjs';

const [suite, ...filters] = process.argv.slice(2);
const roots = suite === 'unit' ? ['test/unit'] : suite === 'e2e' ? ['test/e2e'] : ['test/unit', 'test/e2e'];

function walk(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let files = roots.flatMap(walk);
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
try {
  buildIfStale();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
// Spec output for people; a TAP copy to count from, so the run ends with one plain "N passed, N failed" line.
const tap = join(mkdtempSync(join(tmpdir(), 'aio-tuner-tap-')), 'report.tap');
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...process.env, AIO_TUNER_TESTING: '1' } },
);
let report = '';
try {
  report = readFileSync(tap, 'utf8');
} catch {
  // no report: the runner itself failed; the exit status says so
}
const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(report)?.[1] ?? 0);
const failed = count('fail') + count('cancelled');
console.log(`${count('pass')} passed, ${failed} failed, ${count('skipped')} skipped`);
process.exit(r.status ?? 1);
