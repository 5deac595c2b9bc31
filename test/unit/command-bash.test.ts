/**
 * Property test: the generated `shell` line and `script` are run by the real /bin/bash and the program at the end
 * must receive exactly the argv and environment the settings describe. Real binaries receive them:
 * /usr/bin/printf '%s\0' echoes its argv, /usr/bin/env -0 its environment, /bin/pwd -P its directory. numactl is
 * never faked: these cases use memPolicy 'none' and no CPUs, so the workload runs directly; a separate case runs
 * the real numactl when it is installed.
 *
 * The `docker run -e …` / `docker exec -e …` forms go through the same bash, with `docker` defined as a bash
 * FUNCTION in the driver that writes the argv bash hands it (no docker binary is involved or imitated): the -e
 * values, -w, the image/container and the command after it must be exactly the intended ones. When variables are
 * unset the command after the image is `env -u …`, which is then run for real (as the container would) to check
 * that it runs the intended argv without those variables.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  buildCommand,
  DEFAULT_CONTAINER,
  DEFAULT_IMAGE,
  defaultSettings,
  type RunSettings,
} from '../../app/command';
import { prng } from '../helpers/prng';

const run = promisify(execFile);
const SEED = Number(process.env.AIO_PROPERTY_SEED ?? 20240611);
const BASH = '/bin/bash';
/**
 * Creating a process costs about 20 ms on the CI VM, so the bulk of the argv cases runs bash's own `printf`
 * builtin: bash parses and unquotes the words exactly as for an external program, without a fork. Smaller sets
 * exec real binaries to cover the exported environment, scripts and exotic command names.
 */
const COUNTS = { argvBuiltin: 3000, argvExec: 40, env: 150, cwd: 100, scripts: 50, docker: 600 };

const PIECES = [
  ...'abcXYZ019_-./:,=+@%^',
  ' ',
  '  ',
  "'",
  '"',
  '$',
  '`',
  '*',
  '?',
  '[',
  ']',
  '\\',
  '\n',
  '\t',
  '!',
  '#',
  '~',
  '{',
  '}',
  '(',
  ')',
  ';',
  '&',
  '|',
  '<',
  '>',
  'é',
  'ß',
  '日本',
  '🚀',
  '\u00a0',
  '\r',
  "'\\''",
  '$(echo PWNED)',
  '`echo PWNED`',
  '${HOME}',
  '$HOME',
  '\\n',
  '--',
];
const SPECIAL = [
  '',
  '--',
  '-',
  '-x',
  '--foo=bar',
  'A=b',
  '=',
  '=x',
  '$HOME',
  "'",
  '"',
  '\\',
  'if',
  '!',
  '~',
  '*',
  '#c',
  '\n',
  ' ',
];

class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  str(): string {
    if (this.r() < 0.15) return this.pick(SPECIAL);
    let s = '';
    const n = this.int(8);
    for (let i = 0; i < n; i++) s += this.pick(PIECES);
    return s;
  }
  name(): string {
    // A T_ prefix keeps clear of variables bash or the dynamic loader treat specially (PATH, LD_*, BASH_*, …).
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_abc';
    let s = 'T_';
    const n = 1 + this.int(6);
    for (let i = 0; i < n; i++) s += this.pick([...chars]);
    return s;
  }
  env(): Record<string, string | null> {
    const env: Record<string, string | null> = {};
    const n = this.int(5);
    for (let i = 0; i < n; i++) env[this.name()] = this.r() < 0.2 ? null : this.str();
    if (this.r() < 0.2) env.AIO_MEM_BIND = this.pick(['0', '1']);
    return env;
  }
}

interface Case {
  kind: 'argv' | 'env' | 'cwd' | 'docker';
  form: 'shell' | 'script' | 'docker-run' | 'docker-exec';
  settings: RunSettings;
  text: string;
  built: ReturnType<typeof buildCommand>;
  /** Image (docker run) or container (docker exec) the form names. */
  target?: string;
}

let dir: string;
let bin: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'aio-bash-prop-'));
  bin = join(dir, 'bin');
  mkdirSync(bin);
  // Command names bash and env treat specially: one starting with "-" and one containing "=".
  symlinkSync('/usr/bin/printf', join(bin, '-dash-printf'));
  symlinkSync('/usr/bin/printf', join(bin, 'a=printf'));
  mkdirSync(join(dir, 'cwd'));
  mkdirSync(join(dir, 'out'));
  mkdirSync(join(dir, 'scripts'));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const BASE_ENV: Record<string, string> = { PATH: '', LANG: 'C.UTF-8', HOME: '/nonexistent' };
/** Variables bash itself adds to or changes in the environment of what it runs. */
const BASH_NOISE = new Set(['_', 'SHLVL', 'PWD', 'OLDPWD']);

function makeCases(g: Gen): Case[] {
  const cases: Case[] = [];
  const add = (kind: Case['kind'], form: Case['form'], s: RunSettings, target?: string) => {
    const built = buildCommand(s, null, { image: target, container: target });
    const text =
      form === 'shell'
        ? built.shell
        : form === 'script'
          ? built.script
          : form === 'docker-run'
            ? built.dockerRun
            : built.dockerExec;
    cases.push({ kind, form, settings: s, text, built, target: target ?? DOCKER_DEFAULT[form] });
  };
  const base = (): RunSettings => ({
    ...defaultSettings(),
    memPolicy: 'none',
    cpus: [],
    threads: g.r() < 0.7 ? 1 + g.int(64) : null,
    debugMode: g.r() < 0.3 ? g.int(5) : null,
  });
  const args = () => Array.from({ length: g.int(7) }, () => g.str());
  // Unsets make the line go through `env -u`, an external program; the env cases cover them, the bulk avoids forks.
  const envNoUnset = () => Object.fromEntries(Object.entries(g.env()).filter(([, v]) => v !== null));
  for (let i = 0; i < COUNTS.argvBuiltin; i++) {
    add('argv', 'shell', { ...base(), env: envNoUnset(), workload: ['printf', '%s\\0', 'MARK', ...args()] });
  }
  for (let i = 0; i < COUNTS.argvExec; i++) {
    const argv0 = g.pick(['/usr/bin/printf', '-dash-printf', 'a=printf']);
    add('argv', i % 2 ? 'script' : 'shell', {
      ...base(),
      env: g.env(),
      workload: [argv0, '%s\\0', 'MARK', ...args()],
    });
  }
  for (let i = 0; i < COUNTS.scripts; i++) {
    add('argv', 'script', {
      ...base(),
      env: g.env(),
      workload: ['/usr/bin/printf', '%s\\0', 'MARK', ...args()],
    });
  }
  for (let i = 0; i < COUNTS.env; i++) {
    add('env', i % 2 ? 'script' : 'shell', { ...base(), env: g.env(), workload: ['/usr/bin/env', '-0'] });
  }
  for (let i = 0; i < COUNTS.cwd; i++) {
    // Every generated name is a real directory, so `cd` must land in exactly it.
    const name = `${i}-${g.str().replace(/\//g, '_')}`;
    mkdirSync(join(dir, 'cwd', name));
    const script = i % 4 === 0;
    const s = { ...base(), env: envNoUnset(), cwd: join(dir, 'cwd', name) };
    add('cwd', script ? 'script' : 'shell', { ...s, workload: script ? ['/bin/pwd', '-P'] : ['pwd', '-P'] });
  }
  for (let i = 0; i < COUNTS.docker; i++) {
    const env = g.env();
    const unsets = Object.values(env).some((v) => v === null);
    // numactl only where nothing is unset: those cases are checked as words alone, never executed.
    const bound = !unsets && g.r() < 0.4;
    const cpus = bound ? Array.from({ length: 1 + g.int(4) }, () => g.int(8)) : [];
    add(
      'docker',
      i % 2 ? 'docker-run' : 'docker-exec',
      {
        ...base(),
        cpus,
        memPolicy: bound ? g.pick(['none', 'local', 'bind'] as const) : 'none',
        memNodes: bound ? [0] : null,
        env,
        cwd: g.r() < 0.3 ? g.str() : null,
        workload: g.r() < 0.05 ? [] : [g.pick(DOCKER_ARGV0), '%s\\0', 'MARK', ...args()],
      },
      g.r() < 0.3 ? g.str() : undefined,
    );
  }
  return cases;
}

const DOCKER_DEFAULT: Partial<Record<Case['form'], string>> = {
  'docker-run': DEFAULT_IMAGE,
  'docker-exec': DEFAULT_CONTAINER,
};
const DOCKER_HEAD: Partial<Record<Case['form'], string[]>> = {
  'docker-run': ['run', '--rm', '-it', '--privileged=true', '--network', 'host'],
  'docker-exec': ['exec', '-it'],
};
/** Command names for docker cases: a path, a PATH lookup, one starting with "-" and one containing "=". */
const DOCKER_ARGV0 = ['/usr/bin/printf', 'printf', '-dash-printf', 'a=printf'];

/**
 * One driver script runs every case, its stdout to its own file and its exit status appended to a status file.
 * Cases that unset variables first export them (in a subshell) so that their removal is observable.
 */
function writeDriver(cases: Case[]): string {
  // Not a docker stand-in: it only records the words bash passes to the name `docker`.
  const lines = ['set -u', `D='${dir}'`, 'docker() { printf \'%s\\0\' "$@"; }'];
  cases.forEach((c, i) => {
    const pre = c.built.unset.map((n) => `export ${n}=present; `).join('');
    const out = `>"$D/out/${i}" 2>&1; echo "${i} $?" >>"$D/status"; cd "$D"`;
    if (c.kind === 'docker') {
      lines.push(`{\n${c.text}\n} ${out}`);
    } else if (c.form === 'script') {
      writeFileSync(join(dir, 'scripts', `${i}.sh`), c.text);
      lines.push(
        pre ? `( ${pre}exec ${BASH} "$D/scripts/${i}.sh" ) ${out}` : `${BASH} "$D/scripts/${i}.sh" ${out}`,
      );
    } else if (pre) {
      lines.push(`( ${pre}\n${c.text}\n) ${out}`);
    } else {
      // Run in the driver itself: prefix assignments do not outlive the command, and `cd` is undone after it.
      lines.push(`{\n${c.text}\n} ${out}`);
    }
  });
  const path = join(dir, 'driver.sh');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

function parseNulList(buf: Buffer): string[] {
  const parts = buf.toString('utf8').split('\0');
  assert.equal(parts.pop(), '', 'output ends with NUL');
  return parts;
}

/**
 * The words bash handed to `docker`: the head, one `-e NAME=value` per variable set, `-w DIR`, the image or
 * container, then the command. Returns the command part when it removes variables first (`env -u …`, or
 * `sh -c 'unset …'` for a command named with "="), to be run for real; else null.
 */
function verifyDocker(c: Case, words: string[], where: string): string[] | null {
  const head = DOCKER_HEAD[c.form]!;
  assert.deepEqual(words.slice(0, head.length), head, where);
  let i = head.length;
  const assigned: string[] = [];
  while (words[i] === '-e') {
    assigned.push(words[i + 1]!);
    i += 2;
  }
  assert.deepEqual(
    assigned,
    Object.entries(c.built.env).map(([k, v]) => `${k}=${v}`),
    `-e values in ${where}`,
  );
  const cwd = c.settings.cwd;
  if (c.form === 'docker-run') {
    // The working directory is mounted at the same path and the container starts there; without one it is
    // the shell's own ($PWD: the driver runs every case in `dir`), a relative one is taken from there.
    const wd = cwd === null ? dir : cwd.startsWith('/') ? cwd : `${dir}/${cwd}`;
    if (words[i] === '--mount') {
      assert.ok(wd.includes(':'), `--mount only for a path -v cannot carry, in ${where}`);
      assert.deepEqual(csvFields(words[i + 1]!), ['type=bind', `source=${wd}`, `target=${wd}`], where);
    } else assert.deepEqual(words.slice(i, i + 2), ['-v', `${wd}:${wd}`], `-v in ${where}`);
    assert.deepEqual(words.slice(i + 2, i + 4), ['-w', wd], `-w in ${where}`);
    i += 4;
  } else if (cwd !== null) {
    assert.deepEqual(words.slice(i, i + 2), ['-w', cwd], `-w in ${where}`);
    i += 2;
  }
  assert.equal(words[i], c.target, `image/container in ${where}`);
  const rest = words.slice(i + 1);
  if (c.built.unset.length === 0) {
    assert.deepEqual(rest, c.built.argv, `command after the image in ${where}`);
    return null;
  }
  assert.ok(rest[0] === 'env' || rest[0] === 'sh', `unsets go through env -u (or sh -c unset) in ${where}`);
  return rest;
}

/** One CSV record as Docker's --mount reads it (encoding/csv: "" inside quotes is a quote). */
function csvFields(text: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k]!;
    if (quoted) {
      if (ch === '"' && text[k + 1] === '"') {
        cur += '"';
        k++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(cur);
      cur = '';
    } else cur += ch;
  }
  fields.push(cur);
  return fields;
}

/** Commands that unset first, from docker forms, to run as the container would once bash's words are checked. */
const dockerEnvCommands: { c: Case; rest: string[] }[] = [];

/**
 * Run a docker form's `env -u NAME… [--] CMD ARGS…` here, with the unset variables present, as the container
 * would run it: the printf workload must get exactly its arguments and none of the unset variables may reach it.
 */
async function runEnvCommand({ c, rest }: { c: Case; rest: string[] }): Promise<void> {
  const where = `${c.form} case:\n${c.text}`;
  // `env -u NAME … CMD`, or for a command whose name contains "=" (env would take it for an assignment)
  // `sh -c 'unset NAME …; exec "$@"' sh CMD`: either way run it for real inside a "container" of this machine.
  const viaSh = rest[0] === 'sh';
  if (viaSh) {
    assert.ok(c.settings.workload[0]!.includes('='), `sh -c only for a command named with "=": ${where}`);
    assert.equal(rest[1], '-c', where);
    assert.equal(rest[2], `unset ${c.built.unset.join(' ')}; exec "$@"`, where);
  } else {
    assert.equal(rest[0], 'env', where);
    for (const n of c.built.unset) {
      const at = rest.indexOf(n);
      assert.ok(at > 0 && rest[at - 1] === '-u', `env -u ${n} in ${where}`);
    }
  }
  const present = Object.fromEntries(c.built.unset.map((n) => [n, 'present']));
  const out = await run(viaSh ? '/bin/sh' : '/usr/bin/env', rest.slice(1), {
    env: { ...BASE_ENV, PATH: `${bin}:/usr/bin:/bin`, ...present },
    encoding: 'buffer',
  }).catch((err: { stdout?: Buffer; stderr?: Buffer; code?: number }) => {
    assert.fail(`exit ${err.code} (${err.stderr?.toString('utf8')}) for ${where}`);
  });
  assert.deepEqual(parseNulList(out.stdout), c.settings.workload.slice(2), where);
}

function verify(c: Case, out: Buffer, status: number): void {
  const where = `${c.kind}/${c.form} case:\n${c.text}\n--- output:\n${out.toString('utf8')}`;
  assert.equal(status, 0, `exit status ${status} for ${where}`);
  if (c.kind === 'docker') {
    const rest = verifyDocker(c, parseNulList(out), where);
    if (rest && c.settings.workload.length > 0) dockerEnvCommands.push({ c, rest });
    return;
  }
  if (c.kind === 'argv') {
    const got = parseNulList(out);
    assert.deepEqual(got, c.settings.workload.slice(2), where);
    return;
  }
  if (c.kind === 'cwd') {
    assert.equal(out.toString('utf8'), realpathSync(c.settings.cwd!) + '\n', where);
    return;
  }
  const env = new Map<string, string>();
  for (const entry of parseNulList(out)) {
    const eq = entry.indexOf('=');
    env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [k, v] of Object.entries(c.built.env)) assert.equal(env.get(k), v, `${k} in ${where}`);
  for (const k of c.built.unset) assert.ok(!env.has(k), `${k} should be unset in ${where}`);
  for (const k of env.keys()) {
    assert.ok(k in c.built.env || k in BASE_ENV || BASH_NOISE.has(k), `unexpected variable ${k} in ${where}`);
  }
}

describe('generated commands under real bash', () => {
  it(
    'shell lines and scripts deliver the exact argv, environment and directory',
    { timeout: 120_000 },
    async (t) => {
      const started = Date.now();
      const cases = makeCases(new Gen(prng(SEED)));
      const driver = writeDriver(cases);
      await run(BASH, [driver], {
        env: { ...BASE_ENV, PATH: `${bin}:/usr/bin:/bin` },
        cwd: dir,
        maxBuffer: 1 << 20,
      });
      const status = new Map<number, number>();
      for (const line of readFileSync(join(dir, 'status'), 'utf8').trim().split('\n')) {
        const [i, rc] = line.split(' ').map(Number);
        status.set(i!, rc!);
      }
      cases.forEach((c, i) => verify(c, readFileSync(join(dir, 'out', String(i))), status.get(i) ?? -1));
      for (const e of dockerEnvCommands) await runEnvCommand(e);
      const ms = Date.now() - started;
      t.diagnostic(`${cases.length} bash cases (seed ${SEED}) in ${ms} ms`);
      assert.ok(cases.length >= 3000);
      assert.ok(
        cases.filter((c) => c.kind === 'docker').length >= COUNTS.docker && dockerEnvCommands.length >= 50,
        'docker forms covered, with and without unsets',
      );
    },
  );

  it('the generator reached docker forms with unsets and a command whose name contains "="', () => {
    // Run above with the rest; this keeps the rare case from silently dropping out of the generated set.
    assert.ok(dockerEnvCommands.some((x) => x.c.settings.workload[0]!.includes('=')));
  });

  it('real numactl binds CPU and memory as built', async (t) => {
    const numactl = '/usr/bin/numactl';
    if (!existsSync(numactl)) {
      if (process.env.CI === 'true')
        assert.fail('numactl is not installed, and CI=true requires the real-numactl case');
      t.skip('numactl is not installed');
      return;
    }
    const s: RunSettings = {
      ...defaultSettings(),
      cpus: [0],
      memPolicy: 'bind',
      memNodes: [0],
      env: { T_X: "it's $HOME" },
      workload: [numactl, '--show'],
    };
    const b = buildCommand(s, null);
    assert.deepEqual(b.argv.slice(0, 3), ['numactl', '--physcpubind=0', '--membind=0']);
    const show = await run(BASH, ['-c', b.shell], { env: { PATH: '/usr/bin:/bin' } });
    assert.match(show.stdout, /^policy: bind$/m);
    assert.match(show.stdout, /^physcpubind: 0 ?$/m);
    assert.match(show.stdout, /^membind: 0 ?$/m);
    const envOut = await run(
      BASH,
      ['-c', buildCommand({ ...s, workload: ['/usr/bin/env', '-0'] }, null).shell],
      {
        env: { PATH: '/usr/bin:/bin' },
        encoding: 'buffer',
      },
    );
    const got = new Map(
      parseNulList(envOut.stdout).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    for (const [k, v] of Object.entries(b.env)) assert.equal(got.get(k), v, k);
  });
});
