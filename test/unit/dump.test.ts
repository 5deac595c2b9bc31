/**
 * Replayable dumps (issue 15): `aio-tuner dump` copies exactly the files the engine reads, and `--sysroot` on the
 * copy — a directory or the .tar.gz — gives back the model the engine made from the original. On this host and
 * on every real dump in test/fixtures (ours, util-linux's and hwloc's).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { dumpLocal, recordEngineReads, writeDump } from '../../app/bundle/sysdump';
import { readSysfsTopology, readSysroot, unpackSysroot } from '../../app/topology';
import { ApiParams } from '../../app/api/contract';
import { MAX_TOPOLOGY_ARCHIVE_BYTES } from '../../app/shared/contract';
import { probeCovers } from '../../app/remote/probe-script';
import { cachedTree, CACHE_DIR, FIXTURES_DIR, fixtureRoot, tarballFixtures } from '../helpers/fixtures';
import { comparableTopology } from '../helpers/topology';

// Thousands of tiny files per dump: on tmpfs when the machine has one (the shared disk made this test minutes
// long), for the unpacked archives too (they go to the OS temp dir, read from TMPDIR at each call).
const fast = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/aio-dump-') : null;
if (fast) process.env.TMPDIR = fast;
const work = mkdtempSync(join(fast ?? tmpdir(), 'aio-dump-'));
after(() => fast && rmSync(fast, { recursive: true, force: true }));
after(() => rmSync(work, { recursive: true, force: true }));

/** A real-world fixture archive (util-linux .tar.gz, hwloc .tar.bz2) extracted once: the directory inside it. */
function realRoot(archive: string): string {
  const digest = createHash('sha256').update(readFileSync(archive)).digest('hex').slice(0, 12);
  const base = basename(archive).replace(/\.tar\.(gz|bz2)$/, '');
  const target = join(CACHE_DIR, `real-${base}-${digest}`);
  const tree = cachedTree(target, (staging) =>
    execFileSync('tar', [archive.endsWith('.bz2') ? '-xjf' : '-xzf', archive, '-C', staging], {
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  return existsSync(join(tree, base)) ? join(tree, base) : tree;
}

function realArchives(): string[] {
  return ['util-linux', 'hwloc'].flatMap((d) => {
    const dir = join(FIXTURES_DIR, 'real', d);
    return readdirSync(dir)
      .filter((f) => /\.tar\.(gz|bz2)$/.test(f))
      .sort()
      .map((f) => join(dir, f));
  });
}

/** Read a root the way the CLI does, or null when the engine refuses it (then the dump must be refused too). */
async function modelOf(root: string) {
  try {
    return await readSysfsTopology(root);
  } catch {
    return null;
  }
}

async function roundTrip(root: string, name: string): Promise<{ dir: number; archive: number } | null> {
  const original = await modelOf(root);
  if (original === null) {
    await assert.rejects(dumpLocal(root), `${name}: a root the engine cannot read cannot be dumped`);
    return null;
  }
  const dump = await dumpLocal(root);
  assert.deepEqual(
    comparableTopology(dump.topology),
    comparableTopology(original),
    `${name}: recorded model`,
  );
  const dir = join(work, name);
  const archive = join(work, `${name}.tar.gz`);
  const dirBytes = await writeDump(dump, dir);
  const archiveBytes = await writeDump(dump, archive);
  const fromDir = await readSysroot(dir);
  assert.equal(fromDir.origin, dir);
  assert.deepEqual(comparableTopology(fromDir), comparableTopology(original), `${name}: --sysroot DIR`);
  const fromArchive = await readSysroot(archive);
  assert.equal(fromArchive.source, 'sysfs');
  assert.equal(fromArchive.origin, archive, 'origin names the archive');
  assert.deepEqual(
    comparableTopology(fromArchive),
    comparableTopology(original),
    `${name}: --sysroot .tar.gz`,
  );
  return { dir: dirBytes, archive: archiveBytes };
}

describe('aio-tuner dump round-trips through --sysroot', () => {
  test('this host: directory and .tar.gz give back the same map', async () => {
    const sizes = await roundTrip('/', 'this-host');
    assert.ok(sizes);
    const manifest = JSON.parse(readFileSync(join(work, 'this-host', 'aio-tuner-dump.json'), 'utf8'));
    assert.equal(manifest.format, 'aio-tuner-dump/1');
    assert.equal(manifest.source, 'this host');
    assert.match(readFileSync(join(work, 'this-host', 'uname.txt'), 'utf8'), /^Linux /);
    // What the doctor and the load sampler read is in it too, not only the topology's files.
    assert.ok(existsSync(join(work, 'this-host', 'proc/stat')), 'load: /proc/stat');
    assert.ok(existsSync(join(work, 'this-host', 'proc/meminfo')));
  });

  for (const name of tarballFixtures())
    test(`fixture ${name}`, async () => {
      assert.ok(await roundTrip(fixtureRoot(name), name));
    });

  test('every real-world dump of util-linux and hwloc', async () => {
    const refused: string[] = [];
    for (const archive of realArchives()) {
      const name = basename(archive).replace(/\.tar\.(gz|bz2)$/, '');
      if ((await roundTrip(realRoot(archive), `real-${name}`)) === null) refused.push(name);
    }
    // A dump without a CPU directory is refused by the reader, and so by dump: say which, so a regression shows.
    assert.ok(refused.length < realArchives().length / 4, `refused: ${refused.join(', ')}`);
  });

  test('the dump holds only files the engine read: a second dump of the dump is the same tree', async () => {
    const root = fixtureRoot('arm64-altra-2p-160c-2node');
    const first = await recordEngineReads(root);
    const dir = join(work, 'twice');
    await writeDump({ ...first, source: root, host: 'x' }, dir);
    const second = await recordEngineReads(dir);
    assert.deepEqual([...second.tree.files.keys()].sort(), [...first.tree.files.keys()].sort());
    const files = [...first.tree.files.keys()];
    // Far fewer than the fixture holds: nothing the engine does not read.
    const all = execFileSync('find', [root, '-type', 'f'], { encoding: 'utf8' }).trim().split('\n').length;
    assert.ok(files.length < all, `${files.length} of ${all}`);
    assert.ok(statSync(dir).isDirectory());
  });
});

describe('topology.load kind "archive" (Import topology… with a dump or bundle)', () => {
  const schema = ApiParams['topology.load'];
  test('the contract takes base64 up to the size limit and refuses the rest', () => {
    assert.ok(schema.safeParse({ kind: 'archive', data: 'H4sIAAAA', name: 'a.tar.gz' }).success);
    const notB64 = schema.safeParse({ kind: 'archive', data: 'not base64!', name: 'a.tar.gz' });
    assert.ok(!notB64.success);
    const big = 'A'.repeat(Math.ceil(MAX_TOPOLOGY_ARCHIVE_BYTES / 3) * 4 + 4);
    const tooBig = schema.safeParse({ kind: 'archive', data: big, name: 'a.tar.gz' });
    assert.ok(!tooBig.success);
    assert.match(JSON.stringify(tooBig.error.issues), /larger than 64 MiB/);
    assert.ok(!schema.safeParse({ kind: 'archive', data: 'H4sIAAAA' }).success, 'a name is required');
  });

  test('uploaded bytes unpack like the file; garbage is refused in one line naming it', async () => {
    const file = join(work, 'upload.tar.gz');
    await writeDump({ ...(await dumpLocal(fixtureRoot('x86-2p-4c-2node'))), source: 'x', host: 'x' }, file);
    const opened = await unpackSysroot(readFileSync(file), 'upload.tar.gz');
    try {
      assert.deepEqual(
        comparableTopology(await readSysfsTopology(opened.dir)),
        comparableTopology(await readSysfsTopology(fixtureRoot('x86-2p-4c-2node'))),
      );
    } finally {
      opened.close();
    }
    assert.ok(!existsSync(opened.dir), 'unpacked copy removed');
    await assert.rejects(
      unpackSysroot(Buffer.from('plain text'), 'notes.txt'),
      /^Error: notes\.txt: not a \.tar\.gz archive$/,
    );
  });
});

describe("a target's files: the probe script is a prefetch, the readers decide", () => {
  test('what the script asks for is known absent when it did not come back; anything else is fetched', () => {
    for (const p of [
      '/sys/devices/system/cpu/online',
      '/sys/devices/system/cpu/cpu12/regs/identification/midr_el1',
      '/sys/devices/system/cpu/cpu3/cache/index2/size',
      '/proc/self/status',
      '/sys/fs/cgroup/user.slice/cpuset.cpus.effective',
      '/sys/fs/cgroup/cpuset/docker/x/cpuset.cpus',
      '/sys/devices/system/node/node1/meminfo',
    ])
      assert.ok(probeCovers(p), p);
    // Read by the doctor, the load sampler or a damaged-file fallback: the dump fetches them when asked.
    for (const p of [
      '/sys/devices/system/node/node1/cpumap',
      '/proc/stat',
      '/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor',
    ])
      assert.ok(!probeCovers(p), p);
  });
});
