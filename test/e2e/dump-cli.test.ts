// `aio-tuner dump` (issue 15), the built CLI as users run it: a dump of this machine, as a directory or the
// default .tar.gz under $AIO_TUNER_HOME/dumps, replays with `topology --sysroot` to the map `topology` shows; a
// support bundle replays the same way; a dump of a target through a REAL OpenSSH server (test/helpers/sshd.ts)
// replays to the target's map. Exit 1 when the dump cannot be written or an archive is corrupt, 2 for usage.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';
import { comparableTopology } from '../helpers/topology';
import type { Topology } from '../../app/shared/topology';

const dir = mkdtempSync(join(tmpdir(), 'aio-dump-cli-'));
const home = join(dir, 'home');
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 180_000,
    maxBuffer: 16 << 20,
  });
}

function topology(...args: string[]): Topology {
  const r = cli(['topology', '--json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Topology;
}

/** Exit `code` with exactly one line on stderr matching `re`. */
function fails(args: string[], code: number, re: RegExp): void {
  const r = cli(args);
  assert.equal(r.status, code, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  assert.equal(r.stderr.split('\n').length, 2, `one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, re);
}

describe('aio-tuner dump of this machine', () => {
  const host = () => comparableTopology(topology());

  test('--out DIR: topology --sysroot DIR shows the map of this machine', () => {
    const out = join(dir, 'tree');
    const r = cli(['dump', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /files read by the engine/);
    assert.ok(existsSync(join(out, 'sys/devices/system/cpu/online')));
    assert.ok(existsSync(join(out, 'uname.txt')));
    assert.deepEqual(comparableTopology(topology('--sysroot', out)), host());
  });

  test('default --out: $AIO_TUNER_HOME/dumps/aio-tuner-dump-<host>-<time>.tar.gz; --sysroot reads the archive', () => {
    const r = cli(['dump', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { path: string; sizeBytes: number; files: number };
    const safeHost =
      hostname()
        .replace(/[^A-Za-z0-9._-]+/g, '-')
        .replace(/^[-.]+/, '') || 'host';
    assert.match(
      info.path,
      new RegExp(`^${join(home, 'dumps')}/aio-tuner-dump-${safeHost}-\\d{8}-\\d{6}\\.tar\\.gz$`),
    );
    assert.equal(info.sizeBytes, statSync(info.path).size);
    assert.deepEqual(
      readdirSync(join(home, 'dumps')).filter((f) => f.endsWith('.part')),
      [],
      'no temporary left',
    );
    const t = topology('--sysroot', info.path);
    assert.equal(t.source, 'sysfs');
    assert.equal(t.origin, info.path, 'origin names the archive');
    assert.deepEqual(comparableTopology(t), host());
    // The doctor examines the archive as it examines a saved root, and names it.
    const d = cli(['doctor', '--json', '--sysroot', info.path]);
    assert.ok(d.status === 0 || d.status === 3, d.stderr);
    assert.deepEqual(JSON.parse(d.stdout).source, { kind: 'sysroot', path: info.path });
    // A dump of the dump (--sysroot ARCHIVE) is the same machine again.
    const again = join(dir, 'again.tar.gz');
    assert.equal(cli(['dump', '--sysroot', info.path, '--out', again]).status, 0);
    assert.deepEqual(comparableTopology(topology('--sysroot', again)), host());
  });

  test('a support bundle replays: topology --sysroot BUNDLE.tar.gz shows the map of its machine', () => {
    const bundle = join(dir, 'support.tar.gz');
    const r = spawnSync(
      process.execPath,
      [CLI, 'bundle', '--out', bundle, '--', '/bin/sh', '-c', 'echo hi'],
      {
        encoding: 'utf8',
        env: { ...process.env, AIO_TUNER_HOME: home },
        timeout: 180_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const listing = spawnSync('tar', ['tzf', bundle], { encoding: 'utf8' }).stdout;
    assert.match(listing, /^support\/system\/sysfs\/sys\/devices\/system\/cpu\/online$/m);
    const t = topology('--sysroot', bundle);
    assert.equal(t.origin, bundle);
    assert.deepEqual(comparableTopology(t), host());
  });
});

describe('aio-tuner dump: failures and usage', () => {
  test('an --out that cannot be written: exit 1, one line', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    fails(['dump', '--out', join(file, 'x.tar.gz')], 1, /^aio-tuner: dump: cannot write .*x\.tar\.gz: /);
    const full = join(dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep'), 'x');
    fails(['dump', '--out', full], 1, /exists and is not empty/);
  });

  test('a corrupt archive: exit 1 for topology and dump, one line naming it', () => {
    const bad = join(dir, 'corrupt.tar.gz');
    writeFileSync(bad, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(200, 0x41)]));
    fails(['topology', '--sysroot', bad], 1, /corrupt\.tar\.gz: not a readable \.tar\.gz archive/);
    fails(['dump', '--sysroot', bad, '--out', join(dir, 'never')], 1, /corrupt\.tar\.gz: not a readable/);
    assert.ok(!existsSync(join(dir, 'never')));
    const empty = join(dir, 'empty.tar.gz');
    assert.equal(spawnSync('tar', ['czf', empty, '-C', dir, 'a-file']).status, 0);
    fails(['topology', '--sysroot', empty], 1, /holds no sys\/devices\/system\/cpu/);
  });

  test('bad flags: exit 2', () => {
    fails(['dump', '--bogus'], 2, /unknown option/);
    fails(['dump', '--out'], 2, /--out needs a value/);
    fails(['dump', 'extra'], 2, /unexpected argument "extra"/);
    fails(['dump', '--sysroot', join(dir, 'nope')], 2, /--sysroot: cannot read/);
    fails(['dump', '--target', 'ftp://x'], 2, /--target/);
  });
});

const unavailable = sshdUnavailable();
if (unavailable && process.env.CI === 'true') throw new Error(`${unavailable}: required when CI=true`);

describe('aio-tuner dump --target (real sshd)', { skip: unavailable ?? false }, () => {
  let sshd: Sshd;
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
  });

  test("the target's dump replays to the map `topology --target` shows", () => {
    const out = join(dir, 'remote.tar.gz');
    const r = cli(['dump', '--target', sshd.url, '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const remote = topology('--target', sshd.url);
    const replay = topology('--sysroot', out);
    assert.equal(replay.origin, out);
    assert.deepEqual(comparableTopology(replay), comparableTopology(remote));
    const listing = spawnSync('tar', ['tzf', out], { encoding: 'utf8' }).stdout;
    // Read by the doctor and the load sampler, not by the map's probe script: fetched because the readers asked.
    assert.match(listing, /\/proc\/stat$/m);
  });
});
