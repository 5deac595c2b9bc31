// The form kept engine-side (app/api/draft.ts): on disk, across a restart, coalesced, a bad file reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DraftStore } from '../../app/api/draft';
import { defaultSettings } from '../../app/shared/command';

const home = () => mkdtempSync(join(tmpdir(), 'aio-tuner-draft-'));
const settings = (cpus: number[]) => ({ ...defaultSettings(), cpus, workload: ['python3', 'x.py'] });

test('a draft survives a restart (a new store on the same folder) and is handed to the first page', async () => {
  const dir = home();
  await new DraftStore(dir).set(settings([4, 5]));
  const after = new DraftStore(dir);
  assert.deepEqual(await after.get(false), { settings: settings([4, 5]), problem: null });
  // Another tab opened while the app runs starts fresh; a reload gets the form back.
  assert.deepEqual(await after.get(false), { settings: null, problem: null });
  assert.deepEqual((await after.get(true)).settings, settings([4, 5]));
});

test('a burst of edits ends with the last one on disk', async () => {
  const dir = home();
  const store = new DraftStore(dir);
  await Promise.all([1, 2, 3, 4, 5].map((n) => store.set(settings([n]))));
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'draft.json'), 'utf8')).cpus, [5]);
  assert.deepEqual((await store.get(true)).settings?.cpus, [5]);
});

test('a corrupt or invalid draft file is reported and ignored', async () => {
  for (const [text, why] of [
    ['{ not json', /draft\.json is not valid JSON/],
    [JSON.stringify({ ...settings([1]), threads: -3 }), /draft\.json has unexpected contents: threads: /],
    [JSON.stringify({ cpus: 'all' }), /has unexpected contents: cpus: /],
  ] as const) {
    const dir = home();
    writeFileSync(join(dir, 'draft.json'), text);
    const r = await new DraftStore(dir).get(false);
    assert.equal(r.settings, null);
    assert.match(r.problem ?? '', /^the saved form was not used: /);
    assert.match(r.problem ?? '', why);
  }
});

test('no draft yet: a fresh form, nothing to report', async () => {
  assert.deepEqual(await new DraftStore(home()).get(false), { settings: null, problem: null });
});
