// The host doctor on targets (issue 14, "Remote targets run the same checks"), against a REAL OpenSSH server
// (test/helpers/sshd.ts) and a REAL Docker engine (test/helpers/docker.ts), the container reached directly and
// through the sshd (ssh://…/docker/NAME). The target's sessions get OMP_NUM_THREADS (sshd SetEnv, docker run -e)
// that this process does not have: a threads-env-inherited finding naming the target shows the checks read the
// target's environment, not this one. Files are read there in batches: the reads of one turn go as one command.
// Under CI=true a missing sshd or Docker fails; elsewhere the part that needs it is skipped with the reason.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, sshdUnavailable, type Sshd } from '../helpers/sshd';
import { dockerUnavailable, startDocker, type DockerEngine } from '../helpers/docker';
import { runDoctor } from '../../app/doctor';
import { targetPlace, type BatchReadHost } from '../../app/doctor/place';
import { targetDoctorOptions } from '../../app/remote/doctor';
import {
  masterPid,
  parseTarget,
  RemoteError,
  remoteContext,
  runOnTarget,
  targetUrl,
  type RemoteContext,
  type RemoteTarget,
} from '../../app/remote';
import { Engine } from '../../app/api/engine';
import { ApiError } from '../../app/api/contract';
import type { DoctorReport } from '../../app/shared/doctor';

const CI = process.env.CI === 'true';
const noSshd = sshdUnavailable();
if (noSshd && CI) throw new Error(`${noSshd}: required when CI=true`);
const noDocker = dockerUnavailable();
if (noDocker && CI) throw new Error(`${noDocker}: required when CI=true`);

// A value this process does not have: found in a report, it can only come from the target.
const THREADS = '3';
if (process.env.OMP_NUM_THREADS === THREADS) delete process.env.OMP_NUM_THREADS;

const dir = mkdtempSync(join(tmpdir(), 'aio-doctor-remote-'));
let ctx: RemoteContext;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function threadsFinding(report: DoctorReport) {
  const f = report.checks.find((c) => c.code === 'threads-env-inherited');
  assert.ok(f, `threads-env-inherited among ${JSON.stringify(report.checks.map((c) => c.code))}`);
  return f;
}

before(() => {
  ctx = remoteContext(join(dir, 'home'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('doctor on an ssh target', { skip: noSshd ?? false, concurrency: false }, () => {
  let sshd: Sshd;
  before(async () => {
    sshd = await startSshd({ env: { OMP_NUM_THREADS: THREADS } });
  });
  after(async () => {
    await sshd?.stop();
  });

  test("runDoctor on the target: source is the target's URL, the environment is its sessions'", async () => {
    const target = await targetDoctorOptions(sshd.url, ctx);
    try {
      const report = await runDoctor({ target });
      assert.deepEqual(report.source, { kind: 'target', url: sshd.url });
      const f = threadsFinding(report);
      assert.deepEqual(f.evidence, [
        {
          source: `environment of ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
          value: `OMP_NUM_THREADS=${THREADS}`,
        },
      ]);
      // The same probe as the map: the target's topology (this machine seen through ssh), named by its URL.
      assert.ok(target.topology && target.topology.cpus.length > 0);
      assert.equal(target.topology.origin, `ssh://${sshd.user}@127.0.0.1:${sshd.port}`);
      // Here, without the target, the same check does not see it.
      const here = await runDoctor({});
      assert.ok(
        !here.checks.some((c) => (c.evidence ?? []).some((e) => e.value === `OMP_NUM_THREADS=${THREADS}`)),
        JSON.stringify(here.checks),
      );
    } finally {
      await target.close();
    }
  });

  test('reads on the target: one command for the reads of a turn, each as a single read gives it', async () => {
    const files = join(dir, 'files');
    mkdirSync(files, { recursive: true });
    // Contents that look like the batch's own framing must come back as they are.
    const tricky = 'line one\n@@AIO_TUNER_0000000000000000@@ E 0\nno newline at the end';
    writeFileSync(join(files, 'tricky'), tricky);
    writeFileSync(join(files, 'empty'), '');
    writeFileSync(join(files, 'with space'), 'spaced\n');
    const target = await targetDoctorOptions(sshd.url, ctx);
    try {
      const host = target.host as BatchReadHost;
      const batches: (readonly string[])[] = [];
      const counting: BatchReadHost = {
        ...host,
        readMany: (paths) => {
          batches.push(paths);
          return host.readMany(paths);
        },
      };
      const place = targetPlace(counting, target.env);
      const paths = [
        join(files, 'tricky'),
        join(files, 'empty'),
        join(files, 'with space'),
        join(files, 'absent'),
        files, // a directory: not a file
        '/proc/sys/kernel/osrelease',
        '/sys/devices/system/cpu/online',
        join(files, 'tricky'), // asked twice in the same turn
      ];
      const got = await Promise.all(paths.map((p) => place.read(p)));
      assert.equal(batches.length, 1, JSON.stringify(batches));
      assert.equal(new Set(batches[0]).size, 7);
      assert.deepEqual(got, [
        tricky,
        '',
        'spaced\n',
        null,
        null,
        readFileSync('/proc/sys/kernel/osrelease', 'utf8'),
        readFileSync('/sys/devices/system/cpu/online', 'utf8'),
        tricky,
      ]);
      // The single read agrees with the batched one.
      for (const [i, p] of paths.entries()) assert.equal(await host.read(p), got[i], p);
      // A read asked after the batch went is the next batch.
      assert.equal(await place.read(join(files, 'empty')), '');
      assert.equal(batches.length, 2);
    } finally {
      await target.close();
    }
  });

  test("close(): a one-shot doctor lets go of the shared connection without ending another's command", async () => {
    const t = parseTarget(sshd.url) as RemoteTarget;
    // Another user of the same connection (the app's run on this host, sharing $AIO_TUNER_HOME/ssh), going
    // through the master the app opened earlier.
    await runOnTarget(t, ctx, ['true']);
    // It goes on until after the doctor is done (the target is this machine: the test makes the file).
    const go = join(dir, 'doctor-done');
    const other = runOnTarget(t, ctx, [
      'sh',
      '-c',
      'while [ ! -e "$1" ]; do sleep 0.1; done; echo still here',
      'sh',
      go,
    ]);
    const target = await targetDoctorOptions(sshd.url, ctx);
    const master = await masterPid(t, ctx);
    assert.ok(master !== null);
    await runDoctor({ target });
    await target.close();
    // No master left for new commands; the one going finishes.
    assert.equal(await masterPid(t, ctx), null);
    writeFileSync(go, '');
    const r = await other;
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'still here');
    // And the released master ends once its last session has: nothing stays up for ControlPersist's minute.
    const end = Date.now() + 15_000;
    while (isAlive(master) && Date.now() < end) await new Promise((res) => setTimeout(res, 100));
    assert.equal(isAlive(master), false, `ssh master ${master} still running`);
  });

  test('the app: doctor.run examines the active remote target, or the one given', async () => {
    const onTarget = new Engine({ shell: 'browser', dataDir: join(dir, 'engine-remote'), target: sshd.url });
    try {
      const report = (await onTarget.handle('doctor.run', {})) as DoctorReport;
      assert.deepEqual(report.source, { kind: 'target', url: sshd.url });
      assert.equal(threadsFinding(report).evidence?.[0]?.value, `OMP_NUM_THREADS=${THREADS}`);
      // The map and the doctor describe one machine, probed once.
      const map = (await onTarget.handle('topology.get', {})) as { origin?: string };
      assert.equal(map.origin, `ssh://${sshd.user}@127.0.0.1:${sshd.port}`);
      const local = (await onTarget.handle('doctor.run', { target: 'local' })) as DoctorReport;
      assert.deepEqual(local.source, { kind: 'host' });
    } finally {
      await onTarget.dispose();
    }
    const onHost = new Engine({ shell: 'browser', dataDir: join(dir, 'engine-local') });
    try {
      const here = (await onHost.handle('doctor.run', {})) as DoctorReport;
      assert.deepEqual(here.source, { kind: 'host' });
      const there = (await onHost.handle('doctor.run', { target: sshd.url })) as DoctorReport;
      assert.deepEqual(there.source, { kind: 'target', url: sshd.url });
      assert.equal(threadsFinding(there).evidence?.[0]?.value, `OMP_NUM_THREADS=${THREADS}`);
    } finally {
      await onHost.dispose();
    }
  });

  test('a target that cannot be reached: one line saying why (RemoteError; the API keeps its code)', async () => {
    const url = 'ssh://nobody@127.0.0.1:1';
    await assert.rejects(targetDoctorOptions(url, ctx), (e: unknown) => {
      assert.ok(e instanceof RemoteError, String(e));
      assert.equal(e.code, 'connection-refused');
      assert.match(e.message, /^ssh:\/\/nobody@127\.0\.0\.1:1: connection refused on port 1\b/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    const engine = new Engine({ shell: 'browser', dataDir: join(dir, 'engine-unreachable') });
    try {
      await assert.rejects(engine.handle('doctor.run', { target: url }), (e: unknown) => {
        assert.ok(e instanceof ApiError, String(e));
        assert.equal(e.code, 'connection-refused');
        return true;
      });
      await assert.rejects(engine.handle('doctor.run', { target: 'nobody@somewhere' }), (e: unknown) => {
        assert.ok(e instanceof ApiError, String(e));
        assert.equal(e.code, 'bad-request');
        assert.match(e.message, /did you mean ssh:\/\/nobody@somewhere/);
        return true;
      });
    } finally {
      await engine.dispose();
    }
  });
});

describe('doctor on a docker target', { skip: noDocker ?? false, concurrency: false }, () => {
  let docker: DockerEngine;
  // Unique to this process, so two checkouts testing at once never share a container.
  const NAME = `aio-tt-doctor-${process.pid}`;
  before(async () => {
    docker = await startDocker();
    docker.container(NAME, { env: { OMP_NUM_THREADS: THREADS } });
  });
  after(async () => {
    await docker?.stop();
  });

  test('runDoctor in the container: its environment, its files', async () => {
    const url = `docker://${NAME}`;
    const target = await targetDoctorOptions(url, ctx);
    const report = await runDoctor({ target });
    assert.deepEqual(report.source, { kind: 'target', url: targetUrl(parseTarget(url)) });
    assert.deepEqual(threadsFinding(report).evidence, [
      { source: `environment of container ${NAME}`, value: `OMP_NUM_THREADS=${THREADS}` },
    ]);
    // Files are the container's: its PID 1 is the engine's init running `sleep infinity`, not this machine's.
    const place = targetPlace(target.host, target.env);
    const [init, absent] = await Promise.all([place.read('/proc/1/cmdline'), place.read('/no/such/file')]);
    assert.deepEqual(init?.split('\0').slice(-3), ['sleep', 'infinity', '']);
    assert.notEqual(init, readFileSync('/proc/1/cmdline', 'utf8'));
    assert.equal(absent, null);
  });

  test(
    'ssh://…/docker/NAME: the container on an SSH host, reached through both',
    { skip: noSshd ?? false },
    async () => {
      const sshd = await startSshd({ env: { DOCKER_HOST: docker.host } });
      try {
        const url = sshd.url.replace('?', `/docker/${NAME}?`);
        const target = await targetDoctorOptions(url, ctx);
        try {
          const report = await runDoctor({ target });
          assert.deepEqual(report.source, { kind: 'target', url });
          assert.deepEqual(threadsFinding(report).evidence, [
            {
              source: `environment of container ${NAME} on ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
              value: `OMP_NUM_THREADS=${THREADS}`,
            },
          ]);
          const place = targetPlace(target.host, target.env);
          const [init, online] = await Promise.all([
            place.read('/proc/1/cmdline'),
            place.read('/sys/devices/system/cpu/online'),
          ]);
          assert.deepEqual(init?.split('\0').slice(-3), ['sleep', 'infinity', '']);
          assert.equal(online, readFileSync('/sys/devices/system/cpu/online', 'utf8'));
        } finally {
          await target.close();
        }
      } finally {
        await sshd.stop();
      }
    },
  );

  test('a container that does not exist: one line saying so', async () => {
    await assert.rejects(targetDoctorOptions(`docker://${NAME}-gone`, ctx), (e: unknown) => {
      assert.ok(e instanceof RemoteError, String(e));
      assert.equal(e.code, 'container-missing');
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  });
});
