// Remote targets without a network: URL grammar, error recognition, the probe's wire format, the launch
// wrapper (run by a real local sh), the target store, and docker's failure paths with the real docker CLI.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dockerFailure,
  execLocal,
  parseTarget,
  runOnTarget,
  sshFailure,
  targetArgv,
  targetLabel,
  targetUrl,
  TargetStore,
  TargetUrlError,
  workloadStartFailure,
  RemoteError,
  remoteContext,
  type RemoteTarget,
} from '../../app/remote';
import { parseProbeOutput, parseTools, PROBE_SCRIPT, markerFor } from '../../app/remote/probe-script';
import { writeSysroot } from '../../app/remote/remote-topology';
import { groupRss, wrappedArgv } from '../../app/remote/launch';
import { FETCH_SCRIPT, FIND_SCRIPT, parseFound, remoteResults } from '../../app/remote/results';
import { parseSession, SESSION_SCRIPT } from '../../app/remote/tools';
import { groupMembers, processAffinity } from '../../app/run';
import { withLifeline } from '../../app/remote/lifeline';
import { readSysfsTopology } from '../../app/topology/sysfs';

const dir = mkdtempSync(join(tmpdir(), 'aio-remote-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ctx = remoteContext(join(dir, 'home'));

describe('target URLs', () => {
  test('the three forms and this machine', () => {
    assert.deepEqual(parseTarget('ssh://me@server'), {
      kind: 'ssh',
      host: 'server',
      user: 'me',
      port: null,
      configFile: null,
    });
    assert.deepEqual(parseTarget('ssh://server:2222'), {
      kind: 'ssh',
      host: 'server',
      user: null,
      port: 2222,
      configFile: null,
    });
    assert.deepEqual(parseTarget('docker://aio'), { kind: 'docker', container: 'aio', via: null });
    assert.deepEqual(parseTarget('ssh://me@server:2200/docker/aio'), {
      kind: 'docker',
      container: 'aio',
      via: { kind: 'ssh', host: 'server', user: 'me', port: 2200, configFile: null },
    });
    assert.deepEqual(parseTarget('local'), { kind: 'local' });
    assert.deepEqual(parseTarget(''), { kind: 'local' });
    const v6 = parseTarget('ssh://root@[fe80::1]:22');
    assert.equal(v6.kind === 'ssh' && v6.host, 'fe80::1');
  });

  test('canonical URLs round-trip, ?config= included', () => {
    for (const url of [
      'local',
      'ssh://me@server',
      'ssh://server:2222',
      'docker://aio',
      'ssh://me@server:2200/docker/aio',
      'ssh://me@10.0.0.5?config=%2Ftmp%2Fx+y%2Fssh_config',
      'ssh://root@[fe80::1]:22',
    ]) {
      assert.equal(targetUrl(parseTarget(url)), url, url);
    }
    const t = parseTarget('ssh://me@h?config=/tmp/a b/c');
    assert.equal(t.kind === 'ssh' && t.configFile, '/tmp/a b/c');
    assert.equal(targetLabel(parseTarget('ssh://me@h/docker/aio')), 'container aio on ssh://me@h');
  });

  test('bad URLs are refused with what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['me@server', /did you mean ssh:\/\/me@server/],
      ['http://server', /unsupported scheme "http:\/\/"/],
      ['ssh://-oProxyCommand=evil', /host|not a valid/],
      ['ssh://me:secret@server', /passwords do not belong/],
      ['ssh://me@server/tmp', /only \/docker\/CONTAINER/],
      ['docker://', /name the container/],
      ['docker://-it', /not a valid container name/],
      ['ssh://server:99999', /well-formed|port/],
      ['ssh://server?x=1', /unknown option "x"/],
      ['ssh://bad user@server', /well-formed|user/],
    ];
    for (const [url, why] of bad) {
      assert.throws(
        () => parseTarget(url),
        (e: unknown) => e instanceof TargetUrlError && why.test(e.message),
        url,
      );
    }
  });

  test('argv: ssh gets one quoted command line after --, docker the exact argv', () => {
    const ssh = parseTarget('ssh://me@server:2222') as RemoteTarget;
    const a = targetArgv(ssh, ctx, ['echo', "it's", '$HOME']);
    assert.equal(a[0], 'ssh');
    assert.deepEqual(a.slice(-3), ['--', 'server', `echo 'it'\\''s' '$HOME'`]);
    for (const opt of ['BatchMode=yes', 'ControlMaster=auto', 'ControlPersist=60'])
      assert.ok(a.includes(opt), opt);
    assert.ok(a.some((x) => x.startsWith('ControlPath=' + ctx.controlDir)));
    assert.deepEqual(a.slice(a.indexOf('-p'), a.indexOf('-p') + 2), ['-p', '2222']);
    const docker = parseTarget('docker://aio') as RemoteTarget;
    assert.deepEqual(targetArgv(docker, ctx, ['sh', '-s'], { stdin: true }), [
      'docker',
      'exec',
      '-i',
      'aio',
      'sh',
      '-s',
    ]);
    const nested = targetArgv(parseTarget('ssh://me@server/docker/aio') as RemoteTarget, ctx, [
      'uname',
      '-a',
    ]);
    assert.equal(nested.at(-1), 'docker exec aio uname -a');
  });
});

describe('errors users meet, recognised from ssh/docker stderr', () => {
  const t = parseTarget('ssh://me@server:2222');
  const cases: [string, string, RegExp][] = [
    [
      'ssh: Could not resolve hostname server: Name or service not known',
      'unknown-host',
      /cannot be resolved/,
    ],
    ['me@server: Permission denied (publickey).', 'auth-refused', /ssh-copy-id -p 2222 me@server/],
    [
      '@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.',
      'host-key-changed',
      /ssh-keygen -R '\[server\]:2222'/,
    ],
    [
      'No ED25519 host key is known for [server]:2222 and you have requested strict checking.\nHost key verification failed.',
      'host-key-unknown',
      /StrictHostKeyChecking=accept-new/,
    ],
    ['ssh: connect to host server port 2222: Connection refused', 'connection-refused', /port 2222/],
    ['ssh: connect to host server port 2222: Connection timed out', 'unreachable', /cannot be reached/],
    [
      'client_loop: send disconnect: Broken pipe',
      'connection-lost',
      /connection to ssh:\/\/me@server:2222 lost/,
    ],
  ];
  for (const [stderr, code, text] of cases) {
    test(code, () => {
      const e = sshFailure(stderr, t);
      assert.ok(e instanceof RemoteError);
      assert.equal(e.code, code);
      assert.match(e.message, text);
    });
  }
  test('a plain workload message is not an ssh problem', () => {
    assert.equal(sshFailure('Traceback (most recent call last):\nValueError: x', t), null);
  });

  test('docker: missing, not running, no such container, stopped container, permissions', () => {
    const d = parseTarget('docker://aio');
    assert.equal(dockerFailure('spawn docker ENOENT', d)?.code, 'docker-missing');
    assert.equal(
      dockerFailure('bash: line 1: docker: command not found', parseTarget('ssh://h/docker/aio'))?.code,
      'docker-missing',
    );
    assert.equal(
      dockerFailure(
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
        d,
      )?.code,
      'docker-not-running',
    );
    assert.equal(
      dockerFailure('Error response from daemon: No such container: aio', d)?.code,
      'container-missing',
    );
    const stopped = dockerFailure('Error response from daemon: container 4f2e is not running', d);
    assert.equal(stopped?.code, 'container-not-running');
    assert.match(stopped!.message, /docker start aio/);
    assert.equal(
      dockerFailure('permission denied while trying to connect to the Docker daemon socket', d)?.code,
      'docker-permission',
    );
  });

  test('workload start: no numactl, no python, numactl without privileges', () => {
    const d = parseTarget('docker://aio');
    const numactl = workloadStartFailure(
      "env: 'numactl': No such file or directory",
      127,
      ['numactl', 'python3'],
      d,
    );
    assert.equal(numactl?.code, 'numactl-missing');
    assert.match(numactl!.message, /apt-get install numactl/);
    assert.equal(
      workloadStartFailure('sh: 1: python3: not found', 127, ['python3'], d)?.code,
      'python-missing',
    );
    const eperm = workloadStartFailure(
      'set_mempolicy: Operation not permitted\nsetting membind: Operation not permitted',
      1,
      ['numactl'],
      d,
    );
    assert.equal(eperm?.code, 'numactl-not-permitted');
    assert.match(eperm!.message, /--privileged=true.*--cap-add SYS_NICE/s);
    assert.equal(
      workloadStartFailure(
        'sched_setaffinity: Operation not permitted',
        1,
        ['numactl'],
        parseTarget('ssh://h'),
      )?.code,
      'numactl-not-permitted',
    );
    assert.equal(workloadStartFailure('ValueError', 1, ['python3'], d), null);
  });
});

describe('docker with the real docker CLI and no engine', () => {
  const hasDocker = spawnSync('docker', ['--version']).status === 0;
  test(
    'no Docker engine running: a clear "not running" error',
    { skip: !hasDocker && 'docker CLI not installed' },
    async () => {
      // An engine may well run here (the docker:// e2e tests start one): point the client at a socket where
      // none listens, so this case is tested on every machine instead of skipped.
      const saved = process.env.DOCKER_HOST;
      process.env.DOCKER_HOST = `unix://${join(dir, 'no-engine.sock')}`;
      try {
        await assert.rejects(
          runOnTarget(parseTarget('docker://aio') as RemoteTarget, ctx, ['true'], { timeoutMs: 20_000 }),
          (e: unknown) => {
            assert.ok(e instanceof RemoteError, String(e));
            assert.equal(e.code, 'docker-not-running', e.message);
            assert.match(e.message, /Docker engine is not running/);
            return true;
          },
        );
      } finally {
        if (saved === undefined) delete process.env.DOCKER_HOST;
        else process.env.DOCKER_HOST = saved;
      }
    },
  );
  test('docker not installed: a clear "missing" error', async () => {
    const saved = process.env.PATH;
    process.env.PATH = dir; // an empty directory: no docker on this PATH
    try {
      await assert.rejects(
        runOnTarget(parseTarget('docker://aio') as RemoteTarget, ctx, ['true']),
        (e: unknown) => {
          assert.ok(e instanceof RemoteError);
          assert.equal(e.code, 'docker-missing');
          return true;
        },
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('probe script: one command, delimited output, same parser', () => {
  test('parser: exact file contents, grep lines, commands, completeness', () => {
    const M = markerFor('n1');
    const out =
      `${M} V 1\n${M} F /proc/cmdline\nroot=/dev/sda isolcpus=2\n\n${M} E 0\n` +
      `${M} F /sys/x/no-newline\n0-3\n${M} E 0\n` +
      `${M} F /sys/x/unreadable\n\n${M} E 1\n` +
      `${M} G\n/sys/n/node0/meminfo:Node 0 MemTotal: 100 kB\n/sys/n/node0/meminfo:Node 0 MemFree: 5 kB\n/sys/c/cpu0/online:1\n${M} E 0\n` +
      `${M} C tools\nnumactl=/usr/bin/numactl\npython3=/usr/bin/python3\n\n${M} E 0\n${M} V end\n`;
    const p = parseProbeOutput(out, 'n1');
    assert.equal(p.complete, true);
    assert.equal(p.files.get('/proc/cmdline'), 'root=/dev/sda isolcpus=2\n');
    assert.equal(p.files.get('/sys/x/no-newline'), '0-3');
    assert.equal(p.files.has('/sys/x/unreadable'), false);
    assert.equal(p.files.get('/sys/n/node0/meminfo'), 'Node 0 MemTotal: 100 kB\nNode 0 MemFree: 5 kB\n');
    assert.equal(p.files.get('/sys/c/cpu0/online'), '1\n');
    assert.deepEqual(parseTools(p.commands.get('tools')?.output), {
      numactl: '/usr/bin/numactl',
      python3: '/usr/bin/python3',
    });
    assert.equal(parseProbeOutput(out.slice(0, out.indexOf(`${M} C`)), 'n1').complete, false);
  });

  test('the real script on this machine, read back through readSysfsTopology, equals reading / directly', async (t) => {
    if (process.platform !== 'linux') return t.skip('Linux only');
    const r = spawnSync('sh', ['-s', '--', 'abc'], { input: PROBE_SCRIPT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const root = mkdtempSync(join(dir, 'sysroot-'));
    writeSysroot(root, parseProbeOutput(r.stdout, 'abc'));
    const viaProbe = await readSysfsTopology(root);
    const direct = await readSysfsTopology('/');
    const comparable = (x: typeof direct) => ({
      ...x,
      origin: null,
      notes: null,
      kernel: { ...x.kernel, pageSizeBytes: null },
      nodes: x.nodes.map((n) => ({ ...n, freeBytes: null })),
    });
    assert.deepEqual(comparable(viaProbe), comparable(direct));
  });
});

/**
 * Run argv to its end with stdin held open (as the tool's clients do: it is the lifeline), in a process group
 * of its own (as docker exec and sshd give a command).
 */
function runHeld(argv: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('lifeline: what the tool starts on a target ends with its client (run by a real local sh)', () => {
  test('a helper whose command ends first exits with its status and leaves nothing', async () => {
    const r = await runHeld(withLifeline(['sh', '-c', 'echo out; exit 5']));
    assert.equal(r.status, 5);
    assert.equal(r.stdout, 'out\n');
  });
  test("stdin closing (the client went away) ends the helper's whole group", async () => {
    // The load sampler's shape: a loop that never ends by itself, with a child at any moment.
    const child = spawn('sh', withLifeline(['sh', '-c', 'while :; do sleep 0.1; done']).slice(1), {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    const pgid = child.pid!;
    await until(() => groupMembers(pgid).length >= 3, 'the loop and its watcher');
    child.stdin.end();
    await until(() => groupMembers(pgid).length === 0, 'an empty group');
  });
  test('the run wrapper: stdin closing TERMs, then KILLs, the workload group', async () => {
    // The workload ignores TERM, so only the KILL after the grace ends it.
    const argv = wrappedArgv(
      { argv: ['sh', '-c', 'trap "" TERM; sleep 300 & sleep 300'], env: {}, cwd: null },
      'N',
    );
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /PGID \d+/.test(out), 'the group report');
    const pgid = Number(/PGID (\d+)/.exec(out)![1]);
    await until(() => groupMembers(pgid).length >= 4, 'wrapper, watcher, workload and its sleeps');
    child.stdin.end();
    await until(() => groupMembers(pgid).length === 0, 'an empty workload group');
  });
});

describe('launch wrapper (run by a real local sh)', () => {
  // stdin held open while it runs: closed, it is the lifeline that says the client went away.
  const run = runHeld;
  test('reports its process group first and the exit status last; env, unset and cwd applied', async () => {
    process.env.AIO_TEST_UNSET_ME = 'x';
    const r = await run(
      wrappedArgv(
        {
          argv: ['sh', '-c', 'pwd; echo "$FOO ${AIO_TEST_UNSET_ME-unset}"; printf tail; exit 7'],
          env: { FOO: 'b a r' },
          unset: ['AIO_TEST_UNSET_ME'],
          cwd: '/tmp',
        },
        'N',
      ),
    );
    delete process.env.AIO_TEST_UNSET_ME;
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^@@AIO_TUNER_N@@ PGID \d+$/);
    assert.deepEqual(lines.slice(1), ['/tmp', 'b a r unset', 'tail@@AIO_TUNER_N@@ EXIT 7', '']);
    assert.equal(r.status, 7);
  });
  test('a missing program and a missing directory are reported before anything starts', async () => {
    const missing = await run(
      wrappedArgv({ argv: ['numactl', '--show'], env: {}, cwd: null, program: '/nonexistent/python3' }, 'N'),
    );
    assert.equal(missing.status, 98);
    assert.match(missing.stdout, /@@AIO_TUNER_N@@ MISSING \/nonexistent\/python3/);
    const nodir = await run(wrappedArgv({ argv: ['true'], env: {}, cwd: '/nonexistent-dir' }, 'N'));
    assert.equal(nodir.status, 97);
  });
  test('group RSS from /proc/PID/stat lines', () => {
    const stat = (pid: number, comm: string, pgrp: number, rss: number, state = 'S') =>
      `${pid} (${comm}) ${state} 1 ${pgrp} ${pgrp} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 1000 ${rss} 0`;
    const out = [
      '4096',
      stat(10, 'py thon', 10, 100),
      stat(11, 'x', 10, 50),
      stat(12, 'other', 99, 1000),
      stat(13, 'z', 10, 7, 'Z'),
    ].join('\n');
    assert.equal(groupRss(out, 10), 150 * 4096);
    assert.equal(groupRss('garbage', 10), null);
  });
});

describe('remote RESULTS_DIR and session scripts (run by a real local sh)', () => {
  test('find: the instance carrying RESULTS_DIR, its AIO_NUMA_CPUS and Cpus_allowed_list; numactl left out', async (t) => {
    if (process.platform !== 'linux') return t.skip('Linux only');
    const rd = mkdtempSync(join(dir, 'aio-tuner-results.'));
    const env = { ...process.env, RESULTS_DIR: rd, AIO_NUMA_CPUS: '0 1' };
    const child = spawn('sleep', ['30'], { env, stdio: 'ignore' });
    // A process whose RESULTS_DIR only starts with this one is someone else's.
    const other = spawn('sleep', ['30'], { env: { ...env, RESULTS_DIR: `${rd}x` }, stdio: 'ignore' });
    try {
      const M = markerFor('f');
      let found: ReturnType<typeof parseFound> = [];
      for (let i = 0; i < 50 && !found.some((f) => f.pid === child.pid); i++) {
        const r = spawnSync('sh', ['-c', FIND_SCRIPT, 'sh', M, rd], { encoding: 'utf8' });
        assert.match(r.stdout, new RegExp(`${M} V end`));
        found = parseFound(r.stdout, M, rd);
        await new Promise((res) => setTimeout(res, 20));
      }
      assert.deepEqual(found, [
        { pid: child.pid, numaCpus: '0 1', allowed: processAffinity(child.pid!)!.allowed },
      ]);
      const fake = `${M} P 42\ncomm=numactl\nRESULTS_DIR=${rd}\nCpus_allowed_list:\t0\n${M} P 43\ncomm=x\n${M} V end\n`;
      assert.deepEqual(parseFound(fake, M, rd), [], 'numactl itself, and a process gone meanwhile');
    } finally {
      child.kill('SIGKILL');
      other.kill('SIGKILL');
    }
  });

  test('fetch: every <pid>.json byte for byte, nothing else; only such directories are ever removed', async () => {
    const rd = mkdtempSync(join(dir, 'aio-tuner-results.'));
    const dump = '{"start_times": [1.5], "finish_times": [2.5], "workload_size": [8]}';
    writeFileSync(join(rd, '123.json'), dump);
    writeFileSync(join(rd, '77.json'), '');
    writeFileSync(join(rd, 'meta_123.json'), '{}');
    const r = spawnSync('sh', ['-c', FETCH_SCRIPT, 'sh', markerFor('n'), rd], { encoding: 'utf8' });
    const out = parseProbeOutput(r.stdout, 'n');
    assert.equal(out.complete, true);
    assert.deepEqual([...out.files.entries()].sort(), [
      ['123.json', dump],
      ['77.json', ''],
    ]);
    // Removing anything but a directory mktemp made there is refused before any command is sent.
    const t = parseTarget('ssh://me@nonexistent.invalid') as RemoteTarget;
    await remoteResults(t, ctx).remove('/home/me');
    await remoteResults(t, ctx).remove('/tmp/aio-tuner-results.abc/../..');
  });

  test('session: the login directory and the environment, NUL-separated', () => {
    const r = spawnSync('sh', ['-c', SESSION_SCRIPT], {
      cwd: dir,
      env: { PATH: process.env.PATH, AIO_TEST_SESSION: 'a=b\nc' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const s = parseSession(r.stdout);
    assert.equal(s.cwd, dir);
    assert.equal(s.env.AIO_TEST_SESSION, 'a=b\nc');
    assert.equal(s.env.PATH, process.env.PATH);
    assert.deepEqual(parseSession(''), { env: {}, cwd: null });
  });
});

describe('target store', () => {
  test('add, select, remove; atomic JSON; this machine always there', async () => {
    const home = mkdtempSync(join(dir, 'store-'));
    const s = new TargetStore(home);
    await s.load();
    assert.deepEqual(
      s.list().targets.map((t) => t.url),
      ['local'],
    );
    assert.equal(await s.add('ssh://me@server:22', 'rack 3'), 'ssh://me@server:22');
    await s.select('docker://aio');
    const again = new TargetStore(home);
    await again.load();
    const l = again.list();
    assert.equal(l.active, 'docker://aio');
    assert.deepEqual(
      l.targets.map((t) => [t.url, t.active, t.name]),
      [
        ['local', false, null],
        ['ssh://me@server:22', false, 'rack 3'],
        ['docker://aio', true, null],
      ],
    );
    await again.remove('docker://aio');
    assert.equal(again.list().active, 'local');
    await assert.rejects(again.remove('local'), /cannot be removed/);
    await assert.rejects(again.add('ftp://x'), TargetUrlError);
  });
  test('a damaged targets.json is reported and never overwritten', async () => {
    const home = mkdtempSync(join(dir, 'store-bad-'));
    writeFileSync(join(home, 'targets.json'), '{ not json');
    const s = new TargetStore(home);
    await s.load();
    assert.match(s.list().problem ?? '', /not valid JSON/);
    await assert.rejects(s.add('ssh://me@server'), /not saving targets/);
    assert.equal(readFileSync(join(home, 'targets.json'), 'utf8'), '{ not json');
  });
});

test('execLocal never rejects: a missing program is a spawn error', async () => {
  const r = await execLocal(['/nonexistent/program']);
  assert.equal(r.spawnError, 'ENOENT');
});
