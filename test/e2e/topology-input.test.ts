// Where the machine comes from, when that input is bad: `--from` files that are endless, huge, binary or not a
// topology, and `--sysroot` paths that are not a saved root. Every subcommand taking them answers with exit 2
// and one line, before starting anything; bytes of the file never reach the terminal raw. The built CLI, run
// as users run it.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from '../helpers/serve';
import { fixtureRoot } from '../helpers/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'aio-topo-input-'));
const home = join(dir, 'home');

after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
    timeout: 60_000,
    maxBuffer: 1 << 20,
  });
}

/** Exit 2, exactly one line on stderr matching `re`, nothing on stdout, no raw control character. */
function oneLine(args: string[], re: RegExp): void {
  const r = cli(args);
  const what = args.join(' ');
  assert.equal(r.status, 2, `${what}: ${r.stderr}`);
  assert.equal(r.stdout, '', what);
  assert.equal(r.stderr.split('\n').length, 2, `one line for ${what}: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, re, what);
  assert.doesNotMatch(r.stderr.trimEnd(), /[\u0000-\u0008\u000b-\u001f\u007f]/, `raw bytes for ${what}`);
}

describe('--from: bad input is a usage error', () => {
  test('/dev/zero is not read to the end: the cap is named, exit 2', () => {
    oneLine(['topology', '--from', '/dev/zero'], /^aio-tuner: --from: \/dev\/zero is larger than 4 MiB/);
  });

  test('an oversized file, a binary file and a non-topology text exit 2 for topology, command, run and serve', () => {
    const big = join(dir, 'big.txt');
    writeFileSync(big, 'CPU(s): 4\n'.repeat(500_000)); // ~5 MB of otherwise valid-looking text
    const binary = join(dir, 'binary.bin');
    writeFileSync(
      binary,
      Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff, 0x07, 0x0d, 0x1b, 0x5d, 0x30, 0x3b]),
    );
    const json = join(dir, 'bad.json');
    writeFileSync(json, '{"lscpu": \u001b[31m oops}');
    for (const sub of [['topology'], ['command'], ['run'], ['serve', '--port', '0']]) {
      const tail = sub[0] === 'command' || sub[0] === 'run' ? ['--', 'true'] : [];
      oneLine([...sub, '--from', big, ...tail], /--from: .*big\.txt is larger than 4 MiB/);
      oneLine([...sub, '--from', binary, ...tail], /--from: cannot read binary\.bin as a CPU topology/);
      oneLine(
        [...sub, '--from', json, ...tail],
        /--from: bad\.json looks like JSON but does not parse \(.*\\x1b/,
      );
    }
  });

  test('a real saved lscpu output still imports', () => {
    const r = cli([
      'topology',
      '--json',
      '--from',
      join('test', 'fixtures', 'lscpu', 'x86-1p-4c-smt.lscpu.txt'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { cpus: unknown[] }).cpus.length, 8);
  });
});

describe('--sysroot: a path that is not a saved root is a usage error', () => {
  test('missing, a file, a directory without sys/devices/system/cpu', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    for (const sub of ['topology', 'command']) {
      const tail = sub === 'command' ? ['--', 'true'] : [];
      oneLine(
        [sub, '--sysroot', join(dir, 'nope'), ...tail],
        /--sysroot: cannot read .*nope: no such directory/,
      );
      oneLine([sub, '--sysroot', file, ...tail], /--sysroot: .*file is not a directory/);
      oneLine([sub, '--sysroot', dir, ...tail], /--sysroot: .* has no sys\/devices\/system\/cpu/);
    }
  });
});

describe('bytes of a corrupt sysroot file are escaped in the human summary', () => {
  test('an escape sequence in physical_package_id is shown as \\x1b', () => {
    const root = join(dir, 'root');
    cpSync(fixtureRoot('x86-1p-4c-smt'), root, { recursive: true });
    writeFileSync(
      join(root, 'sys/devices/system/cpu/cpu1/topology/physical_package_id'),
      '\u001b[2J\u0007\n',
    );
    const r = cli(['topology', '--sysroot', root]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/);
    assert.match(
      r.stdout,
      /note: sys\/devices\/system\/cpu\/cpu1\/topology\/physical_package_id: "\\x1b\[2J\\x07"/,
    );
  });
});
