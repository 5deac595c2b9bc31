// Nothing lost silently, as users see it: a run or sweep whose record cannot be written says so on the CLI's
// stderr (the results are still printed) and in the app's banner, which goes once a later write saved it. The
// failure is real: the workload itself puts something in the way of its record (we are root, so permissions
// would not stop the writes).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CLI, launchBrowser, startServe, type Served } from '../helpers/serve';
import { need } from '../helpers/require';
import { openApp, runToEnd } from '../helpers/ui';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'aio-unsaved-e2e-'));
/** Replaces the only run folder under $AIO_TUNER_HOME/runs with a file, then prints a result. */
const breakRun = join(dir, 'break-run.sh');
/** Replaces the sweep's record with a non-empty folder, then prints AML-style results. */
const breakSweep = join(dir, 'break-sweep.sh');

before(() => {
  if (!existsSync(join(process.cwd(), 'dist', 'cli.mjs')))
    throw new Error('dist/cli.mjs missing: run `npm run build` first');
  writeFileSync(
    breakRun,
    // The engine writes the run's first record while the workload starts (mkdir -p, then a temporary file):
    // breaking the folder before that write landed could lose the race (the folder comes back, or rm -rf
    // meets the temporary file), so the script waits for run.json and retries until the file is in the way.
    '#!/bin/sh\nfor d in "$AIO_TUNER_HOME"/runs/*; do\n' +
      '  [ -d "$d" ] || continue\n' +
      '  i=0; while [ ! -e "$d/run.json" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n' +
      '  i=0; until [ -f "$d" ] || [ $i -ge 100 ]; do rm -rf "$d" 2>/dev/null; echo x 2>/dev/null > "$d"; sleep 0.05; i=$((i+1)); done\n' +
      'done\necho "latency: 5 ms"\n',
  );
  writeFileSync(
    breakSweep,
    '#!/bin/sh\nfor f in "$AIO_TUNER_HOME"/sweeps/*.json; do rm -rf "$f"; mkdir -p "$f/in-the-way"; done\n' +
      'echo "  LATENCY"\necho "      mean   $((10 + AIO_NUM_THREADS)).5 [ms]"\n',
  );
  chmodSync(breakRun, 0o755);
  chmodSync(breakSweep, 0o755);
});

let browser: Browser | undefined;
let served: Served | undefined;
after(async () => {
  await browser?.close();
  await served?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(home: string, args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 120_000,
  });
}

describe('the CLI', () => {
  test('run: the unsaved run.json is one line on stderr; --json still prints the outcome', () => {
    const home = mkdtempSync(join(dir, 'run-'));
    const r = cli(home, ['run', '--mem', 'none', '--json', '--', breakRun]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      /^aio-tuner: \S+\/runs\/[^/]+\/run\.json could not be saved: a file is in the way of its folder; this run will be missing from the history$/m,
    );
    const j = JSON.parse(r.stdout) as { exitCode: number; results: { latencyMs: { mean: number } } };
    assert.equal(j.exitCode, 0);
    assert.equal(j.results.latencyMs.mean, 5);
  });

  test('sweep: a failed write is said once, when it happens; the summary says NOT saved; the rows are printed', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const home = mkdtempSync(join(dir, 'sweep-'));
    const r = cli(home, ['sweep', '--threads', '1,2', '--json', '--', breakSweep]);
    assert.equal(r.status, 0, r.stderr);
    // Said once, as it starts failing, not after every row.
    const warnings = r.stderr.split('\n').filter((l) => /^aio-tuner: warning: .*could not be saved/.test(l));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /could not be saved: a folder of that name is in the way; the rows are kept/);
    assert.match(r.stderr, /^aio-tuner: sweep done: 2 of 2 row\(s\); NOT saved$/m);
    assert.match(
      r.stderr,
      /^aio-tuner: \S+\.json could not be saved: .+; this sweep will be missing from the history$/m,
    );
    const j = JSON.parse(r.stdout) as { rows: { latencyMs: number }[] };
    assert.deepEqual(
      j.rows.map((x) => x.latencyMs),
      [11.5, 12.5],
    );
  });
});

test('the app: a run whose record cannot be written shows a banner, gone once the next run saved it', async () => {
  const home = mkdtempSync(join(dir, 'ui-'));
  served = await startServe([], { home });
  browser ??= await launchBrowser();
  const page = await openApp(browser, served.url);
  try {
    await runToEnd(page, breakRun);
    const banner = page.locator('.banner.error[role=alert]', { hasText: 'is not saved' });
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    assert.match(
      text,
      /^Run \S+ is not saved: \S+run\.json could not be saved: .+ It is kept while AIO Tuner runs/,
    );

    // The user clears the way; the next run writes the kept record, and the notice goes.
    const [id] = readdirSync(join(home, 'runs'));
    rmSync(join(home, 'runs', id!));
    await runToEnd(page, 'true');
    await banner.waitFor({ state: 'detached' });
    const saved = JSON.parse(readFileSync(join(home, 'runs', id!, 'run.json'), 'utf8')) as { state: string };
    assert.equal(saved.state, 'exited');
  } finally {
    await page.close();
  }
});
