// Runs node:test over TypeScript test files (through tsx), so CI can read node:test's closing summary.
// Usage: node scripts/test.mjs [unit|e2e] [extra file filters...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const [suite, ...filters] = process.argv.slice(2);
const roots = suite === 'unit' ? ['test/unit'] : suite === 'e2e' ? ['test/e2e'] : ['test/unit', 'test/e2e'];

function walk(dir) {
  let out = [];
  let entries = [];
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
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  { stdio: 'inherit', env: { ...process.env, AIO_TUNER_TESTING: '1' } },
);
process.exit(r.status ?? 1);
