// hwloc XML through the built CLI and browser mode, as users run them: `topology --format xml` feeds the real
// `lstopo`, `--from lstopo.xml` works for every command taking --from, the app's "Import topology…" dialog takes
// the file, and a malformed file is a usage error (exit 2) naming its line.
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CLI, launchBrowser, startServe, type Served } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'aio-topo-xml-'));
const home = join(dir, 'home');
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 60_000,
    maxBuffer: 16 << 20,
  });
}

const twoNode = fixtureRoot('arm64-altra-2p-160c-2node');
/** What lstopo itself says about the dump: the file users bring. */
const lstopoFile = join(dir, 'altra.xml');
writeFileSync(
  lstopoFile,
  execFileSync('lstopo', ['--input', twoNode, '--no-io', '--of', 'xml', '-'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }),
);

describe('topology --format', () => {
  test('--format xml writes what lstopo --input draws: 2 packages, 2 nodes, 160 PUs', () => {
    const r = cli(['topology', '--sysroot', twoNode, '--format', 'xml']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE topology SYSTEM "hwloc2\.dtd">/,
    );
    const out = join(dir, 'ours.xml');
    writeFileSync(out, r.stdout);
    const drawn = spawnSync('lstopo', ['--input', out, '--of', 'console', '-'], { encoding: 'utf8' });
    assert.equal(drawn.status, 0, drawn.stderr);
    assert.equal(drawn.stderr, '');
    assert.equal((drawn.stdout.match(/Package L#\d+/g) ?? []).length, 2);
    assert.equal((drawn.stdout.match(/NUMANode L#\d+ \(P#\d+ \d+MB\)/g) ?? []).length, 2);
    assert.equal((drawn.stdout.match(/PU L#\d+/g) ?? []).length, 160);
    // And our own file comes back through --from as the machine the sysroot shows.
    const back = cli(['topology', '--from', out, '--json']);
    const direct = cli(['topology', '--sysroot', twoNode, '--json']);
    assert.equal(back.status, 0, back.stderr);
    const a = JSON.parse(back.stdout) as { cpus: { id: number; core: number; node: number }[] };
    const b = JSON.parse(direct.stdout) as typeof a;
    assert.deepEqual(
      a.cpus.map((c) => [c.id, c.core, c.node]),
      b.cpus.map((c) => [c.id, c.core, c.node]),
    );
  });

  test('--format json is --json; text stays the default; a bad value or a contradiction is exit 2', () => {
    const json = cli(['topology', '--sysroot', twoNode, '--format', 'json']);
    assert.equal(json.status, 0, json.stderr);
    assert.equal(json.stdout, cli(['topology', '--sysroot', twoNode, '--json']).stdout);
    assert.equal(
      cli(['topology', '--sysroot', twoNode, '--format', 'text']).stdout,
      cli(['topology', '--sysroot', twoNode]).stdout,
    );
    const bad = cli(['topology', '--sysroot', twoNode, '--format', 'yaml']);
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'aio-tuner: --format must be one of text|json|xml, got "yaml"\n');
    const both = cli(['topology', '--sysroot', twoNode, '--json', '--format', 'xml']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /^aio-tuner: --json and --format xml contradict each other/);
  });
});

describe('--from lstopo.xml', () => {
  test('topology prints the machine lstopo saw, source hwloc-xml, origin the file name', () => {
    const r = cli(['topology', '--from', lstopoFile, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const t = JSON.parse(r.stdout) as {
      source: string;
      origin: string;
      packages: unknown[];
      nodes: { id: number; cpus: number[]; memoryBytes: number; distances: number[] }[];
      cpus: unknown[];
    };
    assert.equal(t.source, 'hwloc-xml');
    assert.equal(t.origin, 'altra.xml');
    assert.equal(t.cpus.length, 160);
    assert.equal(t.packages.length, 2);
    assert.deepEqual(
      t.nodes.map((n) => [n.id, n.cpus.length, n.distances]),
      [
        [0, 80, [10, 20]],
        [1, 80, [20, 10]],
      ],
    );
    const text = cli(['topology', '--from', lstopoFile]);
    assert.match(text.stdout, /160/);
  });

  test('command takes it like any other import: --node 1 binds node 1 of the file', () => {
    const r = cli(['command', '--from', lstopoFile, '--node', '1', '--', 'true']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /numactl .*--membind=1/);
    assert.match(r.stdout, /--physcpubind=80-159/);
  });

  test('malformed XML is exit 2 with its line, for topology and command', () => {
    const broken = join(dir, 'broken.xml');
    writeFileSync(
      broken,
      '<?xml version="1.0"?>\n<topology version="2.0">\n  <object type="Machine" cpuset=0x1>\n</topology>\n',
    );
    for (const args of [['topology'], ['command', '--node', '0']]) {
      const tail = args[0] === 'command' ? ['--', 'true'] : [];
      const r = cli([...args, '--from', broken, ...tail]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        'aio-tuner: --from: broken.xml is not well-formed XML: line 3: the value of attribute cpuset of <object> must be quoted\n',
      );
    }
  });
});

describe('browser mode: Import topology… takes an lstopo XML file', () => {
  let browser: Browser;
  let served: Served;
  before(async () => {
    [browser, served] = await Promise.all([
      launchBrowser(),
      startServe(['--sysroot', fixtureRoot('x86-1p-4c-smt')]),
    ]);
  });
  after(async () => {
    await browser?.close();
    await served?.stop();
  });

  test('choosing the file and Load shows its 160 CPUs in 2 nodes', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(served.url);
    await page.waitForSelector('[data-cpu="7"]');
    await page.getByRole('button', { name: 'Import topology…' }).click();
    await page.setInputFiles('input[aria-label="Topology file"]', lstopoFile);
    await page.waitForFunction(() =>
      (
        document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Topology text"]')?.value ?? ''
      ).includes('<topology'),
    );
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-cpu]').length === 160);
    assert.equal(await page.locator('.node-box').count(), 2);
    assert.equal(await page.locator('.node-box[data-node="1"] [data-cpu]').count(), 80);
    await page.close();
  });
});
