// A local run's output pipes are FIFOs (app/run/fifos.ts): real pipes, found again in /proc by what the kernel
// names them, so Stop and the watcher still reach a child that left the run's session but holds its output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { outputFifos } from '../../app/run/fifos';
import { streamLink } from '../../app/run/proctree';
import { lnamePattern } from '../../app/run/reaper';

test('output FIFOs carry a child’s stdout and stderr to the end, are real pipes, and leave no file behind', async () => {
  const f = outputFifos();
  assert.ok(f, 'mkfifo is part of coreutils: FIFOs can be made here');
  const child = spawn('sh', ['-c', 'echo out; echo err >&2; sleep 0.3'], {
    stdio: ['ignore', f.write[0], f.write[1]],
  });
  f.closeWriteEnds();
  const pid = child.pid!;
  // The kernel's name for the child's stdout is the one the run looks for, and it is a FIFO (a pipe).
  const link = streamLink(pid, 1, f.links);
  assert.equal(link, f.links[0]);
  assert.ok(statSync(`/proc/${pid}/fd/1`).isFIFO());
  // find -lname with the watcher's pattern finds exactly that fd.
  const found = spawnSync('find', [`/proc/${pid}/fd`, '-maxdepth', '1', '-lname', lnamePattern(link!)], {
    encoding: 'utf8',
  }).stdout.trim();
  assert.equal(found, `/proc/${pid}/fd/1`);
  // The names were unlinked at once: nothing stays in the temp folder.
  assert.match(link!, / \(deleted\)$/);
  const read = (s: NodeJS.ReadableStream) =>
    new Promise<string>((res) => {
      let text = '';
      s.on('data', (b: Buffer) => (text += b.toString()));
      s.once('close', () => res(text));
    });
  const [out, err] = await Promise.all([read(f.stdout), read(f.stderr)]);
  assert.equal(out, 'out\n');
  assert.equal(err, 'err\n');
});

test('a child whose stdout is already /dev/null is not taken for the run’s output', async () => {
  const child = spawn('sleep', ['5'], { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(streamLink(child.pid!, 1, []), null);
  } finally {
    child.kill();
  }
});

test('lnamePattern escapes glob characters and blanks', () => {
  assert.equal(lnamePattern('pipe:[123]'), 'pipe:\\[123\\]');
  assert.equal(lnamePattern('/tmp/a*b/1 (deleted)'), '/tmp/a\\*b/1?(deleted)');
});
