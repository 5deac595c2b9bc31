// Docker targets against a REAL Docker engine (test/helpers/docker.ts): containers made from a registry-free
// skeleton image with this machine's /usr and /etc mounted read-only, so they have its sh, numactl and
// python3-torch. docker://NAME and ssh://…/docker/NAME (through the real sshd of test/helpers/sshd.ts) run
// topology, run, stop, sweep and bundle for real; a container without SYS_NICE shows the binding error; and
// after every kind of end (normal, Stop, Ctrl-C, a killed CLI, the load sampler switched off) nothing the tool
// started is left running in the container. Under CI=true a missing engine fails; elsewhere it skips.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dockerUnavailable, startDocker, type DockerEngine } from '../helpers/docker';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';
import '../helpers/dist';
import { parseTarget, remoteContext, remoteLaunch, type RemoteTarget } from '../../app/remote';
import { startRun, type RunLine } from '../../app/run';
import { readSysfsTopology } from '../../app/topology/sysfs';
import type { Topology } from '../../app/shared/topology';
import { Engine } from '../../app/api/engine';
import { defaultSettings } from '../../app/command';
import { comparableTopology } from '../helpers/topology';

const CI = process.env.CI === 'true';
const REPO = resolve(__dirname, '../..');
const CLI = join(REPO, 'bin/aio-tuner.cjs');
const PY = '/usr/bin/python3';
const unavailable = dockerUnavailable();
if (unavailable && CI) throw new Error(`${unavailable}: required when CI=true`);
const hasTorch = spawnSync(PY, ['-c', 'import torch']).status === 0;
const hasNumactl = spawnSync('numactl', ['--show']).status === 0;
const needsBench = (!hasTorch || !hasNumactl) && 'needs python3-torch and numactl';

const dir = mkdtempSync(join(tmpdir(), 'aio-docker-e2e-'));
const HOME = join(dir, 'home');
// Names unique to this process, so two checkouts testing at once never share a container.
const CAP = `aio-tt-cap-${process.pid}`;
const NOCAP = `aio-tt-nocap-${process.pid}`;
const URL_CAP = `docker://${CAP}`;
let engine: DockerEngine;

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env, AIO_TUNER_HOME: HOME },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function waitFor<T>(fn: () => T | null | undefined | false, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Nothing the tool started is left in the container (waits for it: a TERM takes a moment to land). */
async function nothingLeft(name: string): Promise<void> {
  let last: string[] = [];
  try {
    await waitFor(() => (last = engine.leftovers(name)).length === 0, 'an empty container', 20_000);
  } catch {
    assert.deepEqual(last, [], `left running in ${name}`);
  }
}

const comparable = comparableTopology;

describe(
  'docker:// targets on a real Docker engine',
  { skip: unavailable ?? false, concurrency: false },
  () => {
    before(async () => {
      engine = await startDocker();
      // The checkout is mounted at the same path, so --cwd REPO and examples/bench.py mean the same there.
      engine.container(CAP, { capAdd: ['SYS_NICE'], mounts: [`${REPO}:${REPO}:ro`] });
      engine.container(NOCAP, { mounts: [`${REPO}:${REPO}:ro`] });
    });
    after(async () => {
      await engine?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('the engine and the docker client the tool runs', (t) => {
      // Logged for the record: which client (first on PATH) talked to which daemon.
      const server = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
        encoding: 'utf8',
      });
      assert.equal(server.status, 0, server.stderr);
      t.diagnostic(`${engine.client}; server ${server.stdout.trim()} at ${engine.host}`);
    });

    test('topology through docker exec equals this host read locally; origin names the container', async () => {
      const r = cli(['topology', '--json', '--target', URL_CAP]);
      assert.equal(r.status, 0, r.stderr);
      const t = JSON.parse(r.stdout) as Topology;
      assert.equal(t.origin, URL_CAP);
      assert.deepEqual(comparable(t), comparable(await readSysfsTopology('/')));
      await nothingLeft(CAP);
    });

    test(
      'run examples/bench.py in the container with --cores 1: results parsed, nothing left running',
      {
        skip: needsBench,
      },
      async () => {
        const r = cli([
      'run', '--target', URL_CAP, '--cores', '1', '--cwd', REPO, '--json', '--',
      PY, 'examples/bench.py', '-m', 'cnn', '--num_runs', '5',
    ]); // prettier-ignore
        assert.equal(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout) as {
          exitCode: number;
          results: { latencyMs: { mean: number } };
          target: string;
          argv: string[];
          cpuLoad: unknown[];
        };
        assert.equal(out.exitCode, 0);
        assert.equal(out.target, URL_CAP);
        assert.ok(out.results.latencyMs.mean > 0);
        assert.deepEqual(out.argv.slice(0, 2), ['numactl', '--physcpubind=1']);
        assert.ok(out.cpuLoad.length > 0, 'the load sampler ran in the container');
        // Issue 10 item 31: the /proc/stat loop used to stay behind after every run.
        await nothingLeft(CAP);
      },
    );

    test('Stop: the remote group ends and nothing is left in the container', async () => {
      const t = parseTarget(URL_CAP) as RemoteTarget;
      const ctx = remoteContext(HOME);
      const argv = ['sh', '-c', 'echo started; sleep 300 & sleep 300; wait'];
      const lines: RunLine[] = [];
      const h = startRun({
        argv,
        env: {},
        logFile: join(dir, 'stop.log'),
        graceMs: 1000,
        remote: remoteLaunch(t, ctx, { argv, env: {}, cwd: null }),
      });
      h.events.on('lines', (b) => lines.push(...b));
      await waitFor(() => lines.some((l) => l.text === 'started'), 'the start line');
      await waitFor(() => h.remotePgid, 'the remote group id');
      assert.ok(
        engine.leftovers(CAP).some((l) => / sleep 300$/.test(l)),
        'the workload runs in the container',
      );
      const r = await h.stop();
      assert.equal(r.stopped, true);
      assert.equal(r.signal, 'SIGTERM');
      await nothingLeft(CAP);
    });

    for (const sig of ['SIGINT', 'SIGKILL'] as const) {
      test(`${sig} to \`aio-tuner run --target docker://…\`: nothing is left in the container`, async () => {
        const child = spawn(
          process.execPath,
          [CLI, 'run', '--target', URL_CAP, '--', 'sh', '-c', 'sleep 300 & echo started; wait'],
          { cwd: REPO, env: { ...process.env, AIO_TUNER_HOME: HOME }, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise((res) => child.once('exit', res));
        await waitFor(() => out.includes('started'), 'the workload to start');
        // The sampler runs too by now: the workload and the /proc/stat loop are both in the container.
        await waitFor(() => engine.leftovers(CAP).some((l) => /proc\/stat/.test(l)), 'the load sampler');
        child.kill(sig);
        await exited;
        await nothingLeft(CAP);
      });
    }

    test('the UI load watch: switching it off ends the sampler in the container', async () => {
      const e = new Engine({ shell: 'browser', dataDir: join(dir, 'watch-home'), target: URL_CAP });
      try {
        const samples: unknown[] = [];
        const off = e.subscribe((name, d) => name === 'load.sample' && samples.push(d));
        await e.handle('load.watch', { on: true });
        await waitFor(() => samples.length >= 2, 'two load samples');
        await e.handle('load.watch', { on: false });
        off();
        await nothingLeft(CAP);
      } finally {
        await e.dispose();
      }
    });

    test('no such container, and a stopped one: the tool says which, with the fix', () => {
      const missing = cli(['topology', '--target', `docker://aio-tt-none-${process.pid}`]);
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr, /there is no container named "aio-tt-none-\d+".*docker ps -a/s);
      const name = engine.container(`aio-tt-stopped-${process.pid}`);
      assert.equal(spawnSync('docker', ['stop', '-t', '0', name]).status, 0);
      const stopped = cli(['topology', '--target', `docker://${name}`]);
      assert.notEqual(stopped.status, 0);
      assert.match(stopped.stderr, new RegExp(`exists but is not running.*docker start ${name}`, 's'));
    });

    test('a container without SYS_NICE: numactl binding refused, with the clear error', async () => {
      const r = cli(['run', '--target', `docker://${NOCAP}`, '--cores', '1', '--json', '--', 'true']);
      assert.notEqual(r.status, 0);
      const out = JSON.parse(r.stdout) as { startError?: string; exitCode: number | null };
      assert.match(out.startError ?? '', /numactl is not allowed to bind CPUs or memory here/);
      assert.match(out.startError ?? '', /--cap-add SYS_NICE/);
      assert.match(r.stderr, /set_mempolicy: Operation not permitted|setting membind/);
      await nothingLeft(NOCAP);
    });

    test(
      'two-instance sweep point in the container: RESULTS_DIR made and read there, overlap throughput',
      {
        skip: needsBench,
      },
      async () => {
        const e = new Engine({ shell: 'browser', dataDir: join(dir, 'sweep-home'), target: URL_CAP });
        try {
          const rec = await e.sweeps.start({
            settings: {
              ...defaultSettings(),
              // Long enough for the two measured windows to meet although the instances may start
              // seconds apart on a busy 2-CPU machine (both import torch at once).
              workload: [PY, 'examples/bench.py', '-m', 'cnn', '--timeout', '10'],
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
          assert.equal(rec.host.target, URL_CAP);
          const fin = await e.sweeps.wait(rec.sweepId);
          assert.equal(fin.state, 'done', fin.error);
          const row = fin.rows[0]!;
          assert.equal(row.exitCode, 0, row.error);
          const bound = new Set(row.instanceRuns!.map((i) => i.boundCpus?.join(',')));
          assert.equal(bound.size, 2, 'each instance bound to its own CPU, seen in the container');
          // The RESULTS_DIR dumps came back from the container into the sweep's folder.
          const dumps = readdirSync(join(dir, 'sweep-home', 'sweeps', rec.sweepId, 'p0'));
          assert.equal(dumps.filter((n) => /^\d+\.json$/.test(n)).length, 2);
          assert.ok(row.overlap && row.overlap.passes > 0, `a common window: ${JSON.stringify(row)}`);
          assert.ok(row.throughput! > 0);
        } finally {
          await e.dispose();
        }
        await nothingLeft(CAP);
      },
    );

    test('bundle from the container: system files collected there, archive written here', async () => {
      const out = join(dir, 'docker-bundle.tar.gz');
      const r = cli([
        'bundle',
        '--target',
        URL_CAP,
        '--out',
        out,
        '--json',
        '--',
        'sh',
        '-c',
        'echo in-container',
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(existsSync(out));
      const x = mkdtempSync(join(dir, 'x-'));
      assert.equal(spawnSync('tar', ['-xzf', out, '-C', x]).status, 0);
      const [root] = readdirSync(x);
      const read = (p: string) => readFileSync(join(x, root!, p), 'utf8');
      assert.match(read('README.txt'), new RegExp(URL_CAP));
      assert.match(read('system/cpuinfo.txt'), new RegExp(`/proc/cpuinfo on container ${CAP}`));
      assert.match(read('system/numactl-H.txt'), /available: \d+ nodes/);
      assert.match(read('run/output.log'), /in-container/);
      // docker exec starts in the container's working directory: / for this image.
      assert.equal(JSON.parse(read('run/result.json')).cwd, '/');
      await nothingLeft(CAP);
    });

    describe('ssh://…/docker/NAME: a container on an SSH host', { skip: sshdUnavailable() ?? false }, () => {
      let sshd: Sshd;
      let url: string;
      before(async () => {
        // The sshd sessions must reach the same engine as this process.
        sshd = await startSshd({ env: { DOCKER_HOST: engine.host } });
        url = sshd.url.replace('?', `/docker/${CAP}?`);
      });
      after(async () => {
        await sshd?.stop();
      });

      test('topology and a run through ssh and docker exec; Ctrl-C leaves nothing in the container', async () => {
        const topo = cli(['topology', '--json', '--target', url]);
        assert.equal(topo.status, 0, topo.stderr);
        assert.deepEqual(
          comparable(JSON.parse(topo.stdout) as Topology),
          comparable(await readSysfsTopology('/')),
        );
        const ok = cli(['run', '--target', url, '--json', '--', 'sh', '-c', 'echo via-ssh-and-docker']);
        assert.equal(ok.status, 0, ok.stderr);
        assert.match(readFileSync((JSON.parse(ok.stdout) as { logFile: string }).logFile, 'utf8'), /via-ssh/);
        await nothingLeft(CAP);

        const child = spawn(
          process.execPath,
          [CLI, 'run', '--target', url, '--', 'sh', '-c', 'echo started; sleep 300'],
          {
            cwd: REPO,
            env: { ...process.env, AIO_TUNER_HOME: HOME },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise((res) => child.once('exit', res));
        await waitFor(() => out.includes('started'), 'the workload to start');
        child.kill('SIGINT');
        await exited;
        await nothingLeft(CAP);
      });
    });
  },
);
