// The bundle archive: real gzip'd tar read back by the system `tar`, manifest hashes, atomic final name, and a
// large run log streamed through redaction.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BundleArchive, type Manifest } from '../../app/bundle/archive';
import { measureOutput, outputLines } from '../../app/bundle/output-log';
import { Redactor, REDACTED } from '../../app/bundle/redact';
import { logHeader } from '../../app/logs';

const tmp = mkdtempSync(join(os.tmpdir(), 'aio-bundle-archive-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function extract(file: string): string {
  const dir = mkdtempSync(join(tmp, 'x-'));
  execFileSync('tar', ['xzf', file, '-C', dir]);
  return dir;
}

describe('BundleArchive', () => {
  test('entries under one folder, executable mode kept, manifest hashes right', async () => {
    const path = join(tmp, 'a.tar.gz');
    const a = await BundleArchive.create(path, 'a');
    await a.addText('README.txt', 'hello\n');
    await a.addText('run/command.sh', '#!/usr/bin/env bash\necho hi\n', 0o755);
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x');
    await a.addStream('run/output.log', big.length, async (sink) => {
      for (let off = 0; off < big.length; off += 65536) await sink.write(big.subarray(off, off + 65536));
    });
    const done = await a.finish();
    assert.equal(done.sizeBytes, statSync(path).size);
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.includes('.part')),
      [],
      'no temporary file left',
    );

    const dir = join(extract(path), 'a');
    assert.equal(readFileSync(join(dir, 'README.txt'), 'utf8'), 'hello\n');
    assert.ok(statSync(join(dir, 'run/command.sh')).mode & 0o100, 'command.sh is executable');
    const manifest = JSON.parse(readFileSync(join(dir, 'MANIFEST.json'), 'utf8')) as Manifest;
    assert.deepEqual(
      manifest.files.map((f) => f.path),
      ['README.txt', 'run/command.sh', 'run/output.log'],
    );
    for (const f of manifest.files) {
      const content = readFileSync(join(dir, f.path));
      assert.equal(f.size, content.length, f.path);
      assert.equal(f.sha256, sha(content), f.path);
    }
  });

  test('a producer that writes a different size fails, and abort leaves nothing behind', async () => {
    const path = join(tmp, 'bad.tar.gz');
    const a = await BundleArchive.create(path, 'bad');
    await assert.rejects(
      a.addStream('x', 10, async (sink) => sink.write(Buffer.from('short'))),
      /wrote 5 of 10/,
    );
    await a.abort();
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith('bad') || f.startsWith('.bad')),
      [],
    );
  });
});

describe('run/output.log from a large run log', () => {
  test('every line streamed with its stream marked, secrets redacted, size announced exactly', async () => {
    const log = join(tmp, 'big.log');
    const fd = openSync(log, 'w');
    writeSync(fd, logHeader(new Date()));
    const N = 200_000;
    const chunk: string[] = [];
    for (let i = 1; i <= N; i++) {
      const stream = i % 10 === 0 ? 'E' : 'O';
      const body =
        i % 1000 === 0
          ? `line ${i} token hf_secret123 HF_TOKEN=hf_secret123`
          : `line ${i} ${'y'.repeat(100)}`;
      chunk.push(`${i}\t${stream}\t${body}\n`);
      if (chunk.length === 5000) {
        writeSync(fd, chunk.join(''));
        chunk.length = 0;
      }
    }
    closeSync(fd);
    assert.ok(statSync(log).size > 20 * 1024 * 1024);

    const r = new Redactor({ envs: [{ HF_TOKEN: 'hf_secret123' }] });
    const m = await measureOutput(log, r);
    assert.equal(m.lines, N);
    const path = join(tmp, 'big.tar.gz');
    const a = await BundleArchive.create(path, 'big');
    await a.addStream('run/output.log', m.bytes, async (sink) => {
      for await (const c of outputLines(log, r, undefined, m.lines)) await sink.write(c);
    });
    await a.finish();
    const text = readFileSync(join(extract(path), 'big/run/output.log'), 'utf8');
    const lines = text.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, N);
    assert.equal(lines[0], `[stdout +0.001s] line 1 ${'y'.repeat(100)}`);
    assert.match(lines[9]!, /^\[stderr \+0\.010s\] line 10 /);
    assert.equal(lines[999], `[stderr +1.000s] line 1000 token ${REDACTED} HF_TOKEN=${REDACTED}`);
    assert.ok(!text.includes('hf_secret123'));
  });
});
