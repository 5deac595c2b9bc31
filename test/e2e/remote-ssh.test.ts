// Remote targets against a REAL OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts): the same machine seen
// through ssh, so what happens "remotely" can be checked in this machine's /proc. Nothing is mocked.
// Under CI=true a missing sshd fails the suite; elsewhere it is skipped with the reason.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { SESSION_ENV, startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';
import {
  closeMaster,
  masterPid,
  parseTarget,
  probeTarget,
  quickCheck,
  remoteContext,
  remoteLaunch,
  RemoteError,
  type RemoteContext,
  type RemoteTarget,
} from '../../app/remote';
import { groupMembers, startRun, type RunLine } from '../../app/run';
import { readSysfsTopology } from '../../app/topology/sysfs';
import type { Topology } from '../../app/shared/topology';
import { Engine } from '../../app/api/engine';
import type { ApiResults } from '../../app/api/contract';
import { defaultSettings } from '../../app/command';
import { comparableTopology } from '../helpers/topology';

const CI = process.env.CI === 'true';
const REPO = resolve(__dirname, '../..');
const PY = '/usr/bin/python3';
const unavailable = sshdUnavailable();
if (unavailable && CI) throw new Error(`${unavailable}: required when CI=true`);
const skip = unavailable ?? false;
const hasTorch = spawnSync(PY, ['-c', 'import torch']).status === 0;
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;

const dir = mkdtempSync(join(tmpdir(), 'aio-remote-e2e-'));
let sshd: Sshd;
let target: RemoteTarget;
let ctx: RemoteContext;

function cli(
  args: string[],
  home = join(dir, 'home'),
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  // The CLI from source (tsx), as `npx aio-tuner` runs it after a build: same code, no build step needed here.
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'app/cli/main.ts'), ...args], {
    cwd: REPO,
    env: { ...process.env, ...env, AIO_TUNER_HOME: home },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function waitFor<T>(fn: () => T | null | undefined | false, ms = 20_000, step = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, step));
  }
}

// Every process started through this file's sshd carries this variable (sshd SetEnv), and nothing else does:
// what is left of the tool on the target is exactly the processes that have it.
const SESSION_TAG = `remote-ssh-${process.pid}`;
function sessionProcesses(): string[] {
  const found: string[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${p}/environ`, 'latin1').includes(`AIO_TUNER_TEST_SESSION=${SESSION_TAG}\0`))
        continue;
      found.push(`${p} ${readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
async function nothingLeftOnTarget(): Promise<void> {
  let last: string[] = [];
  await waitFor(() => (last = sessionProcesses()).length === 0, 20_000).catch(() =>
    assert.deepEqual(last, [], 'left running on the target'),
  );
}

const comparable = comparableTopology;

describe('remote targets over a real sshd', { skip, concurrency: false }, () => {
  before(async () => {
    sshd = await startSshd({ env: { AIO_TUNER_TEST_SESSION: SESSION_TAG } });
    target = parseTarget(sshd.url) as RemoteTarget;
    ctx = remoteContext(join(dir, 'home'));
  });
  after(async () => {
    if (target) await closeMaster(target, ctx);
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('topology through ssh equals this host read locally; origin names the target', async () => {
    const facts = await probeTarget(target, ctx);
    assert.equal(facts.topology.origin, `ssh://${sshd.user}@127.0.0.1:${sshd.port}`);
    assert.deepEqual(comparable(facts.topology), comparable(await readSysfsTopology('/')));
    assert.ok(facts.tools.numactl, 'numactl found on the target');

    const r = cli(['topology', '--json', '--target', sshd.url]);
    assert.equal(r.status, 0, r.stderr);
    const viaCli = JSON.parse(r.stdout) as Topology;
    assert.deepEqual(comparable(viaCli), comparable(await readSysfsTopology('/')));
  });

  test(
    'run examples/bench.py through ssh with --cores 1: results parsed, run tagged with the target',
    { skip: (!hasTorch || !hasNumactl) && 'needs python3-torch and numactl' },
    () => {
      const r = cli([
      'run', '--target', sshd.url, '--cores', '1', '--cwd', REPO, '--json', '--',
      PY, 'examples/bench.py', '-m', 'cnn', '--num_runs', '10',
    ]); // prettier-ignore
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as {
        exitCode: number;
        results: { latencyMs: { mean: number }; throughput: { value: number; unit: string } };
        logFile: string;
        target: string;
        argv: string[];
        engine: { present: boolean; torch: string | null } | null;
      };
      assert.equal(out.exitCode, 0);
      // Probed on the target, with the run's interpreter and directory, before the run.
      assert.equal(out.engine?.present, false);
      assert.match(out.engine?.torch ?? '', /^1\.13/);
      assert.ok(out.results.latencyMs.mean > 0);
      assert.equal(out.results.throughput.unit, 'samples/s');
      assert.equal(out.target, sshd.url);
      assert.deepEqual(out.argv.slice(0, 2), ['numactl', '--physcpubind=1']);
      const log = readFileSync(out.logFile, 'utf8');
      assert.match(log, /LATENCY/);
      assert.doesNotMatch(log, /@@AIO_TUNER_/, 'the wrapper reports are consumed, never logged');
    },
  );

  test('stop a long remote run: SIGTERM to the remote group, nothing of it survives', async () => {
    // A tree with a grandchild that ignores nothing: sh → (sleep &) + sleep.
    const argv = ['sh', '-c', 'echo started; sleep 300 & sleep 300; wait'];
    const lines: RunLine[] = [];
    const h = startRun({
      argv,
      env: {},
      logFile: join(dir, 'stop.log'),
      graceMs: 1000,
      remote: remoteLaunch(target, ctx, { argv, env: {}, cwd: null }),
    });
    h.events.on('lines', (b) => lines.push(...b));
    await waitFor(() => lines.some((l) => l.text === 'started'));
    const pgid = await waitFor(() => h.remotePgid);
    // Same machine: the remote group is visible in /proc.
    assert.ok(groupMembers(pgid).length >= 3, 'wrapper, sh and both sleeps run in the reported group');
    const r = await h.stop();
    assert.equal(r.stopped, true);
    assert.equal(r.signal, 'SIGTERM');
    assert.equal(r.connectionLost, undefined);
    await waitFor(() => groupMembers(pgid).length === 0, 5000);
  });

  test('Ctrl-C in `aio-tuner run --target`: the remote group ends, nothing survives on the target', async () => {
    // Durations unique to this process, so sleeps left by anything else on the machine are never counted.
    const [a, b] = [`301.${process.pid}`, `302.${process.pid}`];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'app/cli/main.ts'), 'run', '--target', sshd.url, '--',
        'sh', '-c', `sleep ${a} & sleep ${b} & echo started; wait`], // prettier-ignore
      {
        cwd: REPO,
        env: { ...process.env, AIO_TUNER_HOME: join(dir, 'home') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((res) => child.once('exit', res));
    const sleepers = () =>
      readdirSync('/proc').filter((p) => {
        try {
          return [`sleep\0${a}\0`, `sleep\0${b}\0`].includes(readFileSync(`/proc/${p}/cmdline`, 'latin1'));
        } catch {
          return false;
        }
      }).length;
    await waitFor(() => sleepers() === 2, 60_000);
    child.kill('SIGINT');
    assert.notEqual(await exited, 0);
    await waitFor(() => sleepers() === 0, 10_000);
    await nothingLeftOnTarget();
  });

  test('a normal end and a killed CLI: nothing the tool started (wrapper, sampler, workload) is left on the target', async () => {
    const ok = cli(['run', '--target', sshd.url, '--json', '--', 'sh', '-c', 'echo ok; sleep 1']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok((JSON.parse(ok.stdout) as { cpuLoad: unknown[] }).cpuLoad.length > 0, 'the load was sampled');
    await nothingLeftOnTarget();

    // SIGKILL: the CLI cannot clean up; the ssh client it leaves keeps no lifeline, so the target ends it all.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'app/cli/main.ts'), 'run', '--target', sshd.url, '--',
        'sh', '-c', 'echo started; sleep 300'], // prettier-ignore
      {
        cwd: REPO,
        env: { ...process.env, AIO_TUNER_HOME: join(dir, 'home') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((res) => child.once('exit', res));
    await waitFor(() => out.includes('started'), 60_000);
    await waitFor(() => sessionProcesses().some((l) => l.includes('@@AIO_TUNER_STAT@@')), 30_000);
    child.kill('SIGKILL');
    await exited;
    await nothingLeftOnTarget();
  });

  test('the connection dies mid-run: reported as lost, the log so far kept, the orphan stopped', async () => {
    const argv = ['sh', '-c', 'echo before-the-cut; sleep 300'];
    const lines: RunLine[] = [];
    const logFile = join(dir, 'lost.log');
    const h = startRun({
      argv,
      env: {},
      logFile,
      remote: remoteLaunch(target, ctx, { argv, env: {}, cwd: null }),
    });
    h.events.on('lines', (b) => lines.push(...b));
    await waitFor(() => lines.some((l) => l.text === 'before-the-cut'));
    const pgid = await waitFor(() => h.remotePgid);
    const master = await masterPid(target, ctx);
    assert.ok(master, 'a master connection carries the run');
    process.kill(master, 'SIGKILL');
    const r = await h.done;
    assert.equal(r.stopped, false);
    assert.equal(r.exitCode, null);
    assert.match(r.connectionLost ?? '', /^connection to ssh:\/\/.*127\.0\.0\.1.* lost/);
    assert.match(r.connectionLost ?? '', /log so far is kept/);
    assert.match(readFileSync(logFile, 'utf8'), /before-the-cut/);
    // sshd is still up, so the runner could reconnect and end the now unwatched workload.
    assert.match(r.connectionLost ?? '', /has been stopped|nothing of it runs/);
    await waitFor(() => groupMembers(pgid).length === 0, 10_000);
  });

  test('a missing program on the target is a clear start error', async () => {
    const argv = ['/nonexistent/python3', 'run.py'];
    const h = startRun({
      argv,
      env: {},
      logFile: join(dir, 'missing.log'),
      remote: remoteLaunch(target, ctx, { argv, env: {}, cwd: null, program: argv[0] }),
    });
    const r = await h.done;
    assert.match(r.startError ?? '', /\/nonexistent\/python3 is not found there/);
  });

  test(
    'bundle through ssh: system files collected on the target, archive written here',
    { skip: (!hasTorch || !hasNumactl) && 'needs python3-torch and numactl' },
    () => {
      const out = join(dir, 'remote-bundle.tar.gz');
      const r = cli([
      'bundle', '--target', sshd.url, '--out', out, '--cores', '1', '--cwd', REPO, '--json', '--',
      PY, 'examples/bench.py', '-m', 'cnn', '--num_runs', '5',
    ]); // prettier-ignore
      assert.equal(r.status, 0, r.stderr);
      assert.ok(existsSync(out));
      const x = mkdtempSync(join(dir, 'x-'));
      assert.equal(spawnSync('tar', ['-xzf', out, '-C', x]).status, 0);
      const [root] = readdirSync(x);
      const read = (p: string) => readFileSync(join(x, root!, p), 'utf8');
      const where = `ssh://${sshd.user}@127.0.0.1:${sshd.port}`;
      assert.match(read('README.txt'), new RegExp(where.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
      assert.match(
        read('system/cpuinfo.txt'),
        new RegExp(`/proc/cpuinfo on ${where.replace(/[./]/g, '\\$&')}`),
      );
      assert.match(read('system/lscpu.txt'), /# on ssh:\/\//);
      assert.match(read('system/numactl-H.txt'), /available: \d+ nodes/);
      assert.match(read('system/os.json'), /"target": "ssh:/);
      assert.match(read('python/torch.txt'), /torch version:/);
      assert.match(read('run/output.log'), /LATENCY/);
      // The target's replayable dump (issue 15): the bundle replays the map of the target, not of this machine.
      assert.match(read('system/sysfs/sys/devices/system/cpu/online'), /^\d/);
      const replay = cli(['topology', '--json', '--sysroot', out]);
      assert.equal(replay.status, 0, replay.stderr);
      const remote = cli(['topology', '--json', '--target', sshd.url]);
      assert.deepEqual(
        comparableTopology(JSON.parse(replay.stdout) as Topology),
        comparableTopology(JSON.parse(remote.stdout) as Topology),
      );
    },
  );

  test("bundle through ssh: env.txt and the working directory are the target session's, redaction applies", async () => {
    const out = join(dir, 'env-bundle.tar.gz');
    // Echoing the secret puts its value in the log: it must come out redacted although only the target has it.
    const r = cli(
      ['bundle', '--target', sshd.url, '--out', out, '--json', '--',
        'sh', '-c', 'echo "token is $HF_AIO_TUNER_TEST_TOKEN"'],
      join(dir, 'home'),
      { HF_AIO_TUNER_LOCAL_ONLY: 'from-this-process' },
    ); // prettier-ignore
    assert.equal(r.status, 0, r.stderr);
    const x = mkdtempSync(join(dir, 'env-'));
    assert.equal(spawnSync('tar', ['-xzf', out, '-C', x]).status, 0);
    const [root] = readdirSync(x);
    const read = (p: string) => readFileSync(join(x, root!, p), 'utf8');
    const env = read('run/env.txt');
    assert.match(env, /^# Inherited from a new session on ssh:\/\//m);
    assert.match(env, new RegExp(`^HF_AIO_TUNER_TEST_MARK=${SESSION_ENV.HF_AIO_TUNER_TEST_MARK}$`, 'm'));
    assert.match(env, /^HF_AIO_TUNER_TEST_TOKEN='?<redacted>'?$/m);
    assert.doesNotMatch(env, /HF_AIO_TUNER_LOCAL_ONLY/, "this process's environment is not the run's");
    // sshd sets SSH_CONNECTION in the session too; like any variable that does not steer a run it is left out.
    assert.doesNotMatch(env, /SSH_CONNECTION/);
    assert.match(read('run/output.log'), /token is <redacted>/);
    for (const f of ['README.txt', 'run/env.txt', 'run/output.log', 'run/result.json', 'run/command.sh'])
      assert.ok(!read(f).includes(SESSION_ENV.HF_AIO_TUNER_TEST_TOKEN), `secret in ${f}`);
    // No --cwd: the run started in the login directory there, not in the directory the CLI ran in.
    const home = userInfo().homedir;
    assert.match(read('README.txt'), new RegExp(`or, as one line in ${home.replace(/[./]/g, '\\$&')}:`));
    assert.match(read('run/command.sh'), new RegExp(`^cd -- '?${home.replace(/[./]/g, '\\$&')}'?$`, 'm'));
    assert.equal(JSON.parse(read('run/result.json')).cwd, home);

    // The preview in the UI shows the same inheritance.
    const engine = new Engine({ shell: 'browser', dataDir: join(dir, 'preview-home'), target: sshd.url });
    try {
      const p = (await engine.handle('bundle.preview', {
        settings: { ...defaultSettings(), workload: ['sh', '-c', 'true'] },
      })) as ApiResults['bundle.preview'];
      assert.equal(p.env.HF_AIO_TUNER_TEST_MARK, SESSION_ENV.HF_AIO_TUNER_TEST_MARK);
      assert.equal(p.env.HF_AIO_TUNER_TEST_TOKEN, '<redacted>');
    } finally {
      await engine.dispose();
    }
  });

  test(
    'two-instance sweep point through ssh: RESULTS_DIR made and read on the target, overlap throughput, tagged with the target',
    { skip: (!hasTorch || !hasNumactl) && 'needs python3-torch and numactl' },
    async () => {
      const home = join(dir, 'sweep-home');
      const engine = new Engine({ shell: 'browser', dataDir: home, target: sshd.url });
      try {
        const rec = await engine.sweeps.start({
          // Time-bounded passes, so the two instances measure long enough to overlap.
          settings: {
            ...defaultSettings(),
            workload: [PY, 'examples/bench.py', '-m', 'cnn', '--timeout', '5'],
            cwd: REPO,
          },
          threads: [1],
          placement: 'compact',
          variants: ['fp32'],
          customVariants: [],
          instances: [2],
          batches: null,
          repeat: 1,
        });
        assert.equal(rec.host.target, sshd.url);
        // The target's own name (uname -n there); here the target is this machine.
        assert.equal(rec.host.hostname, hostname());
        const fin = await engine.sweeps.wait(rec.sweepId);
        assert.equal(fin.state, 'done', fin.error);
        const row = fin.rows[0]!;
        assert.equal(row.exitCode, 0, row.error);
        assert.ok(row.overlap && row.overlap.passes > 0 && row.overlap.windowS > 0, 'a common window');
        assert.ok(row.throughput! > 0);
        assert.equal(row.throughputUnit, 'samples/s');

        // The instances wrote into a directory the target's mktemp made, not the sweep's folder here, and it
        // was removed afterwards; the dumps were copied back into that folder.
        const runs = row.instanceRuns!.map((i) => engine.runs.get(i.runId));
        const remoteDir = runs[0]!.env.RESULTS_DIR!;
        assert.match(remoteDir, /\/aio-tuner-results\.[A-Za-z0-9]+$/);
        assert.ok(!remoteDir.startsWith(home));
        for (const r of runs) {
          assert.equal(r.env.RESULTS_DIR, remoteDir);
          assert.equal(r.target, sshd.url);
        }
        assert.equal(existsSync(remoteDir), false, 'the remote RESULTS_DIR is removed');
        const local = join(home, 'sweeps', rec.sweepId, 'p0');
        const dumps = readdirSync(local).filter((n) => /^\d+\.json$/.test(n));
        assert.equal(dumps.length, 2);
        // Each instance was seen on the target bound to its own CPU, and its dump is the one of that process.
        const bound = new Set<string>();
        for (const i of row.instanceRuns!) {
          assert.deepEqual(i.boundCpus, i.cpus);
          assert.ok(dumps.includes(`${i.pid}.json`), `dump of pid ${i.pid}`);
          assert.ok(i.latencyMs! > 0 && i.passes! > 0);
          bound.add(i.cpus.join(','));
        }
        assert.equal(bound.size, 2);

        // History: the sweep carries the same tag as its runs.
        const hist = await engine.history.list({ kind: 'sweep' });
        assert.equal(hist.entries.find((e) => e.id === rec.sweepId)?.host, sshd.url);
        const runsOfSweep = await engine.history.list({ sweepId: rec.sweepId });
        const runEntries = runsOfSweep.entries.filter((e) => e.kind === 'run');
        assert.equal(runEntries.length, 2);
        assert.ok(runEntries.every((e) => e.host === sshd.url));
      } finally {
        await engine.dispose();
      }
    },
  );

  test('engine: add, select (map shows the target), run tagged, live load sampled over ssh', async () => {
    const engine = new Engine({ shell: 'browser', dataDir: join(dir, 'engine-home') });
    try {
      await engine.handle('targets.add', { url: sshd.url });
      const sel = (await engine.handle('targets.select', { url: sshd.url })) as ApiResults['targets.select'];
      assert.equal(sel.list.active, sshd.url);
      assert.equal(sel.topology.origin, `ssh://${sshd.user}@127.0.0.1:${sshd.port}`);
      const info = (await engine.handle('system.info', {})) as ApiResults['system.info'];
      assert.equal(info.target, sshd.url);

      const samples: unknown[] = [];
      const off = engine.subscribe((e, d) => e === 'load.sample' && samples.push(d));
      await engine.handle('load.watch', { on: true });
      await waitFor(() => samples.length >= 2, 10_000);
      await engine.handle('load.watch', { on: false });
      off();

      const settings = {
        cpus: [],
        threads: null,
        memPolicy: 'none',
        memNodes: null,
        debugMode: null,
        env: {},
        workload: ['sh', '-c', 'echo remote-ok'],
        cwd: null,
      };
      await assert.rejects(engine.handle('run.start', { settings, target: 'local' }), /active target is now/);
      const run = (await engine.handle('run.start', {
        settings,
        target: sshd.url,
      })) as ApiResults['run.start'];
      assert.equal(run.target, sshd.url);
      const done = await engine.runs.waitFor(run.runId);
      assert.equal(done.outcome?.exitCode, 0);
      assert.match(readFileSync(done.logFile, 'utf8'), /remote-ok/);

      // Restarting the app (restoreTarget) comes back on the remembered target.
      const again = new Engine({ shell: 'electron', dataDir: join(dir, 'engine-home') });
      assert.equal(((await again.handle('system.info', {})) as ApiResults['system.info']).target, sshd.url);
      await again.dispose();
      await engine.handle('targets.select', { url: 'local' });
      assert.equal((await engine.getTopology()).origin, 'this host');
    } finally {
      await engine.dispose();
    }
  });

  describe('errors users meet, from the real ssh client', () => {
    const expectError = async (url: string, code: string, text: RegExp) => {
      await assert.rejects(quickCheck(parseTarget(url) as RemoteTarget, ctx), (e: unknown) => {
        assert.ok(e instanceof RemoteError, String(e));
        assert.equal(e.code, code, e.message + '\n' + e.detail);
        assert.match(e.message, text);
        return true;
      });
    };
    const withConfig = (config: string, host = '127.0.0.1', port?: number) =>
      `ssh://${sshd.user}@${host}${port ? ':' + port : ''}?config=${encodeURIComponent(config)}`;

    test('wrong port: connection refused', async () => {
      // Port 1 on loopback: nothing listens there.
      await expectError(
        withConfig(sshd.altConfig('port1', { port: 1 })),
        'connection-refused',
        /connection refused on port/,
      );
    });
    test('unknown host name', async () => {
      await expectError(
        withConfig(sshd.config, 'nonexistent.invalid'),
        'unknown-host',
        /"nonexistent\.invalid" cannot be resolved/,
      );
    });
    test('refused key', async () => {
      const other = sshd.newKey('stranger_key');
      await expectError(
        withConfig(sshd.altConfig('stranger', { identity: other })),
        'auth-refused',
        /refused your key/,
      );
    });
    test('host key changed', async () => {
      const fake = readFileSync(sshd.newKey('fake_host_key') + '.pub', 'utf8')
        .split(' ')
        .slice(0, 2)
        .join(' ');
      const config = sshd.altConfig('changed', { knownHostsLine: `[127.0.0.1]:${sshd.port} ${fake}\n` });
      await expectError(withConfig(config), 'host-key-changed', /host key has changed.*ssh-keygen -R/s);
    });
    test('host key unknown: BatchMode never accepts it silently', async () => {
      await expectError(
        withConfig(sshd.altConfig('unknown', { knownHostsLine: '' })),
        'host-key-unknown',
        /StrictHostKeyChecking=accept-new/,
      );
    });
    test('the UI "Test" button reports the failure instead of throwing', async () => {
      const engine = new Engine({ shell: 'browser', dataDir: join(dir, 'engine-test-home') });
      try {
        const bad = (await engine.handle('targets.test', {
          url: withConfig(sshd.config, 'nonexistent.invalid'),
        })) as ApiResults['targets.test'];
        assert.equal(bad.ok, false);
        assert.equal(bad.code, 'unknown-host');
        const good = (await engine.handle('targets.test', { url: sshd.url })) as ApiResults['targets.test'];
        assert.equal(good.ok, true, good.message);
        assert.ok((good.cpus ?? 0) > 0);
      } finally {
        await engine.dispose();
      }
    });
  });
});
