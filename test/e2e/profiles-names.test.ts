// `aio-tuner profiles` keeps one form of each name (NFC): "café" typed composed or decomposed is one profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI, freshHome } from '../helpers/serve';

const NFC = 'caf\u00e9';
const NFD = 'cafe\u0301';

function cli(home: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, AIO_TUNER_HOME: home },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('profiles: a name saved decomposed and then composed is one profile, usable by either form', () => {
  const home = freshHome();
  const ok = (args: string[]) => {
    const r = cli(home, args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  assert.match(
    ok(['profiles', 'save', NFD, '--mem', 'none', '--', 'echo', 'one']).stdout,
    /^saved profile "café"/,
  );
  assert.match(
    ok(['profiles', 'save', NFC, '--mem', 'none', '--', 'echo', 'two']).stdout,
    /^replaced profile/,
  );
  const listed = JSON.parse(ok(['profiles', '--json']).stdout) as { name: string }[];
  assert.deepEqual(
    listed.map((p) => p.name),
    [NFC],
  );
  const built = JSON.parse(ok(['command', '--format', 'json', '--profile', NFD]).stdout) as {
    argv: string[];
  };
  assert.deepEqual(built.argv.slice(-2), ['echo', 'two']);
  const exported = JSON.parse(ok(['profiles', 'export', NFD]).stdout) as { profiles: { name: string }[] };
  assert.deepEqual(
    exported.profiles.map((p) => p.name),
    [NFC],
  );
  assert.match(ok(['profiles', 'delete', NFD]).stdout, new RegExp(`deleted profile "${NFC}"`));
  assert.deepEqual(JSON.parse(ok(['profiles', '--json']).stdout), []);
});
