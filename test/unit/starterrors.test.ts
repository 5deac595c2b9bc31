// One cause, one message: the check made before a run starts (app/api/preflight.ts) and the runner's own report
// of a failed spawn (app/run/runner.ts) describe a program that cannot start in the same words. Real spawns.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflightProblem } from '../../app/run/preflight';
import { startRun } from '../../app/run';
import { defaultSettings } from '../../app/shared/command';

const dir = mkdtempSync(join(tmpdir(), 'aio-starterr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function runnerSays(argv: string[], cwd?: string): Promise<string | undefined> {
  const h = startRun({ argv, env: {}, logFile: join(dir, `${Math.random()}.log`), ...(cwd ? { cwd } : {}) });
  return (await h.done).startError;
}

function preflightSays(workload: string[], cwd: string | null = null): string | null {
  return preflightProblem({ ...defaultSettings(), workload, cwd });
}

test('not on PATH, missing file, not executable, missing working directory: the same words', async () => {
  const plain = join(dir, 'plain.txt');
  writeFileSync(plain, 'not a program\n');
  chmodSync(plain, 0o644);
  const cases: { workload: string[]; cwd?: string; want: RegExp }[] = [
    { workload: ['aio-tuner-no-such-program'], want: /not found on PATH/ },
    { workload: [join(dir, 'missing')], want: /does not exist/ },
    { workload: [plain], want: /is not executable/ },
    { workload: ['true'], cwd: join(dir, 'no-such-dir'), want: /^working directory .* does not exist$/ },
  ];
  for (const c of cases) {
    const before = preflightSays(c.workload, c.cwd ?? null);
    assert.match(before ?? '', c.want);
    assert.equal(await runnerSays(c.workload, c.cwd), before);
  }
});
