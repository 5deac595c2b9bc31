// Every JSON the CLI prints for scripts carries "schemaVersion" beside the fields it always had (the built
// `aio-tuner`, as scripts run it), and the files those commands save carry it too.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { need } from '../helpers/require';
import { fixtureRoot } from '../helpers/fixtures';

const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'aio-cli-json-'));
const home = join(dir, 'home');

before(() => {
  if (!existsSync(join(process.cwd(), 'dist', 'cli.mjs')))
    throw new Error('dist/cli.mjs missing: run `npm run build` first');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r;
}

/** The printed JSON: version 1 first, then at least the fields the README has always promised. */
function versioned(stdout: string, fields: string[]): Record<string, unknown> {
  const j = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(Object.keys(j)[0], 'schemaVersion');
  assert.equal(j.schemaVersion, 1);
  for (const f of fields) assert.ok(f in j, `${f} is still there`);
  return j;
}

describe('--json outputs carry schemaVersion', () => {
  test('topology --json and command --format json', () => {
    const root = fixtureRoot('arm64-altra-2p-160c-2node');
    versioned(cli(['topology', '--json', '--sysroot', root]).stdout, [
      'source',
      'model',
      'arch',
      'cpus',
      'nodes',
    ]);
    versioned(
      cli(['command', '--sysroot', root, '--cores', '0-3', '--format', 'json', '--', 'true']).stdout,
      ['argv', 'env', 'unset', 'shell', 'cwd', 'checks'],
    );
  });

  test('run --json, its run.json, and bundle --from-run --json', () => {
    const r = cli(['run', '--mem', 'none', '--json', '--', 'sh', '-c', 'echo latency: 5 ms']);
    const j = versioned(r.stdout, [
      'exitCode',
      'signal',
      'durationMs',
      'logFile',
      'lines',
      'results',
      'runId',
    ]);
    assert.equal(j.exitCode, 0);
    const runDir = join(home, 'runs', String(j.runId));
    assert.equal(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).schemaVersion, 1);
    const b = cli(['bundle', '--from-run', runDir, '--out', `${dir}/`, '--json']);
    versioned(b.stdout, ['path', 'sizeBytes', 'note', 'files']);
  });

  test('sweep --json and the saved sweep record', (t) => {
    if (!need(t, hasNumactl, 'numactl')) return;
    const r = cli(['sweep', '--threads', '1', '--json', '--', 'sh', '-c', 'echo latency: 5 ms']);
    const j = versioned(r.stdout, ['sweepId', 'state', 'planned', 'skipped', 'rows', 'best']);
    const saved = JSON.parse(readFileSync(join(home, 'sweeps', `${String(j.sweepId)}.json`), 'utf8'));
    assert.equal(saved.schemaVersion, 1);
  });

  test('profiles: list --json (in each entry of the array), export, import --json', () => {
    cli(['profiles', 'save', 'one', '--mem', 'none', '--', 'true']);
    const file = JSON.parse(readFileSync(join(home, 'profiles', 'one.json'), 'utf8'));
    assert.equal(file.schemaVersion, 1);
    // An array has no top level to put it in: each entry carries it.
    assert.deepEqual(
      (JSON.parse(cli(['profiles', 'list', '--json']).stdout) as unknown[]).map((p) =>
        Object.keys(p as object),
      ),
      [['schemaVersion', 'name', 'savedAt']],
    );
    const exported = versioned(cli(['profiles', 'export']).stdout, ['format', 'version', 'profiles']);
    const out = join(dir, 'export.json');
    writeFileSync(out, JSON.stringify(exported));
    versioned(cli(['profiles', 'import', out, '--json']).stdout, ['imported', 'skipped', 'errors']);
  });
});
