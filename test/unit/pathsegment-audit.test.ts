// Every other place where an id, a name or a listing entry becomes a path goes through app/util/pathsegment.ts:
// bundles from saved runs, history compare/export, pasted logs, saved runs read back at start (profile files:
// test/unit/profiles.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Engine } from '../../app/api/engine';
import type { RunInfo } from '../../app/api/contract';
import { defaultSettings } from '../../app/shared/command';
import {
  decodeSegment,
  encodedChildPath,
  encodeSegment,
  isSafeSegment,
  MAX_ENCODED_SEGMENT,
  segmentFrom,
} from '../../app/util/pathsegment';
import { prng } from '../helpers/prng';

const HOSTILE = [
  '..',
  '.',
  '',
  '../../etc/passwd',
  'a/b',
  'a\\b',
  'x\0y',
  '.hidden',
  '-rf',
  'é',
  'CON',
  '%2e%2e',
];

function withHome(fn: (home: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const home = mkdtempSync(join(tmpdir(), 'aio-audit-'));
    try {
      await fn(home);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
}

test('segmentFrom makes a safe segment of any text, bounded', () => {
  const r = prng(7);
  const samples = [...HOSTILE, 'x'.repeat(500), 'résumé.log', '\u202e.log'];
  for (let i = 0; i < 300; i++)
    samples.push(
      String.fromCodePoint(
        ...Array.from({ length: 1 + Math.floor(r() * 30) }, () => Math.floor(r() * 0x3000)),
      ),
    );
  for (const text of samples) {
    const s = segmentFrom(text, 'fallback', 80);
    assert.ok(isSafeSegment(s), `${JSON.stringify(text)} -> ${JSON.stringify(s)}`);
    assert.ok(s.length <= 80);
  }
  assert.equal(segmentFrom('run 1.log', 'x'), 'run_1.log');
  assert.equal(segmentFrom('', 'pasted.log'), 'pasted.log');
});

test('encodeSegment reads back exactly and never makes a path of its own', () => {
  const r = prng(11);
  const names = [...HOSTILE.filter((n) => n !== ''), 'café', 'cafe\u0301', 'nul', 'COM1', '日本🚀', '%41'];
  for (let i = 0; i < 300; i++)
    names.push(
      String.fromCodePoint(
        ...Array.from({ length: 1 + Math.floor(r() * 20) }, () => 1 + Math.floor(r() * 0xd000)),
      ),
    );
  for (const name of names) {
    const seg = encodeSegment(name);
    assert.match(seg, /^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/, name);
    assert.ok(!['.', '..'].includes(seg));
    assert.doesNotMatch(seg, /^(con|prn|aux|nul|com\d|lpt\d)$/i);
    assert.equal(decodeSegment(seg), name, name);
  }
  assert.equal(decodeSegment('../x'), null);
  assert.equal(decodeSegment('%E0%A4%A'), null);
  assert.equal(encodedChildPath('/p', 'profile name', '../x', '.json'), '/p/%2E%2E%2Fx.json');
  assert.throws(() => encodedChildPath('/p', 'profile name', ''), /empty/);
  assert.throws(() => encodedChildPath('/p', 'profile name', 'x', '/../y'), /suffix/);
  assert.throws(() => encodedChildPath('/p', 'profile name', '日'.repeat(30), '.json'), /too long/);
  assert.ok(encodeSegment('日'.repeat(26)).length + 5 <= MAX_ENCODED_SEGMENT);
});

test(
  'bundle.create/preview, history.compare and history.export refuse ids that are not one segment',
  withHome(async (home) => {
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      for (const id of ['..', '.', '../runs', 'a/b', '/etc']) {
        const bad = (p: Promise<unknown>, what: string) =>
          assert.rejects(p, (err: { code?: string }) => err.code === 'bad-request', `${what} ${id}`);
        await bad(e.handle('bundle.create', { fromRunId: id }), 'bundle.create');
        await bad(e.handle('bundle.preview', { fromRunId: id }), 'bundle.preview');
        await bad(e.handle('history.compare', { a: id, b: 'x' }), 'history.compare');
        await bad(e.handle('history.export', { format: 'json', sweepId: id }), 'history.export sweepId');
        await bad(e.handle('history.export', { format: 'csv', ids: [id] }), 'history.export ids');
      }
    } finally {
      await e.dispose();
    }
  }),
);

test(
  'a pasted log becomes one bounded file in <home>/opened, whatever its name',
  withHome(async (home) => {
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      for (const name of ['../../escape.log', 'x'.repeat(256), '.hidden', 'a\\b/c', '\u0000']) {
        const r = (await e.handle('log.openText', { name, text: 'line\n' })) as { path: string };
        assert.equal(dirname(r.path), join(home, 'opened'), name);
        assert.ok(isSafeSegment(r.path.slice(dirname(r.path).length + 1)), r.path);
      }
      assert.equal(readdirSync(join(home, 'opened')).length, 5);
      assert.ok(!existsSync(join(home, '..', 'escape.log')));
    } finally {
      await e.dispose();
    }
  }),
);

test(
  'a saved run is known by its folder name, not by the runId written inside its run.json',
  withHome(async (home) => {
    const dir = join(home, 'runs', '20240101T000000-abcdef');
    mkdirSync(dir, { recursive: true });
    const info = { runId: '../../evil', state: 'exited', settings: defaultSettings(), outcome: null };
    writeFileSync(join(dir, 'run.json'), JSON.stringify(info));
    mkdirSync(join(home, 'runs', '..hidden'), { recursive: true });
    writeFileSync(join(home, 'runs', '..hidden', 'run.json'), JSON.stringify({ ...info, runId: '..hidden' }));
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      const ids = ((await e.handle('run.list', {})) as RunInfo[]).map((r) => r.runId);
      assert.deepEqual(ids, ['20240101T000000-abcdef']);
    } finally {
      await e.dispose();
    }
  }),
);
