// Redaction for support bundles: names, NAME=value pairs, secret options, literal values, user patterns.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redactor, REDACTED, PatternError, MIN_LITERAL_LENGTH } from '../../app/bundle/redact';
import { effectiveEnv, formatEnvTxt, isRelevantName } from '../../app/bundle/env';
import { debugRunSettings, previewBundle, plannedFiles } from '../../app/bundle';
import { defaultSettings } from '../../app/command';
import { readSysfsTopology } from '../../app/topology';
import { fixtureRoot } from '../helpers/fixtures';

describe('secret names', () => {
  const r = new Redactor();
  test('every built-in word, case-insensitive, as a substring', () => {
    for (const name of [
      'HF_TOKEN',
      'hf_token',
      'AWS_SECRET_ACCESS_KEY',
      'DB_PASSWORD',
      'MYSQL_PASSWD',
      'OPENAI_API_KEY',
      'GOOGLE_APPLICATION_CREDENTIALS',
      'HTTP_AUTH',
      'SESSION_COOKIE',
      'JUPYTER_SESSION',
    ]) {
      assert.equal(r.isSecretName(name), true, name);
    }
  });
  test('ordinary tuning variables are kept', () => {
    for (const name of [
      'AIO_NUM_THREADS',
      'OMP_NUM_THREADS',
      'AIO_NUMA_CPUS',
      'LD_PRELOAD',
      'PYTHONPATH',
      'PATH',
    ]) {
      assert.equal(r.isSecretName(name), false, name);
    }
  });
  test('user words extend the list; /regex/ patterns redact text', () => {
    const u = new Redactor({ patterns: ['internal', '/build-host-\\d+/'] });
    assert.equal(u.isSecretName('MY_INTERNAL_URL'), true);
    assert.equal(u.text('compiled on build-host-42 today'), `compiled on ${REDACTED} today`);
  });
  test('an invalid user regex is a PatternError', () => {
    assert.throws(() => new Redactor({ patterns: ['/([/'] }), PatternError);
  });
});

describe('text redaction', () => {
  const r = new Redactor({ envs: [{ HF_TOKEN: 'hf_secret123', XDG_SESSION_TYPE: 'tty', PATH: '/usr/bin' }] });
  test('NAME=value pairs, quoted or not', () => {
    assert.equal(r.text('HF_TOKEN=abcdef python3 run.py'), `HF_TOKEN=${REDACTED} python3 run.py`);
    assert.equal(r.text(`export API_KEY='a b c'`), `export API_KEY=${REDACTED}`);
    assert.equal(r.text('x MY_PASSWORD="p w" y'), `x MY_PASSWORD=${REDACTED} y`);
  });
  test('secret-looking options with a separate or attached value', () => {
    assert.equal(r.text('run.py --token abc123 -m x'), `run.py --token ${REDACTED} -m x`);
    assert.equal(r.text('run.py --api-key=abc123'), `run.py --api-key=${REDACTED}`);
    // A following option is not swallowed as the value.
    assert.equal(r.text('run.py --use-auth --verbose'), 'run.py --use-auth --verbose');
  });
  test('literal secret values anywhere, e.g. a JSON dump of the environment', () => {
    const line = JSON.stringify({ HF_TOKEN: 'hf_secret123', URL: 'https://x/?t=hf_secret123' });
    const out = r.text(line);
    assert.ok(!out.includes('hf_secret123'), out);
    assert.equal(JSON.parse(out).HF_TOKEN, REDACTED);
  });
  test(`values shorter than ${MIN_LITERAL_LENGTH} characters are hidden by name only`, () => {
    assert.equal(r.text('a tty line'), 'a tty line');
    assert.equal(r.text('XDG_SESSION_TYPE=tty'), `XDG_SESSION_TYPE=${REDACTED}`);
  });
  test("Python's KeyError keeps its message", () => {
    assert.equal(r.text("KeyError: 'layer.weight'"), "KeyError: 'layer.weight'");
  });
  test('an already redacted, quoted placeholder stays valid shell', () => {
    assert.equal(r.text(`export HF_TOKEN='${REDACTED}'`), `export HF_TOKEN='${REDACTED}'`);
    assert.equal(r.text(`x --token '${REDACTED}'`), `x --token '${REDACTED}'`);
  });
  test('raw bytes: invalid UTF-8 survives, secrets go', () => {
    const raw = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(' hf_secret123 '),
      Buffer.from([0xc3]),
    ]);
    const out = r.bytes(raw);
    assert.deepEqual(out.subarray(0, 2), Buffer.from([0xff, 0xfe]));
    assert.equal(out[out.length - 1], 0xc3);
    assert.ok(!out.includes('hf_secret123'));
    const clean = Buffer.from('nothing to hide');
    assert.equal(r.bytes(clean), clean, 'unchanged lines are not copied');
  });
  test('non-ASCII secrets are found in UTF-8 bytes', () => {
    const u = new Redactor({ envs: [{ DB_PASSWORD: 'pässwörd99' }] });
    assert.equal(u.bytes(Buffer.from('login pässwörd99 ok')).toString('utf8'), `login ${REDACTED} ok`);
  });
});

describe('argv and JSON', () => {
  const r = new Redactor();
  test('the word after a secret option, --opt=value, NAME=value words', () => {
    assert.deepEqual(
      r.argv(['python3', 'run.py', '--token', 'abc', '--auth-key=xyz', 'HF_TOKEN=q', '-m', 'cnn']),
      [
        'python3',
        'run.py',
        '--token',
        REDACTED,
        `--auth-key=${REDACTED}`,
        `HF_TOKEN=${REDACTED}`,
        '-m',
        'cnn',
      ],
    );
  });
  test('secretArgs finds the values so they are hidden as literals too', () => {
    const found = r.secretArgs(['run.py', '--token', 'abcdefgh', '--password=zzzzzzzz', '-m', 'x']);
    assert.deepEqual(found, ['abcdefgh', 'zzzzzzzz']);
    const lit = new Redactor({ values: found });
    assert.equal(lit.text('using abcdefgh'), `using ${REDACTED}`);
  });
  test('deep JSON: secret keys and secret literals', () => {
    const j = new Redactor({ envs: [{ MY_SECRET: 'shhh-value' }] });
    const out = j.json({ env: { MY_SECRET: 'x', A: '1' }, list: ['shhh-value!'], n: 3, nil: null });
    assert.deepEqual(out, { env: { MY_SECRET: REDACTED, A: '1' }, list: [`${REDACTED}!`], n: 3, nil: null });
  });
});

describe('env.txt', () => {
  test('set, unset and relevant inherited variables, bash syntax, secrets hidden', () => {
    const inherited = {
      HF_TOKEN: 'hf_secret123',
      OMP_PROC_BIND: 'close',
      HOME: '/root',
      LD_PRELOAD: '/x.so',
      FOO: '1',
    };
    const e = effectiveEnv(
      { env: { AIO_NUM_THREADS: '2', OMP_NUM_THREADS: '2' }, unset: ['FOO'] },
      inherited,
    );
    assert.deepEqual(Object.keys(e.inherited), ['HF_TOKEN', 'LD_PRELOAD', 'OMP_PROC_BIND']);
    const r = new Redactor({ envs: [inherited] });
    const txt = formatEnvTxt(e, r);
    assert.match(txt, /^AIO_NUM_THREADS=2$/m);
    assert.match(txt, /^unset FOO$/m);
    assert.match(txt, /^HF_TOKEN='<redacted>'$/m);
    assert.ok(!txt.includes('hf_secret123'));
    assert.ok(!txt.includes('HOME='), 'irrelevant inherited variables are left out');
  });
  test('relevant names', () => {
    for (const n of ['AIO_X', 'DLS_NUM_THREADS', 'KMP_AFFINITY', 'LD_PRELOAD', 'PYTHONPATH', 'PATH'])
      assert.ok(isRelevantName(n), n);
    for (const n of ['HOME', 'TERM', 'SHELL']) assert.ok(!isRelevantName(n), n);
  });
});

describe('preview', () => {
  test('AIO_DEBUG_MODE=4 and nothing else changed, even over an explicit value', () => {
    const s = defaultSettings();
    s.cpus = [0, 1];
    s.debugMode = 1;
    s.env = { AIO_DEBUG_MODE: '2', AIO_MERGE_LINEAR: '0' };
    const d = debugRunSettings(s);
    assert.equal(d.debugMode, 4);
    assert.deepEqual(d.env, { AIO_MERGE_LINEAR: '0' });
    assert.deepEqual(d.cpus, [0, 1]);
    assert.equal(s.env.AIO_DEBUG_MODE, '2', 'the caller’s settings are not modified');
  });
  test('files, redacted env and command, and the names redacted', async () => {
    const t = await readSysfsTopology(fixtureRoot('arm64-altra-1p-80c'));
    const s = defaultSettings();
    s.cpus = [0, 1, 2, 3];
    s.env = { HF_TOKEN: 'hf_secret123' };
    s.workload = ['python3', 'run.py', '--token', 'tok_abcdef', '-m', 'resnet50'];
    const p = previewBundle(s, t, ['MODEL_PATH']);
    assert.deepEqual(p.files, plannedFiles(s.workload));
    assert.ok(p.files.includes('python/pip-list.txt'));
    assert.equal(p.env.AIO_DEBUG_MODE, '4');
    assert.equal(p.env.AIO_NUM_THREADS, '4');
    assert.equal(p.env.HF_TOKEN, REDACTED);
    assert.ok(!p.command.includes('hf_secret123') && !p.command.includes('tok_abcdef'), p.command);
    assert.match(p.command, /numactl --physcpubind=0-3/);
    assert.ok(p.redacted.includes('HF_TOKEN') && p.redacted.includes('--token'), p.redacted.join());
    assert.ok(!plannedFiles(['./my_binary']).some((f) => f.startsWith('python/')));
  });
});
